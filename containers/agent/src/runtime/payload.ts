import type * as z from "zod";
import { NonRetryableTaskError } from "./task-handler";
import type { JsonObject } from "#kernel/json";

/** Validates a payload, turning a bad one into a non-retryable failure that names the fields. */
export function payloadOf<S extends z.ZodType>(schema: S, payload: JsonObject): z.infer<S> {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.map(String).join(".") || "payload"}: ${issue.message}`);
    throw new NonRetryableTaskError(`invalid payload: ${problems.join("; ")}`, "InvalidPayload");
  }
  return parsed.data;
}
