import type { Logger } from "@aws-lambda-powertools/logger";
import type { Clock } from "#shared/clock";
import type { ReceivedWork, TaskStore, WorkSource } from "#tasks/domain/ports";
import { PriorityPollOrder } from "#tasks/domain/priority-polling";
import { type Task } from "#tasks/domain/task";
import { IllegalTransitionError, planTransition, type RetryPolicy, type TaskEvent } from "#tasks/domain/task-state-machine";
import { WorkMessage } from "#tasks/domain/work-message";
import { type HandlerRegistry, NonRetryableTaskError } from "../runtime/task-handler";
import type { JsonObject } from "#kernel/json";
import { PRIORITIES, type Priority, type TaskError } from "#kernel/task-vocabulary";

export interface AgentRuntimeOptions {
  readonly agentId: string;
  readonly agentType: string;
  /** Tasks run at once at most: what the agent's container is sized for (the tuned value stays within it). */
  readonly maxConcurrentTasks: number;
  /** How often a running task's claim is renewed and its message kept invisible. */
  readonly heartbeatIntervalMs: number;
  /** How long a claim holds without a heartbeat; then the task is timed out and retried elsewhere. */
  readonly leaseSeconds: number;
  /** Deliveries before SQS dead-letters a message (the queues' maxReceiveCount). */
  readonly maxReceiveCount: number;
  readonly retryPolicy: RetryPolicy;
  /** The queues' visibility timeout: how long each extension keeps a message hidden. */
  readonly visibilityTimeoutSeconds: number;
  /** Longest single wait for new work when idle; also bounds how long `stop()` waits for a poll. */
  readonly longPollSeconds: number;
  /** Largest result a task may return, in bytes of JSON. */
  readonly maxResultBytes: number;
}

/** Told what the runtime does, for the heartbeat's workload and ECS scale-in protection. */
export interface RuntimeObserver {
  taskFinished(outcome: "completed" | "failed"): void;
  busyChanged(busy: boolean): void;
}

/** The tuned values the runtime runs on, read anew each time they matter (the runtime-settings document). */
export interface RuntimeTuning {
  /** Tasks to run at once now. */
  maxConcurrentTasks(): number;
  /** The backoff base for the next failed attempt. */
  retryBaseDelaySeconds(): number;
}

export interface AgentRuntimeDeps {
  readonly source: WorkSource;
  readonly store: TaskStore;
  readonly handlers: HandlerRegistry;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly observer?: RuntimeObserver;
  /** Tuned concurrency and backoff. @default the options' values */
  readonly tuning?: RuntimeTuning;
}

/** What happened to one received message, for logs and tests. */
export type WorkOutcome =
  | "completed"
  | "failed"
  | "refused" // the task had moved on (duplicate or stale delivery, cancelled, expired); the message was deleted
  | "poison" // unreadable, or names no task; released toward the dead-letter queue
  | "unsettled"; // reporting failed; the message was left to reappear (its task dead-lettered on the last delivery)

/** The task ran past its `timeoutSeconds`; retried like any transient failure. */
class TaskTimeoutError extends Error {
  override readonly name = "TaskTimedOut";
}

/** The task was cancelled, or timed out and given to another agent, while it ran here. */
class TaskTakenAwayError extends Error {
  override readonly name = "TaskTakenAway";
  constructor(status: string) {
    super(`the task is ${status}; this agent stopped working on it`);
  }
}

class ResultTooLargeError extends NonRetryableTaskError {
  constructor(bytes: number, limit: number) {
    super(`the result is ${bytes} bytes; the limit is ${limit}`, "ResultTooLarge");
  }
}

/**
 * The agent's work loop. It takes work by weighted priority (see `run`), claims each task with a
 * conditional write (so a duplicate delivery runs nothing twice), runs the handler under the
 * task's timeout while renewing its claim and keeping the message invisible, and reports the
 * result with another conditional write. A renewal that is refused (the task was cancelled or
 * timed out) aborts the handler. Settling the message comes last: a crash before it means a
 * redelivery, never a lost task.
 *
 * @example
 * const runtime = new AgentRuntime(deps, options);
 * const done = runtime.run();
 * process.once("SIGTERM", () => runtime.stop());
 * await done;
 */
export class AgentRuntime {
  /** Received, not yet started (highest priority first). Bounded: see `idlePoll`. */
  private readonly pending: ReceivedWork[] = [];
  private readonly running = new Map<string, { controller: AbortController; done: Promise<WorkOutcome> }>();
  /** Long polls in flight, at most one per priority. */
  private readonly longPolls = new Map<Priority, Promise<void>>();
  private stopping = false;
  private wakeUp: (() => void) | undefined;
  private pendingHeartbeat: NodeJS.Timeout | undefined;
  private readonly pollOrder = new PriorityPollOrder();

  constructor(
    private readonly deps: AgentRuntimeDeps,
    private readonly options: AgentRuntimeOptions,
  ) {}

  get inFlight(): number {
    return this.running.size;
  }

  /**
   * Polls and runs tasks until `stop()`; resolves once in-flight work has settled.
   *
   *   capacity? ──▶ short poll in weighted order (PriorityPollOrder) ──got work──▶ run it
   *                      └─ all empty ─▶ long poll every idle queue at once (one message each);
   *                                      the first to answer wakes the loop, the rest keep waiting
   */
  async run(): Promise<void> {
    const { logger } = this.deps;
    logger.info("agent started", { agentId: this.options.agentId, agentType: this.options.agentType });
    this.pendingHeartbeat = setInterval(() => this.extendPending(), this.options.heartbeatIntervalMs);
    while (!this.stopping) {
      const free = this.concurrency() - this.running.size - this.pending.length;
      if (free <= 0) {
        await this.sleepUntilWoken();
        continue;
      }
      try {
        if (!(await this.shortPoll(free))) {
          this.idlePoll();
          await this.sleepUntilWoken();
        }
      } catch (error) {
        if (this.stopping) break;
        logger.error("polling failed; retrying in a second", { error });
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
    await Promise.all([...this.running.values()].map((entry) => entry.done));
    // Long polls cannot be cut short without stranding what they receive; let them answer.
    await Promise.all(this.longPolls.values());
    clearInterval(this.pendingHeartbeat);
    // Work received but never started goes straight back for another agent.
    await Promise.all(
      this.pending
        .splice(0)
        .map((work) =>
          this.deps.source
            .release(work)
            .catch((error: unknown) => logger.warn("could not release work", { messageId: work.messageId, error })),
        ),
    );
    logger.info("agent stopped", { agentId: this.options.agentId });
  }

  /**
   * Stops taking work. Running tasks get `graceMs` to finish; after that they are aborted
   * and their results reported as failures, so nothing is left running unreported.
   */
  async stop(graceMs = 25_000): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.wake();
    const settled = Promise.all([...this.running.values()].map((entry) => entry.done));
    const timer = setTimeout(() => {
      for (const entry of this.running.values()) entry.controller.abort(new Error("the agent is shutting down"));
    }, graceMs);
    await settled;
    clearTimeout(timer);
  }

  /**
   * One pass over the queues, taking from the first that has work. The lead queue rotates by
   * weight (8:4:2:1), so low-priority work still starts while higher queues are never empty.
   */
  private async shortPoll(free: number): Promise<boolean> {
    for (const priority of this.pollOrder.next()) {
      if (this.longPolls.has(priority)) continue;
      const work = await this.deps.source.receive(priority, { max: free, waitSeconds: 0 });
      if (work.length > 0) {
        this.accept(work);
        return true;
      }
    }
    return false;
  }

  /**
   * Waits on every queue not already waited on, one message each. Whichever answers first
   * wakes the loop; the others keep waiting in the background, so a message that arrives on
   * any priority is picked up at once. This can prefetch at most one message per priority.
   */
  private idlePoll(): void {
    for (const priority of PRIORITIES) {
      if (this.longPolls.has(priority)) continue;
      const poll = this.deps.source
        .receive(priority, { max: 1, waitSeconds: this.options.longPollSeconds })
        .then(
          (work) => this.accept(work),
          (error: unknown) => this.deps.logger.warn("long poll failed", { priority, error }),
        )
        .finally(() => {
          this.longPolls.delete(priority);
          this.wake();
        });
      this.longPolls.set(priority, poll);
    }
  }

  private accept(work: readonly ReceivedWork[]): void {
    if (work.length === 0) return;
    this.pending.push(...work);
    this.pending.sort((a, b) => PRIORITIES.indexOf(a.priority) - PRIORITIES.indexOf(b.priority));
    this.launchPending();
  }

  private launchPending(): void {
    while (!this.stopping && this.pending.length > 0 && this.running.size < this.concurrency()) {
      const work = this.pending.shift() as ReceivedWork;
      const controller = new AbortController();
      if (this.running.size === 0) this.deps.observer?.busyChanged(true);
      const done = this.process(work, controller).finally(() => {
        this.running.delete(work.messageId);
        if (this.running.size === 0) this.deps.observer?.busyChanged(false);
        this.launchPending();
        this.wake();
      });
      this.running.set(work.messageId, { controller, done });
    }
  }

  /** Prefetched messages wait for a free slot; keep them from reappearing meanwhile. */
  private extendPending(): void {
    for (const work of this.pending) {
      this.deps.source.extend(work, this.options.visibilityTimeoutSeconds).catch((error: unknown) => {
        this.deps.logger.warn("could not extend a waiting message", { messageId: work.messageId, error });
      });
    }
  }

  private sleepUntilWoken(): Promise<void> {
    return new Promise((resolve) => {
      this.wakeUp = resolve;
    });
  }

  private wake(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    wakeUp?.();
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
      if (work.receiveCount >= this.options.maxReceiveCount) {
        logger.error("could not settle work on its last delivery; dead-lettering its task", { messageId: work.messageId, error });
        await this.deadLetter(work, error);
      } else {
        logger.error("could not settle work; the message will be delivered again", { messageId: work.messageId, error });
      }
      return "unsettled";
    }
  }

  /** On a message's last delivery, record its task as dead-lettered before SQS moves the message. */
  private async deadLetter(work: ReceivedWork, cause: unknown): Promise<void> {
    const parsed = WorkMessage.safeParse(safeJson(work.body));
    if (!parsed.success) return;
    const { taskId, attempt } = parsed.data;
    const message = `its message could not be processed in ${work.receiveCount} deliveries: ${cause instanceof Error ? cause.message : String(cause)}`;
    try {
      await this.transition(taskId, {
        kind: "dead_letter",
        attempt,
        error: { message: message.slice(0, 4_000), code: "PoisonMessage", retryable: false },
      });
    } catch (error) {
      this.deps.logger.error("could not dead-letter the task either; the DLQ alarm will report the message", { taskId, error });
    }
  }

  private async claim(taskId: string, attempt: number): Promise<Task | "missing" | "refused"> {
    try {
      return await this.transition(taskId, {
        kind: "claim",
        agentId: this.options.agentId,
        attempt,
        leaseSeconds: this.options.leaseSeconds,
      });
    } catch (error) {
      if (!(error instanceof IllegalTransitionError)) throw error;
      if (!error.current) return "missing";
      this.deps.logger.info("not claiming: the task has moved on", { taskId, attempt, status: error.current.status });
      return "refused";
    }
  }

  private async execute(task: Task, work: ReceivedWork, controller: AbortController): Promise<"completed" | "failed"> {
    const { logger } = this.deps;
    const heartbeat = setInterval(() => void this.heartbeat(task, work, controller), this.options.heartbeatIntervalMs);
    const timeout = setTimeout(
      () =>
        controller.abort(
          new TaskTimeoutError(`attempt ${task.attempt} did not finish within its timeout of ${task.timeoutSeconds}s`),
        ),
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
      event = {
        kind: "fail",
        agentId: this.options.agentId,
        attempt: task.attempt,
        attemptsAllowed: task.attemptsAllowed,
        error: taskError(error),
      };
      logger.info("task failed", { taskId: task.taskId, attempt: task.attempt, error: event.error });
    } finally {
      clearInterval(heartbeat);
      clearTimeout(timeout);
    }
    this.deps.observer?.taskFinished(event.kind === "complete" ? "completed" : "failed");
    try {
      const settled = await this.transition(task.taskId, event);
      if (settled.status === "queued")
        logger.info("task will be retried", { taskId: task.taskId, attempt: settled.attempt, availableAt: settled.availableAt });
    } catch (error) {
      if (!(error instanceof IllegalTransitionError)) throw error;
      // Someone else moved the task on (it was cancelled, or timed out and retried): our result is late.
      logger.warn("result refused: the task has moved on", { taskId: task.taskId, reason: error.message });
    }
    return event.kind === "complete" ? "completed" : "failed";
  }

  /**
   * Renews the claim and keeps the message hidden. A refused renewal means the task is no longer
   * ours — cancelled, or timed out and handed to another agent — so the work is aborted.
   */
  private async heartbeat(task: Task, work: ReceivedWork, controller: AbortController): Promise<void> {
    const { logger, source } = this.deps;
    await Promise.all([
      source.extend(work, this.options.visibilityTimeoutSeconds).catch((error: unknown) => {
        logger.warn("could not extend the message's visibility", { taskId: task.taskId, error });
      }),
      this.transition(task.taskId, {
        kind: "heartbeat",
        agentId: this.options.agentId,
        attempt: task.attempt,
        leaseSeconds: this.options.leaseSeconds,
      }).catch((error: unknown) => {
        if (error instanceof IllegalTransitionError) {
          logger.info("aborting: the task is no longer ours", { taskId: task.taskId, reason: error.message });
          controller.abort(new TaskTakenAwayError(error.current?.status ?? "gone"));
        } else {
          logger.warn("could not renew the task's claim", { taskId: task.taskId, error });
        }
      }),
    ]);
  }

  /** Tasks to run at once now: the tuned value, never beyond what the container is sized for, never below one. */
  concurrency(): number {
    const tuned = this.deps.tuning?.maxConcurrentTasks() ?? this.options.maxConcurrentTasks;
    return Math.max(1, Math.min(this.options.maxConcurrentTasks, tuned));
  }

  private transition(taskId: string, event: TaskEvent): Promise<Task> {
    const baseDelaySeconds = this.deps.tuning?.retryBaseDelaySeconds() ?? this.options.retryPolicy.baseDelaySeconds;
    return this.deps.store.apply(
      taskId,
      planTransition(event, { now: this.deps.clock.now(), policy: { ...this.options.retryPolicy, baseDelaySeconds } }),
    );
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
