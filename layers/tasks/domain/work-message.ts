import * as z from "zod";
import { AgentType } from "#kernel/agent-catalog";
import { Priority } from "#kernel/task-vocabulary";

/**
 * What travels on a work queue: a pointer to the task, not the task. The task row stays
 * the single source of truth; `attempt` lets an agent ignore a message left over from an
 * earlier attempt.
 */
export const WorkMessage = z
  .object({
    taskId: z.string().min(1),
    attempt: z.number().int().min(1),
    agentType: AgentType,
    priority: Priority,
  })
  .strict();
export type WorkMessage = z.infer<typeof WorkMessage>;
