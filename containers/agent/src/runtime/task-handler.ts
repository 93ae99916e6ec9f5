import type { Task } from "#tasks/domain/task";
import type { JsonObject } from "#kernel/json";

/** What a handler gets besides the payload. */
export interface TaskContext {
  /** Aborts when the task times out or the agent must stop; handlers must give up promptly. */
  readonly signal: AbortSignal;
  readonly agentId: string;
  readonly task: Task;
}

/** Does one type of task and returns its result as a JSON object. */
export type TaskHandler = (payload: JsonObject, context: TaskContext) => Promise<JsonObject>;

/** A failure that retrying cannot fix (bad input, unknown task type); the task fails at once. */
export class NonRetryableTaskError extends Error {
  constructor(
    message: string,
    readonly code = "NonRetryable",
  ) {
    super(message);
    this.name = "NonRetryableTaskError";
  }
}

/** Handlers by task type. */
export type HandlerRegistry = Readonly<Record<string, TaskHandler>>;
