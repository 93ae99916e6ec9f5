import * as z from "zod";
import { AgentType } from "#core/agents/domain/agent-types";

export const PRIORITIES = ["critical", "high", "normal", "low"] as const;
export const Priority = z.enum(PRIORITIES);
export type Priority = z.infer<typeof Priority>;

export const TASK_STATUSES = [
  "queued",
  "running",
  "completed",
  "failed",
  "cancelled",
  "timed_out",
  "dead_lettered",
  "expired",
] as const;
export const TaskStatus = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof TaskStatus>;

/** Statuses a task never leaves. */
export const TERMINAL_STATUSES: ReadonlySet<TaskStatus> = new Set([
  "completed",
  "failed",
  "cancelled",
  "dead_lettered",
  "expired",
]);

/** Any JSON value. */
export const JsonValue = z.json();
/** A JSON object: what a task carries to its agent and what the agent returns. */
export const JsonObject = z.record(z.string(), JsonValue);
export type JsonObject = z.infer<typeof JsonObject>;

export const TaskError = z
  .object({
    message: z.string().min(1).max(4_000),
    code: z.string().max(128).optional(),
    retryable: z.boolean().default(true),
  })
  .strict();
export type TaskError = z.infer<typeof TaskError>;

/** Task type names: lower-case words joined by `.`, `-` or `_`, e.g. `feed.fetch`. */
export const TaskType = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9]*([._-][a-z0-9]+)*$/, "must be lower-case words joined by '.', '-' or '_'");

export const TIMEOUT_SECONDS = { min: 1, max: 3_600, default: 300 } as const;
export const MAX_RETRIES = { min: 0, max: 10, default: 3 } as const;

/** The body of `POST /api/tasks`. Unknown fields are refused, not ignored. */
export const SubmitTaskRequest = z
  .object({
    type: TaskType,
    agentType: AgentType,
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
  .strict();
export type SubmitTaskRequest = z.infer<typeof SubmitTaskRequest>;

/** A unit of work and everything known about its life so far. */
export const Task = z.object({
  taskId: z.string().min(1),
  type: TaskType,
  agentType: AgentType,
  priority: Priority,
  payload: JsonObject,
  timeoutSeconds: z.number().int(),
  maxRetries: z.number().int(),
  idempotencyKey: z.string().optional(),
  /** Hash of the submitted request, to tell a replay from a reuse of the same key. */
  requestFingerprint: z.string(),
  submittedBy: z.string(),
  status: TaskStatus,
  /** 1 for the first run, incremented by each retry. */
  attempt: z.number().int().min(1),
  /** Incremented by every write; readers can detect change. */
  version: z.number().int().min(1),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  queuedAt: z.iso.datetime(),
  startedAt: z.iso.datetime().optional(),
  finishedAt: z.iso.datetime().optional(),
  agentId: z.string().optional(),
  result: JsonObject.optional(),
  error: TaskError.optional(),
});
export type Task = z.infer<typeof Task>;

/** What the API shows of a task: everything but its internal bookkeeping. */
export const TaskView = Task.omit({ requestFingerprint: true });
export type TaskView = z.infer<typeof TaskView>;

export function toTaskView(task: Task): TaskView {
  const { requestFingerprint: _fingerprint, ...view } = task;
  return view;
}
