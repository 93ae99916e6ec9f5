import * as z from "zod";
import { mapWithConcurrency } from "#shared/concurrency";
import { DomainError } from "#shared/errors";
import { ErrorResponse } from "#shared/http";
import type { Caller } from "#shared/identity";
import { type PreparedSubmission, prepareSubmission, type SubmitDeps, settleSubmission } from "./submit-task";
import type { Task } from "./task";
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

/** Writes many new tasks in few calls; answers, per task in order, whether it was created (false: its id was taken). */
export interface BatchTaskWriter {
  createAll(tasks: readonly Task[]): Promise<boolean[]>;
}

type ItemResult = z.infer<typeof BatchItemResult>;
type NewSubmission = Exclude<PreparedSubmission, { replayed: unknown }>;

/**
 * Submits up to 100 tasks: each is validated and prepared on its own, ten at a time, so one bad
 * item never fails the others; then every new task is written at once (`createAll`: one
 * transactional write per 100 tasks instead of one write per task, ADR 0018). Results come back
 * in input order.
 */
export async function submitBatch(
  items: readonly unknown[],
  caller: Caller,
  deps: SubmitDeps & { readonly writer: BatchTaskWriter },
): Promise<SubmitBatchResponse> {
  const prepared = await mapWithConcurrency(items, 10, async (item, index): Promise<ItemResult | NewSubmission> => {
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
      const submission = await prepareSubmission(request.data, caller, deps);
      if (!("replayed" in submission)) return submission;
      return { index, status: 200, task: toTaskView(submission.replayed.task) };
    } catch (error) {
      return refusal(index, error);
    }
  });
  const steps = prepared.map((result) => {
    // Anything but a domain error is a bug or an outage: fail the request, hiding nothing.
    if (result.status === "rejected") throw result.reason;
    return result.value;
  });
  const fresh = steps.flatMap((step, index) => ("task" in step && !("index" in step) ? [{ index, step }] : []));
  const created = fresh.length > 0 ? await deps.writer.createAll(fresh.map(({ step }) => step.task)) : [];
  const settledFresh = new Map<number, ItemResult>();
  await Promise.all(
    fresh.map(async ({ index, step }, n) => {
      try {
        const { task, created: isNew } = await settleSubmission(step, created[n] ?? false, deps);
        settledFresh.set(index, { index, status: isNew ? 201 : 200, task: toTaskView(task) });
      } catch (error) {
        settledFresh.set(index, refusal(index, error));
      }
    }),
  );
  const results = steps.map((step, index) => settledFresh.get(index) ?? (step as ItemResult));
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

/** A domain error as the item's result; anything else is rethrown. */
function refusal(index: number, error: unknown): ItemResult {
  if (!(error instanceof DomainError)) throw error;
  return {
    index,
    status: error.status,
    error: { code: error.code, message: error.message, ...(error.fields.length ? { fields: [...error.fields] } : {}) },
  };
}
