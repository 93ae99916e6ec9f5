import type { TaskStore } from "#core/tasks/domain/ports";
import type { Task } from "#core/tasks/domain/task";
import { applyPlan, IllegalTransitionError, type TransitionPlan } from "#core/tasks/domain/task-state-machine";

/** The TaskStore contract in memory: conditional creates and atomic transitions. */
export class InMemoryTaskStore implements TaskStore {
  readonly tasks = new Map<string, Task>();
  readonly writes: { taskId: string; kind: string }[] = [];

  async create(task: Task): Promise<boolean> {
    if (this.tasks.has(task.taskId)) return false;
    this.tasks.set(task.taskId, structuredClone(task));
    this.writes.push({ taskId: task.taskId, kind: "create" });
    return true;
  }

  async get(taskId: string): Promise<Task | undefined> {
    const task = this.tasks.get(taskId);
    return task ? structuredClone(task) : undefined;
  }

  async apply(taskId: string, plan: TransitionPlan): Promise<Task> {
    const current = this.tasks.get(taskId);
    if (!current) throw new IllegalTransitionError(taskId, plan.kind, undefined);
    const next = applyPlan(current, plan);
    this.tasks.set(taskId, next);
    this.writes.push({ taskId, kind: plan.kind });
    return structuredClone(next);
  }
}
