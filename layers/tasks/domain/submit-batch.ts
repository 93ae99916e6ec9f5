import * as z from "zod";
import { mapWithConcurrency } from "#shared/concurrency";
import { DomainError } from "#shared/errors";
import { ErrorResponse } from "#shared/http";
import type { Caller } from "#shared/identity";
import { type SubmitDeps, submitTask } from "./submit-task";
import { SubmitTaskRequest, TaskView, toTaskView } from "./task";

export const MAX_BATCH = 100;

/** The body of `POST /api/tasks/batch`, as documented: each item is a task request. */
export const SubmitBatchRequest = z
  .object({ tasks: z.array(SubmitTaskRequest).min(1).max(MAX_BATCH) })
  .strict()
  .meta({ id: "SubmitBatchRequest" });
/** How the body is parsed: the envelope strictly, each item on its own (see `submitBatch`). */
export const SubmitBatchEnvelope = z.object({ tasks: z.array(z.unknown()).min(1).max(MAX_BATCH) }).strict();

export const BatchItemResult = z.object({
  index: z.number().int(),
  /** The status this item alone would have got: 201, 200 (replay), 400, 409, 413 or 429. */
  status: z.number().int(),
  task: TaskView.optional(),
  error: ErrorResponse.shape.error.omit({ requestId: true }).optional(),
});
export const SubmitBatchResponse = z
  .object({
    summary: z.object({
      total: z.number().int(),
      created: z.number().int(),
      replayed: z.number().int(),
      refused: z.number().int(),
    }),
    results: z.array(BatchItemResult),
  })
  .meta({ id: "SubmitBatchResponse" });
export type SubmitBatchResponse = z.infer<typeof SubmitBatchResponse>;

/**
 * Submits up to 100 tasks, each validated and submitted on its own, ten at a time: one bad item
 * never fails the others. Results come back in input order.
 */
export async function submitBatch(items: readonly unknown[], caller: Caller, deps: SubmitDeps): Promise<SubmitBatchResponse> {
  const settled = await mapWithConcurrency(items, 10, async (item, index): Promise<z.infer<typeof BatchItemResult>> => {
    const request = SubmitTaskRequest.safeParse(item);
    if (!request.success) {
      const fields = request.error.issues.flatMap((issue) =>
        issue.code === "unrecognized_keys"
          ? issue.keys.map((key) => ({ field: key, message: "is not a known field" }))
          : [{ field: issue.path.map(String).join(".") || "(item)", message: issue.message }],
      );
      return { index, status: 400, error: { code: "ValidationError", message: "the task is invalid", fields } };
    }
    try {
      const { task, created } = await submitTask(request.data, caller, deps);
      return { index, status: created ? 201 : 200, task: toTaskView(task) };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return {
        index,
        status: error.status,
        error: { code: error.code, message: error.message, ...(error.fields.length ? { fields: [...error.fields] } : {}) },
      };
    }
  });
  const results = settled.map((result) => {
    // Anything but a domain error is a bug or an outage: fail the request, hiding nothing.
    if (result.status === "rejected") throw result.reason;
    return result.value;
  });
  const count = (match: (status: number) => boolean) => results.filter((r) => match(r.status)).length;
  return {
    summary: {
      total: results.length,
      created: count((s) => s === 201),
      replayed: count((s) => s === 200),
      refused: count((s) => s >= 400),
    },
    results,
  };
}
