import * as z from "zod";
import { AGENT_TYPE_SPECS, AgentType, agentTypesWith, Capability, serves } from "#kernel/agent-catalog";
import { JsonObject } from "#kernel/json";
import { MAX_RETRIES, Priority, TaskError, TaskStatus, TIMEOUT_SECONDS } from "#kernel/task-vocabulary";

/** Statuses in which a task's work is over: it cannot be cancelled, and runs no more. */
export const FINISHED_STATUSES: ReadonlySet<TaskStatus> = new Set([
  "completed",
  "failed",
  "cancelled",
  "dead_lettered",
  "expired",
]);

/** Finished statuses a task never leaves (a dead-lettered task can still be redriven). */
export const TERMINAL_STATUSES: ReadonlySet<TaskStatus> = new Set(["completed", "failed", "cancelled", "expired"]);

/** Task type names: lower-case words joined by `.`, `-` or `_`, e.g. `feed.fetch`. */
export const TaskType = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9]*([._-][a-z0-9]+)*$/, "must be lower-case words joined by '.', '-' or '_'");

/** What picks the agent types that could run a task. */
interface TaskTarget {
  readonly type: string;
  readonly agentType?: AgentType;
  readonly capability?: Capability;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The agent types that could run a task of this request: the one it names, if that type runs its
 * task type, or those with the capability it names that do.
 */
export function servingTypes(request: TaskTarget): AgentType[] {
  const candidates = request.agentType ? [request.agentType] : request.capability ? agentTypesWith(request.capability) : [];
  return candidates.filter((agentType) => serves(agentType, request.type));
}

function notServedMessage(request: TaskTarget): string {
  if (request.agentType) {
    return `${request.agentType} does not run "${request.type}"; it runs ${AGENT_TYPE_SPECS[request.agentType].taskTypes.join(", ")}`;
  }
  const types = request.capability ? agentTypesWith(request.capability) : [];
  const runs = [...new Set(types.flatMap((type) => AGENT_TYPE_SPECS[type].taskTypes))];
  return `no agent type with capability "${request.capability}" runs "${request.type}"; they run ${runs.join(", ")}`;
}

/**
 * The body of `POST /api/tasks`. Unknown fields are refused, not ignored. A task names the
 * agent type that runs it, or a capability, and the scheduling strategy picks the type.
 */
export const SubmitTaskRequest = z
  .object({
    type: TaskType,
    agentType: AgentType.optional(),
    capability: Capability.optional(),
    priority: Priority.default("normal"),
    payload: JsonObject.default({}),
    timeoutSeconds: z.number().int().min(TIMEOUT_SECONDS.min).max(TIMEOUT_SECONDS.max).default(TIMEOUT_SECONDS.default),
    maxRetries: z.number().int().min(MAX_RETRIES.min).max(MAX_RETRIES.max).default(MAX_RETRIES.default),
    idempotencyKey: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces")
      .optional(),
  })
  .strict()
  // Checks across fields run even when other fields are bad (`when`), so one answer names every problem.
  .refine((request) => (request.agentType === undefined) !== (request.capability === undefined), {
    path: ["agentType"],
    when: (payload) => isRecord(payload.value),
    error: (issue) =>
      isRecord(issue.input) && issue.input.agentType !== undefined
        ? "give agentType or capability, not both"
        : "either agentType or capability is required",
  })
  .refine((request) => servingTypes(request).length > 0, {
    path: ["type"],
    when: (payload) =>
      isRecord(payload.value) &&
      (payload.value.agentType === undefined) !== (payload.value.capability === undefined) &&
      !payload.issues.some((issue) => ["type", "agentType", "capability"].includes(String(issue.path?.[0]))),
    error: (issue) => notServedMessage(issue.input as TaskTarget),
  })
  .meta({ id: "SubmitTaskRequest" });
export type SubmitTaskRequest = z.infer<typeof SubmitTaskRequest>;

/** A unit of work and everything known about its life so far. */
export const Task = z.object({
  taskId: z.string().min(1),
  type: TaskType,
  agentType: AgentType,
  /** Set when the task asked for a capability and the scheduler chose `agentType`. */
  capability: Capability.optional(),
  priority: Priority,
  payload: JsonObject,
  timeoutSeconds: z.number().int(),
  maxRetries: z.number().int(),
  idempotencyKey: z.string().optional(),
  /** Hash of the submitted request, to tell a replay from a reuse of the same key. */
  requestFingerprint: z.string(),
  submittedBy: z.string(),
  status: TaskStatus,
  /** 1 for the first run, incremented by each retry and redrive. */
  attempt: z.number().int().min(1),
  /** The last attempt allowed: 1 + maxRetries, renewed by a redrive. */
  attemptsAllowed: z.number().int().min(1),
  /** Incremented by every write; readers can detect change. */
  version: z.number().int().min(1),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** When the current attempt entered the queue. */
  queuedAt: z.iso.datetime(),
  /** Not to be started before (a retry's backoff). */
  availableAt: z.iso.datetime().optional(),
  /** A queued task not started by then expires. */
  expiresAt: z.iso.datetime().optional(),
  startedAt: z.iso.datetime().optional(),
  /** The running agent's last sign of life, and how long its claim holds without another. */
  heartbeatAt: z.iso.datetime().optional(),
  leaseExpiresAt: z.iso.datetime().optional(),
  timedOutAt: z.iso.datetime().optional(),
  finishedAt: z.iso.datetime().optional(),
  agentId: z.string().optional(),
  result: JsonObject.optional(),
  /** The most recent failure; kept after a retry succeeds. */
  error: TaskError.optional(),
  cancelledBy: z.string().optional(),
  /** Who last put the task back on its queue from the dead letters, and when. */
  redrivenBy: z.string().optional(),
  redrivenAt: z.iso.datetime().optional(),
  cancelReason: z.string().max(500).optional(),
});
export type Task = z.infer<typeof Task>;

/** What the API shows of a task: everything but its internal bookkeeping. */
export const TaskView = Task.omit({ requestFingerprint: true }).meta({ id: "TaskView" });
export type TaskView = z.infer<typeof TaskView>;

/**
 * A task's entity tag: its id and the version every write raises, so a GET's `ETag` sent back
 * as `If-Match` names exactly the state the client saw.
 */
export const taskEtag = (task: Pick<Task, "taskId" | "version">): string => `"${task.taskId}.v${task.version}"`;

/** The version a task's entity tag names, if the tag is one of this task's (strong, not `W/`). */
export function versionOfEtag(tag: string, taskId: string): number | undefined {
  const match = /^"(.+)\.v(\d+)"$/.exec(tag);
  return match && match[1] === taskId ? Number(match[2]) : undefined;
}

export function toTaskView(task: Task): TaskView {
  const { requestFingerprint: _fingerprint, ...view } = task;
  return view;
}

/**
 * A task in a list: who, what and where it stands — no payload or result (fetch the task for
 * those). The list indexes carry exactly these fields.
 */
export const TaskSummary = TaskView.pick({
  taskId: true,
  type: true,
  agentType: true,
  capability: true,
  priority: true,
  timeoutSeconds: true,
  maxRetries: true,
  submittedBy: true,
  status: true,
  attempt: true,
  attemptsAllowed: true,
  version: true,
  createdAt: true,
  updatedAt: true,
  queuedAt: true,
  availableAt: true,
  expiresAt: true,
  startedAt: true,
  finishedAt: true,
  agentId: true,
  error: true,
  cancelReason: true,
});
export type TaskSummary = z.infer<typeof TaskSummary>;
