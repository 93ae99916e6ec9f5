import * as z from "zod";
import { AgentType } from "#kernel/agent-catalog";
import { TaskSummary } from "./task";
import { Priority, TaskStatus } from "#kernel/task-vocabulary";

/** What a task list is ordered by: creation (newest first), last change (latest first), or priority (most urgent first, newest first within one). */
export const TaskSortField = z.enum(["created", "updated", "priority"]);
/** `desc`: the natural order above; `asc`: the reverse. */
export const SortOrder = z.enum(["desc", "asc"]);

export interface TaskSort {
  readonly by: z.infer<typeof TaskSortField>;
  readonly order: z.infer<typeof SortOrder>;
}

/** The query of `GET /api/tasks`: filters narrow the list; `cursor` continues a previous page. */
export const TaskListQuery = z
  .object({
    status: TaskStatus.optional(),
    agentType: AgentType.optional(),
    priority: Priority.optional(),
    sort: TaskSortField.default("created"),
    order: SortOrder.default("desc"),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().min(1).max(2_048).optional(),
  })
  .strict();

/** The query of `GET /api/tasks/dead-letters`. */
export const DeadLetterListQuery = TaskListQuery.omit({ status: true });

const RANK: Readonly<Record<Priority, number>> = { critical: 3, high: 2, normal: 1, low: 0 };

/**
 * The sort key of `sort=priority`: the most urgent priority sorts highest, and within one
 * priority the newest, so a descending read gives critical-newest first.
 */
export const priorityOrderKey = (task: Pick<TaskSummary, "priority" | "createdAt">): string =>
  `${RANK[task.priority]}#${task.createdAt}`;

/** The order a sort means, as a comparator (what the indexes give, for in-memory lists and tests). */
export function taskOrder(sort: TaskSort): (a: TaskSummary, b: TaskSummary) => number {
  const key = (t: TaskSummary) =>
    sort.by === "created" ? t.createdAt : sort.by === "updated" ? t.updatedAt : priorityOrderKey(t);
  const direction = sort.order === "desc" ? -1 : 1;
  return (a, b) => direction * (key(a).localeCompare(key(b)) || a.taskId.localeCompare(b.taskId));
}

/** A page of task summaries, in the order asked (newest first unless said otherwise). */
export const TaskPage = z
  .object({
    items: z.array(TaskSummary),
    /** Opaque; pass it back as `cursor` for the next page. Absent on the last page. */
    nextCursor: z.string().optional(),
  })
  .meta({ id: "TaskPage" });

/**
 * A page of `GET /api/tasks`, with how many tasks match its filters in all. The total is cheap
 * because it is read from the counters every status change already moves (one row per agent
 * type), never counted by scanning; like them it follows the tasks by the relay's delay.
 */
export const TaskListPage = TaskPage.extend({
  /** Tasks matching `status`, `agentType` and `priority` (all tasks when none is given). */
  total: z.number().int().min(0),
}).meta({ id: "TaskListPage" });
