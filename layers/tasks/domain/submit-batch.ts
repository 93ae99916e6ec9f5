import * as z from "zod";
import { mapWithConcurrency } from "#shared/concurrency";
import { DomainError } from "#shared/errors";
import { ErrorResponse } from "#shared/http";
import type { Caller } from "#shared/identity";
import type { TaskStore } from "./ports";
import {
  type PreparedSubmission,
  prepareSubmission,
  type QueueAdmission,
  replayableIdOf,
  type SubmitDeps,
  settleSubmission,
} from "./submit-task";
import type { Task } from "./task";
import type { TransitionPlan } from "./task-state-machine";
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

/** Reads many tasks in few calls; ids with no task are absent from the answer. */
export interface BatchTaskReader {
  getAll(taskIds: readonly string[]): Promise<Map<string, Task>>;
}

export interface SubmitBatchDeps extends SubmitDeps {
  readonly writer: BatchTaskWriter;
  readonly reader: BatchTaskReader;
  /**
   * An admission for one batch: each agent type's counters read once, and the batch's own
   * tasks counted as queued as they are admitted (one reading per type, not two per task).
   */
  readonly batchAdmission: () => QueueAdmission;
}

/**
 * A task store whose reads of `known` ids answer from one batch read made beforehand: the
 * replay lookups of a batch cost one request instead of one per item. Other calls go through.
 */
class PrefetchedTaskStore implements TaskStore {
  constructor(
    private readonly store: TaskStore,
    private readonly read: ReadonlySet<string>,
    private readonly found: ReadonlyMap<string, Task>,
  ) {}
  create(task: Task) {
    return this.store.create(task);
  }
  async get(taskId: string) {
    return this.read.has(taskId) ? this.found.get(taskId) : this.store.get(taskId);
  }
  apply(taskId: string, plan: TransitionPlan) {
    return this.store.apply(taskId, plan);
  }
}

type ItemResult = z.infer<typeof BatchItemResult>;
type NewSubmission = Exclude<PreparedSubmission, { replayed: unknown }>;

/**
 * Submits up to 100 tasks: each is validated and prepared on its own, so one bad item never
 * fails the others; then every new task is written at once (`createAll`: one transactional
 * write per 100 tasks instead of one write per task, ADR 0018). What preparing reads is read
 * for the whole batch: earlier tasks of the items' idempotency keys in one `getAll`, each agent
 * type's counters once (`batchAdmission`). Results come back in input order.
 */
export async function submitBatch(
  items: readonly unknown[],
  caller: Caller,
  deps: SubmitBatchDeps,
): Promise<SubmitBatchResponse> {
  const replayable = new Set(
    items.flatMap((item) => {
      const request = SubmitTaskRequest.safeParse(item);
      const id = request.success ? replayableIdOf(request.data, caller) : undefined;
      return id ? [id] : [];
    }),
  );
  const earlier = replayable.size > 0 ? await deps.reader.getAll([...replayable]) : new Map<string, Task>();
  const preparing: SubmitDeps = {
    ...deps,
    store: new PrefetchedTaskStore(deps.store, replayable, earlier),
    admission: deps.batchAdmission(),
  };
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
      const submission = await prepareSubmission(request.data, caller, preparing);
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
