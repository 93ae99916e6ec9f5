import { type DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { AGENT_TYPES } from "#kernel/agent-catalog";
import { PRIORITIES } from "#kernel/task-vocabulary";
import type { QueuedCandidate, StrandedTaskFinder } from "../domain/sweeper";
import { queueNameOf, TASK_INDEXES } from "./task-table-layout";

/**
 * The sweeper's candidates, through the tasks table's indexes (never a scan): queued tasks from
 * the sparse `queued` index, one query per queue (agent type × priority), oldest first; running
 * and timed-out tasks from `by-status`, oldest first. Each query reads at most `limit` keys.
 */
export class DynamoDbStrandedTaskFinder implements StrandedTaskFinder {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async queuedBefore(before: string, limit: number, from?: string): Promise<QueuedCandidate[]> {
    if (limit <= 0) return [];
    // A cursor past the bound (the clock went back) would make BETWEEN refuse the query: start over.
    const lower = from !== undefined && from < before ? from : undefined;
    const queues = AGENT_TYPES.flatMap((agentType) => PRIORITIES.map((priority) => queueNameOf(agentType, priority)));
    const found = await Promise.all(
      queues.map(async (queue) => {
        const { Items } = await this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: TASK_INDEXES.queued.name,
            // BETWEEN is inclusive: the task at the cursor is read again, which is harmless. (A key
            // condition cannot compare with an empty string, so no cursor means no lower bound.)
            ...(lower === undefined
              ? {
                  KeyConditionExpression: "queueName = :queue AND queuedSince < :before",
                  ExpressionAttributeValues: { ":queue": queue, ":before": before },
                }
              : {
                  KeyConditionExpression: "queueName = :queue AND queuedSince BETWEEN :from AND :before",
                  ExpressionAttributeValues: { ":queue": queue, ":from": lower, ":before": before },
                }),
            ScanIndexForward: true,
            Limit: limit,
          }),
        );
        return (Items ?? []).map((item) => ({ taskId: String(item.taskId), queuedSince: String(item.queuedSince) }));
      }),
    );
    return found
      .flat()
      .sort((a, b) => (a.queuedSince < b.queuedSince ? -1 : a.queuedSince > b.queuedSince ? 1 : 0))
      .slice(0, limit);
  }

  async inStatus(status: "running" | "timed_out", limit: number): Promise<string[]> {
    if (limit <= 0) return [];
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: TASK_INDEXES.byStatus.name,
        KeyConditionExpression: "#status = :status",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: { ":status": status },
        ProjectionExpression: "taskId",
        ScanIndexForward: true,
        Limit: limit,
      }),
    );
    return (Items ?? []).map((item) => String(item.taskId));
  }
}
