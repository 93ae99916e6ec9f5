import type { AgentType } from "#kernel/agent-catalog";
import { TaskSummary } from "../domain/task";
import type { Priority } from "#kernel/task-vocabulary";

/**
 * The tasks table's indexes, shared by the CDK (which creates them) and the adapters (which
 * query them). Each list index sorts by `createdAt`, newest first when read backwards.
 *
 *   index           partition      sort          holds
 *   by-status       status         createdAt     every task, by current status
 *   by-agent-type   agentType      createdAt     every task, by agent type
 *   recent          listKey        createdAt     every task (listKey is always "TASK")
 *   queued          queueName      queuedSince   only queued tasks (queuedSince exists only then)
 */
export const TASK_INDEXES = {
  byStatus: { name: "by-status", partitionKey: "status", sortKey: "createdAt" },
  byAgentType: { name: "by-agent-type", partitionKey: "agentType", sortKey: "createdAt" },
  recent: { name: "recent", partitionKey: "listKey", sortKey: "createdAt" },
  queued: { name: "queued", partitionKey: "queueName", sortKey: "queuedSince" },
} as const;

export const LIST_KEY = "TASK";

export const queueNameOf = (agentType: AgentType, priority: Priority) => `${agentType}#${priority}`;

/**
 * What the list indexes carry besides the table key: a task's summary, never its payload or
 * result, so listing stays cheap whatever the tasks hold.
 */
export const SUMMARY_ATTRIBUTES = Object.keys(TaskSummary.shape).filter((name) => name !== "taskId");
