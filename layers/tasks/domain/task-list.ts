import * as z from "zod";
import { AgentType } from "#kernel/agent-catalog";
import { TaskSummary } from "./task";
import { Priority, TaskStatus } from "#kernel/task-vocabulary";

/** The query of `GET /api/tasks`: filters narrow the list; `cursor` continues a previous page. */
export const TaskListQuery = z
  .object({
    status: TaskStatus.optional(),
    agentType: AgentType.optional(),
    priority: Priority.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().min(1).max(2_048).optional(),
  })
  .strict();

/** The query of `GET /api/tasks/dead-letters`. */
export const DeadLetterListQuery = TaskListQuery.omit({ status: true });

/** A page of task summaries, newest first. */
export const TaskPage = z
  .object({
    items: z.array(TaskSummary),
    /** Opaque; pass it back as `cursor` for the next page. Absent on the last page. */
    nextCursor: z.string().optional(),
  })
  .meta({ id: "TaskPage" });
