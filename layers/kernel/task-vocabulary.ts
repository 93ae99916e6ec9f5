import * as z from "zod";

/** The four priorities every agent type has a queue for, most urgent first. */
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

/** How an attempt failed, as the agent (or the orchestrator) reports it. */
export const TaskError = z
  .object({
    message: z.string().min(1).max(4_000),
    code: z.string().max(128).optional(),
    retryable: z.boolean().default(true),
  })
  .strict();
export type TaskError = z.infer<typeof TaskError>;

/** A task's time limit per attempt, in seconds. */
export const TIMEOUT_SECONDS = { min: 1, max: 3_600, default: 300 } as const;
/** Retries after the first attempt. */
export const MAX_RETRIES = { min: 0, max: 10, default: 3 } as const;
