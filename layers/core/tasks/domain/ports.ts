import type { Priority, Task } from "./task";
import type { TransitionPlan } from "./task-state-machine";
import type { WorkMessage } from "./work-message";

/** Where tasks live. Every write is conditional; none overwrites another's change. */
export interface TaskStore {
  /** Stores a new task; answers false, writing nothing, when the id is taken. */
  create(task: Task): Promise<boolean>;
  get(taskId: string): Promise<Task | undefined>;
  /**
   * Applies a transition atomically and returns the task as written.
   * @throws IllegalTransitionError when the stored task does not permit it (or does not exist).
   */
  apply(taskId: string, plan: TransitionPlan): Promise<Task>;
}

/** The per-agent-type, per-priority queues that carry work to agents. */
export interface WorkQueue {
  send(message: WorkMessage, options?: { delaySeconds?: number }): Promise<void>;
}

/** A message taken from a work queue, invisible to other consumers until released or expired. */
export interface ReceivedWork {
  readonly messageId: string;
  readonly body: string;
  readonly receiptHandle: string;
  readonly priority: Priority;
  /** Deliveries so far, including this one. */
  readonly receiveCount: number;
}

/** The consumer side of one agent type's priority queues. */
export interface WorkSource {
  /** Up to `max` messages from one priority's queue, waiting at most `waitSeconds` for one to arrive. */
  receive(priority: Priority, options: { max: number; waitSeconds: number; signal?: AbortSignal }): Promise<ReceivedWork[]>;
  /** Done with it, for good: delete the message. */
  acknowledge(work: ReceivedWork): Promise<void>;
  /** Give it back now, for another delivery (counts toward the dead-letter limit). */
  release(work: ReceivedWork): Promise<void>;
  /** Keep it invisible for another `seconds` while work on it goes on. */
  extend(work: ReceivedWork, seconds: number): Promise<void>;
}
