import type { Clock } from "#core/shared/clock";
import { ConflictError, PayloadTooLargeError } from "#core/shared/errors";
import type { Caller } from "#core/shared/identity";
import { deterministicId, fingerprint, newId } from "#core/shared/ids";
import type { TaskStore } from "./ports";
import type { SubmitTaskRequest, Task } from "./task";

export interface SubmitLimits {
  /** Largest accepted `payload`, in bytes of its JSON encoding. */
  readonly maxPayloadBytes: number;
}

export interface SubmitResult {
  readonly task: Task;
  /** False when the idempotency key named a task submitted earlier. */
  readonly created: boolean;
}

/**
 * Stores a new task as `queued`. Dispatch to its queue follows from the stored change (see
 * `dispatchFor`), so a task is queued exactly when it is stored.
 *
 * With an idempotency key the task id is derived from the caller and the key, so a repeat of
 * the same request returns the first task and stores nothing; the same key with a different
 * request is refused with 409.
 *
 * @example
 * const { task, created } = await submitTask(request, caller, { store, clock, limits });
 */
export async function submitTask(
  request: SubmitTaskRequest,
  caller: Caller,
  deps: { store: TaskStore; clock: Clock; limits: SubmitLimits },
): Promise<SubmitResult> {
  const payloadBytes = Buffer.byteLength(JSON.stringify(request.payload), "utf8");
  if (payloadBytes > deps.limits.maxPayloadBytes) {
    throw new PayloadTooLargeError("payload", payloadBytes, deps.limits.maxPayloadBytes);
  }
  const { idempotencyKey, ...work } = request;
  const requestFingerprint = fingerprint(work);
  const now = deps.clock.now().toISOString();
  const task: Task = {
    taskId: idempotencyKey ? deterministicId("task", caller.sub, idempotencyKey) : newId(),
    ...work,
    ...(idempotencyKey ? { idempotencyKey } : {}),
    requestFingerprint,
    submittedBy: caller.sub,
    status: "queued",
    attempt: 1,
    version: 1,
    createdAt: now,
    updatedAt: now,
    queuedAt: now,
  };
  if (await deps.store.create(task)) return { task, created: true };

  const existing = await deps.store.get(task.taskId);
  if (!existing) throw new Error(`task ${task.taskId} was refused as a duplicate but cannot be read`);
  if (existing.requestFingerprint !== requestFingerprint) {
    throw new ConflictError("IdempotencyKeyReused", `idempotencyKey ${idempotencyKey} was already used for a different request`);
  }
  return { task: existing, created: false };
}
