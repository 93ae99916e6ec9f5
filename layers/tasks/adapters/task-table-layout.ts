import type { AgentType } from "#kernel/agent-catalog";
import { TaskSummary } from "../domain/task";
import type { Priority } from "#kernel/task-vocabulary";

/**
 * The tasks table's indexes, shared by the CDK (which creates them) and the adapters (which
 * query them). Read backwards, each gives newest (greatest) first.
 *
 *   index           partition      sort           holds
 *   by-status       status         createdAt      every task, by current status (summary)
 *   by-agent-type   agentType      createdAt      every task, by agent type (summary)
 *   recent          listKey        createdAt      every task (listKey is always "TASK") (summary)
 *   queued          queueName      queuedSince    only queued tasks (queuedSince exists only then)
 *   recent-updated  listKey        updatedAt      every task, by last change (keys + filters)
 *   by-priority     listKey        priorityOrder  every task, most urgent first (keys + filters)
 */
export const TASK_INDEXES = {
  byStatus: { name: "by-status", partitionKey: "status", sortKey: "createdAt" },
  byAgentType: { name: "by-agent-type", partitionKey: "agentType", sortKey: "createdAt" },
  recent: { name: "recent", partitionKey: "listKey", sortKey: "createdAt" },
  queued: { name: "queued", partitionKey: "queueName", sortKey: "queuedSince" },
  // The sort orders beside creation: keys and the filtered attributes only; a page's summaries
  // come from the table, so a heartbeat's write touches these indexes only through `updatedAt`.
  recentUpdated: { name: "recent-updated", partitionKey: "listKey", sortKey: "updatedAt" },
  byPriority: { name: "by-priority", partitionKey: "listKey", sortKey: "priorityOrder" },
} as const;

/** What the sort indexes project besides their keys: the attributes a list filters on. */
export const FILTER_ATTRIBUTES = ["status", "agentType", "priority"] as const;

export const LIST_KEY = "TASK";

export const queueNameOf = (agentType: AgentType, priority: Priority) => `${agentType}#${priority}`;

/**
 * What the list indexes carry besides the table key: a task's summary, never its payload or
 * result, so listing stays cheap whatever the tasks hold.
 */
export const SUMMARY_ATTRIBUTES = Object.keys(TaskSummary.shape).filter((name) => name !== "taskId");
