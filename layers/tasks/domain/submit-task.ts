import type { AgentType, Capability } from "#kernel/agent-catalog";
import type { Clock } from "#shared/clock";
import { ConflictError, PayloadTooLargeError } from "#shared/errors";
import type { Caller } from "#shared/identity";
import { deterministicId, fingerprint, newId } from "#shared/ids";
import type { TaskStore } from "./ports";
import { type SubmitTaskRequest, servingTypes, type Task } from "./task";
import { requireSubmitter } from "./task-submitters";

export interface SubmitLimits {
  /** Largest accepted `payload`, in bytes of its JSON encoding. */
  readonly maxPayloadBytes: number;
  /** A queued task not started within this long expires. */
  readonly queuedTtlSeconds: number;
}

/** Picks the agent type for a task that named a capability (see `scheduling.ts`). */
export interface AgentTypeChooser {
  /** One of `candidates` (the types with the capability that run the task's type), chosen by the strategy. */
  choose(capability: Capability, candidates: readonly AgentType[]): Promise<AgentType>;
}

/** Refuses work for an agent type whose queue is full (`QueueFullError`, 429). */
export interface QueueAdmission {
  admit(agentType: AgentType): Promise<void>;
}

export interface SubmitDeps {
  readonly store: TaskStore;
  readonly clock: Clock;
  readonly limits: SubmitLimits;
  readonly chooser: AgentTypeChooser;
  readonly admission: QueueAdmission;
  /** The stage lets admins submit the diagnostics task types (the stage config's `diagnosticTasks`). */
  readonly diagnosticsEnabled: boolean;
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
 * the same request returns the first task and stores nothing — even when the queue has since
 * filled up; the same key with a different request is refused with 409. A task type the caller
 * does not own is refused first (`TaskTypeForbiddenError`, 403).
 *
 * @example
 * const { task, created } = await submitTask(request, caller, deps);
 */
export async function submitTask(request: SubmitTaskRequest, caller: Caller, deps: SubmitDeps): Promise<SubmitResult> {
  const prepared = await prepareSubmission(request, caller, deps);
  if ("replayed" in prepared) return prepared.replayed;
  return settleSubmission(prepared, await deps.store.create(prepared.task), deps);
}

/** A submission checked and built, before its row is written: a new task, or the replay of an earlier one. */
export type PreparedSubmission =
  | { readonly replayed: SubmitResult }
  | { readonly task: Task; readonly requestFingerprint: string; readonly idempotencyKey?: string };

/**
 * Everything a submission does before it writes: the payload limit, the replay of an earlier
 * task with the same idempotency key, the agent type (chosen by capability) and admission. The
 * write is the caller's, one at a time (`submitTask`) or many in one call (`submitBatch`).
 */
export async function prepareSubmission(
  request: SubmitTaskRequest,
  caller: Caller,
  deps: SubmitDeps,
): Promise<PreparedSubmission> {
  // Before the idempotency lookup: a replayed key must not tell a caller what another's task was.
  requireSubmitter(request.type, caller, deps);
  const payloadBytes = Buffer.byteLength(JSON.stringify(request.payload), "utf8");
  if (payloadBytes > deps.limits.maxPayloadBytes) {
    throw new PayloadTooLargeError("payload", payloadBytes, deps.limits.maxPayloadBytes);
  }
  const { idempotencyKey, agentType: requestedType, capability, ...work } = request;
  const requestFingerprint = fingerprint({ ...work, agentType: requestedType, capability });
  const taskId = replayableIdOf(request, caller) ?? newId();

  if (idempotencyKey) {
    const existing = await deps.store.get(taskId);
    if (existing) return { replayed: replayOf(existing, requestFingerprint, idempotencyKey) };
  }

  const agentType = requestedType ?? (await deps.chooser.choose(capability as Capability, servingTypes(request)));
  await deps.admission.admit(agentType);
  const now = deps.clock.now();
  const at = now.toISOString();
  const task: Task = {
    taskId,
    ...work,
    agentType,
    ...(capability ? { capability } : {}),
    ...(idempotencyKey ? { idempotencyKey } : {}),
    requestFingerprint,
    submittedBy: caller.sub,
    status: "queued",
    attempt: 1,
    attemptsAllowed: 1 + work.maxRetries,
    version: 1,
    createdAt: at,
    updatedAt: at,
    queuedAt: at,
    availableAt: at,
    expiresAt: new Date(now.getTime() + deps.limits.queuedTtlSeconds * 1_000).toISOString(),
  };
  return { task, requestFingerprint, ...(idempotencyKey ? { idempotencyKey } : {}) };
}

/** The id a request with an idempotency key always gets (the caller's and the key's); none without a key. */
export const replayableIdOf = (request: Pick<SubmitTaskRequest, "idempotencyKey">, caller: Caller): string | undefined =>
  request.idempotencyKey ? deterministicId("task", caller.sub, request.idempotencyKey) : undefined;

/**
 * The outcome of a prepared submission once its write answered: created, or — the id was
 * taken, by a concurrent request with the same key — the replay of the task that won.
 */
export async function settleSubmission(
  prepared: Exclude<PreparedSubmission, { replayed: SubmitResult }>,
  created: boolean,
  deps: Pick<SubmitDeps, "store">,
): Promise<SubmitResult> {
  const { task, requestFingerprint, idempotencyKey } = prepared;
  if (created) return { task, created: true };
  const existing = await deps.store.get(task.taskId);
  if (!existing) throw new Error(`task ${task.taskId} was refused as a duplicate but cannot be read`);
  return replayOf(existing, requestFingerprint, idempotencyKey ?? "");
}

function replayOf(existing: Task, requestFingerprint: string, idempotencyKey: string): SubmitResult {
  if (existing.requestFingerprint !== requestFingerprint) {
    throw new ConflictError("IdempotencyKeyReused", `idempotencyKey ${idempotencyKey} was already used for a different request`);
  }
  return { task: existing, created: false };
}
