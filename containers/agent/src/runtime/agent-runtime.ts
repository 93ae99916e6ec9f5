import type { Logger } from "@aws-lambda-powertools/logger";
import type { Clock } from "#core/shared/clock";
import type { ReceivedWork, TaskStore, WorkSource } from "#core/tasks/domain/ports";
import { type JsonObject, PRIORITIES, type Task, type TaskError } from "#core/tasks/domain/task";
import { IllegalTransitionError, planTransition, type TaskEvent } from "#core/tasks/domain/task-state-machine";
import { WorkMessage } from "#core/tasks/domain/work-message";
import { type HandlerRegistry, NonRetryableTaskError } from "../handlers/task-handler";

export interface AgentRuntimeOptions {
  readonly agentId: string;
  readonly agentType: string;
  /** Tasks run at once. */
  readonly maxConcurrentTasks: number;
  /** How often a running task's message is kept invisible. */
  readonly heartbeatIntervalMs: number;
  /** The queues' visibility timeout: how long each extension keeps a message hidden. */
  readonly visibilityTimeoutSeconds: number;
  /** Longest single wait for new work when idle; also bounds how long `stop()` waits for a poll. */
  readonly longPollSeconds: number;
  /** Largest result a task may return, in bytes of JSON. */
  readonly maxResultBytes: number;
}

export interface AgentRuntimeDeps {
  readonly source: WorkSource;
  readonly store: TaskStore;
  readonly handlers: HandlerRegistry;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** What happened to one received message, for logs and tests. */
export type WorkOutcome =
  | "completed"
  | "failed"
  | "refused" // the task had moved on (duplicate or stale delivery); the message was deleted
  | "poison" // unreadable, or names no task; released toward the dead-letter queue
  | "unsettled"; // reporting failed; the message was left to reappear

class ResultTooLargeError extends NonRetryableTaskError {
  constructor(bytes: number, limit: number) {
    super(`the result is ${bytes} bytes; the limit is ${limit}`, "ResultTooLarge");
  }
}

/**
 * The agent's work loop. It takes work by priority (a pass over critical → low, then an idle
 * long poll on all four), claims each task with a conditional write (so a duplicate delivery
 * runs nothing twice), runs the handler under the task's timeout while keeping the message
 * invisible, and reports the result with another conditional write. Settling the message comes
 * last: a crash before it means a redelivery, never a lost task.
 *
 * @example
 * const runtime = new AgentRuntime(deps, options);
 * const done = runtime.run();
 * process.once("SIGTERM", () => runtime.stop());
 * await done;
 */
export class AgentRuntime {
  private readonly pending: ReceivedWork[] = [];
  private readonly running = new Map<string, { controller: AbortController; done: Promise<WorkOutcome> }>();
  private readonly polling = new AbortController();
  private stopping = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly deps: AgentRuntimeDeps,
    private readonly options: AgentRuntimeOptions,
  ) {}

  get inFlight(): number {
    return this.running.size;
  }

  /** Polls and runs tasks until `stop()`; resolves once in-flight work has settled. */
  async run(): Promise<void> {
    const { logger } = this.deps;
    logger.info("agent started", { agentId: this.options.agentId, agentType: this.options.agentType });
    while (!this.stopping) {
      if (this.running.size + this.pending.length >= this.options.maxConcurrentTasks) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        continue;
      }
      try {
        const free = this.options.maxConcurrentTasks - this.running.size - this.pending.length;
        this.pending.push(...(await this.poll(free)));
        this.pending.sort((a, b) => PRIORITIES.indexOf(a.priority) - PRIORITIES.indexOf(b.priority));
      } catch (error) {
        if (this.stopping) break;
        logger.error("polling failed; retrying in a second", { error });
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
      this.launchPending();
    }
    await Promise.all([...this.running.values()].map((entry) => entry.done));
    // Work received but never started goes straight back for another agent.
    await Promise.all(this.pending.splice(0).map((work) => this.deps.source.release(work).catch(() => undefined)));
    logger.info("agent stopped", { agentId: this.options.agentId });
  }

  /**
   * Stops taking work. Running tasks get `graceMs` to finish; after that they are aborted
   * and their results reported as failures, so nothing is left running unreported.
   */
  async stop(graceMs = 25_000): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.polling.abort(new Error("agent stopping"));
    this.wake?.();
    const settled = Promise.all([...this.running.values()].map((entry) => entry.done));
    const timer = setTimeout(() => {
      for (const entry of this.running.values()) entry.controller.abort(new Error("the agent is shutting down"));
    }, graceMs);
    await settled;
    clearTimeout(timer);
  }

  private async poll(free: number): Promise<ReceivedWork[]> {
    for (const priority of PRIORITIES) {
      const work = await this.deps.source.receive(priority, { max: free, waitSeconds: 0, signal: this.polling.signal });
      if (work.length > 0) return work;
    }
    // Nothing anywhere: wait on all four queues at once, one message each, so whichever
    // priority gets work first is served without waiting out another queue's poll.
    const results = await Promise.allSettled(
      PRIORITIES.map((priority) =>
        this.deps.source.receive(priority, { max: 1, waitSeconds: this.options.longPollSeconds, signal: this.polling.signal }),
      ),
    );
    const received = results.flatMap((result) => (result.status === "fulfilled" ? result.value : []));
    const failure = results.find((result) => result.status === "rejected");
    if (failure && received.length === 0) throw failure.reason;
    return received;
  }

  private launchPending(): void {
    while (this.pending.length > 0 && this.running.size < this.options.maxConcurrentTasks) {
      const work = this.pending.shift() as ReceivedWork;
      const controller = new AbortController();
      const done = this.process(work, controller).finally(() => {
        this.running.delete(work.messageId);
        this.wake?.();
        this.wake = undefined;
      });
      this.running.set(work.messageId, { controller, done });
    }
  }

  /** Handles one message from receipt to settlement. Never throws. */
  async process(work: ReceivedWork, controller = new AbortController()): Promise<WorkOutcome> {
    const { logger, source } = this.deps;
    try {
      const parsed = WorkMessage.safeParse(safeJson(work.body));
      if (!parsed.success || parsed.data.agentType !== this.options.agentType) {
        logger.error("poison message: not a work message for this agent type", {
          messageId: work.messageId,
          receiveCount: work.receiveCount,
        });
        await source.release(work);
        return "poison";
      }
      const message = parsed.data;
      const task = await this.claim(message.taskId, message.attempt);
      if (task === "missing") {
        logger.error("poison message: it names no task", { messageId: work.messageId, taskId: message.taskId });
        await source.release(work);
        return "poison";
      }
      if (task === "refused") {
        await source.acknowledge(work);
        return "refused";
      }
      const outcome = await this.execute(task, work, controller);
      await source.acknowledge(work);
      return outcome;
    } catch (error) {
      logger.error("could not settle work; the message will be delivered again", { messageId: work.messageId, error });
      return "unsettled";
    }
  }

  private async claim(taskId: string, attempt: number): Promise<Task | "missing" | "refused"> {
    try {
      return await this.transition(taskId, { kind: "claim", agentId: this.options.agentId, attempt });
    } catch (error) {
      if (!(error instanceof IllegalTransitionError)) throw error;
      if (!error.current) return "missing";
      this.deps.logger.info("not claiming: the task has moved on", { taskId, attempt, status: error.current.status });
      return "refused";
    }
  }

  private async execute(task: Task, work: ReceivedWork, controller: AbortController): Promise<"completed" | "failed"> {
    const { logger, source } = this.deps;
    const heartbeat = setInterval(() => {
      source.extend(work, this.options.visibilityTimeoutSeconds).catch((error: unknown) => {
        logger.warn("could not extend the message's visibility", { taskId: task.taskId, error });
      });
    }, this.options.heartbeatIntervalMs);
    const timeout = setTimeout(
      () => controller.abort(new Error(`the task did not finish within its timeout of ${task.timeoutSeconds}s`)),
      task.timeoutSeconds * 1_000,
    );
    let event: TaskEvent;
    try {
      const handler = this.deps.handlers[task.type];
      if (!handler)
        throw new NonRetryableTaskError(
          `agent type ${this.options.agentType} has no handler for task type ${task.type}`,
          "UnknownTaskType",
        );
      const result = await abortable(
        handler(task.payload, { signal: controller.signal, agentId: this.options.agentId, task }),
        controller.signal,
      );
      const bytes = Buffer.byteLength(JSON.stringify(result), "utf8");
      if (bytes > this.options.maxResultBytes) throw new ResultTooLargeError(bytes, this.options.maxResultBytes);
      event = { kind: "complete", agentId: this.options.agentId, attempt: task.attempt, result: result as JsonObject };
    } catch (error) {
      event = { kind: "fail", agentId: this.options.agentId, attempt: task.attempt, error: taskError(error) };
      logger.info("task failed", { taskId: task.taskId, error: event.error });
    } finally {
      clearInterval(heartbeat);
      clearTimeout(timeout);
    }
    try {
      await this.transition(task.taskId, event);
    } catch (error) {
      if (!(error instanceof IllegalTransitionError)) throw error;
      // Someone else moved the task on (it was cancelled, or timed out and retried): our result is late.
      logger.warn("result refused: the task has moved on", { taskId: task.taskId, reason: error.message });
    }
    return event.kind === "complete" ? "completed" : "failed";
  }

  private transition(taskId: string, event: TaskEvent): Promise<Task> {
    return this.deps.store.apply(taskId, planTransition(event, this.deps.clock.now()));
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Rejects as soon as `signal` aborts, even if the handler ignores it. */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function taskError(error: unknown): TaskError {
  if (error instanceof NonRetryableTaskError) return { message: error.message, code: error.code, retryable: false };
  const message = error instanceof Error ? error.message : String(error);
  return {
    message: message.slice(0, 4_000) || "unknown error",
    code: error instanceof Error ? error.name : "Error",
    retryable: true,
  };
}
