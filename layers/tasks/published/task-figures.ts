import type { SQSClient } from "@aws-sdk/client-sqs";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { AGENT_TYPES, type AgentType } from "#kernel/agent-catalog";
import type { QueueRow } from "#kernel/bus/metrics-snapshot";
import { DynamoDbTaskQuery } from "../adapters/dynamodb-task-query";
import { DynamoDbTaskStats } from "../adapters/dynamodb-task-stats";
import type { QueueUrls } from "./queue-urls";
import { SqsQueueDepths } from "../adapters/sqs-queue-depths";
import type { TaskStatsStore } from "../domain/ports";
import { queueView } from "../domain/queue-view";
import {
  readTaskStatus,
  type TaskStatusView,
  type TypeOutcomes,
  type TypeTaskFigures,
  typeFiguresOf,
  typeOutcomesOf,
} from "../domain/task-stats";

export type { TaskStatusView, TypeOutcomes, TypeTaskFigures };

/** What other contexts may read of the tasks: each agent type's backlog, outcomes and timings. */
export interface TaskFigures {
  byType(): Promise<Record<AgentType, TypeTaskFigures>>;
  /**
   * An agent type's outcomes in the whole minutes from `from` through `to` (counted per minute,
   * so a window is rounded out to the minutes it touches; kept two hours).
   */
  outcomes(agentType: AgentType, from: Date, to: Date): Promise<TypeOutcomes>;
}

/** The task views `GET /api/tasks/status` and `GET /api/tasks/queue` show, for the metrics snapshot. */
export interface TaskViews {
  status(now: Date): Promise<TaskStatusView>;
  queues(now: Date): Promise<QueueRow[]>;
}

/**
 * Task figures read from the counters table.
 *
 * @example
 * const load = (await taskFigures(db, env.TASK_STATS_TABLE).byType())["data-quality"].queued;
 */
export function taskFigures(db: DynamoDBDocumentClient, statsTable: string): TaskFigures {
  return taskFiguresFrom(new DynamoDbTaskStats(db, statsTable));
}

/** Task figures over any counters store (the table's, or an in-memory one in tests). */
export function taskFiguresFrom(stats: TaskStatsStore): TaskFigures {
  return {
    async byType() {
      const rows = await stats.byType();
      return Object.fromEntries(AGENT_TYPES.map((type) => [type, typeFiguresOf(rows[type])])) as Record<
        AgentType,
        TypeTaskFigures
      >;
    },
    async outcomes(agentType, from, to) {
      const count = Math.max(1, Math.floor(to.getTime() / 60_000) - Math.floor(from.getTime() / 60_000) + 1);
      return typeOutcomesOf(agentType, await stats.lastMinutes(count, to));
    },
  };
}

/** The status and queue views, read as their routes read them. */
export function taskViews(options: {
  readonly db: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  readonly tasksTable: string;
  readonly statsTable: string;
  readonly queueUrls: QueueUrls;
}): TaskViews {
  const stats = new DynamoDbTaskStats(options.db, options.statsTable);
  const query = new DynamoDbTaskQuery(options.db, options.tasksTable);
  const inspector = new SqsQueueDepths(options.sqs, options.queueUrls);
  return {
    status: (now) => readTaskStatus(stats, now),
    queues: (now) => queueView({ inspector, query, now }),
  };
}
