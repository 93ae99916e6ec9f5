import type * as z from "zod";
import { jsonText } from "./json-text";

/** Raised at cold start when a function's environment is missing or malformed. */
export class InvalidEnvironmentError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment: ${problems.join("; ")}`);
    this.name = "InvalidEnvironmentError";
  }
}

/**
 * Parses `process.env` (or a given record) against a zod object schema, failing fast with
 * every bad variable named, so a misconfigured function dies at init instead of mid-request.
 *
 * @example
 * const env = readEnv(z.object({ TASKS_TABLE: z.string().min(1) }));
 */
export function readEnv<S extends z.ZodType>(schema: S, source: Record<string, string | undefined> = process.env): z.infer<S> {
  const result = schema.safeParse(source);
  if (!result.success) {
    throw new InvalidEnvironmentError(
      result.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`),
    );
  }
  return result.data;
}

/** A JSON-encoded environment variable, validated by `inner`. */
export const jsonEnv = <S extends z.ZodType>(inner: S) => jsonText(inner);
