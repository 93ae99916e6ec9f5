import type { AgentType } from "#kernel/agent-catalog";
import type { TaskFilter, TaskPage, TaskQuery, TaskStore } from "#tasks/domain/ports";
import { type Task, TaskSummary } from "#tasks/domain/task";
import { applyPlan, IllegalTransitionError, type TransitionPlan } from "#tasks/domain/task-state-machine";
import type { Priority } from "#kernel/task-vocabulary";
import { type TaskSort, taskOrder } from "#tasks/domain/task-list";

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

  /** Many creates as one write (what `writes` records as `create-all`), each refused alone when its id is taken. */
  async createAll(tasks: readonly Task[]): Promise<boolean[]> {
    this.batchWrites++;
    return tasks.map((task) => {
      if (this.tasks.has(task.taskId)) return false;
      this.tasks.set(task.taskId, structuredClone(task));
      return true;
    });
  }

  /** Calls to `createAll`. */
  batchWrites = 0;

  /** Many reads as one (what `batchReads` counts). */
  async getAll(taskIds: readonly string[]): Promise<Map<string, Task>> {
    this.batchReads++;
    return new Map(
      taskIds.flatMap((id) => (this.tasks.has(id) ? [[id, structuredClone(this.tasks.get(id) as Task)] as const] : [])),
    );
  }

  /** Calls to `getAll`. */
  batchReads = 0;
  /** Calls to `get`. */
  reads = 0;

  async get(taskId: string): Promise<Task | undefined> {
    this.reads++;
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

/** TaskQuery over an in-memory store: newest first, the cursor is an offset. */
export class InMemoryTaskQuery implements TaskQuery {
  constructor(private readonly store: InMemoryTaskStore) {}

  async list(filter: TaskFilter, page: { limit: number; cursor?: string; sort?: TaskSort }): Promise<TaskPage> {
    const matching = [...this.store.tasks.values()]
      .filter(
        (t) =>
          (!filter.status || t.status === filter.status) &&
          (!filter.agentType || t.agentType === filter.agentType) &&
          (!filter.priority || t.priority === filter.priority),
      )
      .sort(taskOrder(page.sort ?? { by: "created", order: "desc" }));
    const start = Number(page.cursor ?? 0);
    const items = matching.slice(start, start + page.limit).map((task) => TaskSummary.parse(task));
    return { items, ...(start + page.limit < matching.length ? { nextCursor: String(start + page.limit) } : {}) };
  }

  async oldestQueuedAt(agentType: AgentType, priority: Priority): Promise<string | undefined> {
    return [...this.store.tasks.values()]
      .filter((t) => t.status === "queued" && t.agentType === agentType && t.priority === priority)
      .map((t) => t.queuedAt)
      .sort()[0];
  }
}
