import type { Task } from "./task";
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
