import { type DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { AgentType } from "#kernel/agent-catalog";
import { decodeCursor, encodeCursor } from "#shared/adapters/page-cursor";
import { pageAcrossPartitions } from "#shared/adapters/partition-pages";
import type { TaskFilter, TaskPage, TaskQuery } from "../domain/ports";
import { TaskSummary } from "../domain/task";
import type { TaskSort } from "../domain/task-list";
import { FILTER_ATTRIBUTES, LIST_KEY, queueNameOf, SUMMARY_ATTRIBUTES, TASK_INDEXES } from "./task-table-layout";
import type { Priority } from "#kernel/task-vocabulary";

/** Pages read per call at most while filtering, so a sparse filter cannot hold a request open. */
const MAX_READS_PER_PAGE = 10;

/**
 * Lists tasks newest first through the most selective index for the filter: by status, else by
 * agent type, else all; remaining filters apply to the page. Each page reads at most ten index
 * pages, so a sparse filter answers a short page with a cursor rather than scanning on.
 */
export class DynamoDbTaskQuery implements TaskQuery {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async list(filter: TaskFilter, page: { limit: number; cursor?: string; sort?: TaskSort }): Promise<TaskPage> {
    const sort = page.sort ?? { by: "created", order: "desc" };
    if (sort.by !== "created") return this.sortedBy(sort, filter, page);
    const { index, key, value } = filter.status
      ? { index: TASK_INDEXES.byStatus, key: "status", value: filter.status }
      : filter.agentType
        ? { index: TASK_INDEXES.byAgentType, key: "agentType", value: filter.agentType }
        : { index: TASK_INDEXES.recent, key: "listKey", value: LIST_KEY };
    const rest: [string, string][] = (
      [
        ["agentType", filter.agentType],
        ["priority", filter.priority],
      ] as const
    ).flatMap(([name, wanted]) => (wanted && name !== key ? [[name, wanted] as [string, string]] : []));
    const names: Record<string, string> = { "#pk": key };
    const values: Record<string, unknown> = { ":pk": value };
    for (const [name, wanted] of rest) {
      names[`#${name}`] = name;
      values[`:${name}`] = wanted;
    }
    const filterExpression = rest.map(([name]) => `#${name} = :${name}`).join(" AND ") || undefined;

    const items: TaskSummary[] = [];
    let startKey: Record<string, unknown> | undefined = page.cursor
      ? decodeCursor(page.cursor, {
          index: index.name,
          keys: { taskId: "S", [index.partitionKey]: "S", [index.sortKey]: "S" },
          fixed: { [index.partitionKey]: value },
        })
      : undefined;
    for (let reads = 0; reads < MAX_READS_PER_PAGE && items.length < page.limit; reads++) {
      const result = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: index.name,
          KeyConditionExpression: "#pk = :pk",
          FilterExpression: filterExpression,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ScanIndexForward: sort.order === "asc",
          Limit: page.limit - items.length,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(result.Items ?? []).map((item) => TaskSummary.parse(item)));
      startKey = result.LastEvaluatedKey;
      if (!startKey) break;
    }
    return {
      items,
      ...(startKey ? { nextCursor: encodeCursor(index.name, startKey) } : {}),
    };
  }

  /** A page ordered by last change or by priority: one sort index, filtered, then the summaries from the table. */
  private async sortedBy(sort: TaskSort, filter: TaskFilter, page: { limit: number; cursor?: string }): Promise<TaskPage> {
    const index = sort.by === "updated" ? TASK_INDEXES.recentUpdated : TASK_INDEXES.byPriority;
    const filters = Object.fromEntries(
      FILTER_ATTRIBUTES.flatMap((name) => (filter[name] === undefined ? [] : [[name, filter[name] as string]])),
    );
    const result = await pageAcrossPartitions(
      this.db,
      {
        table: this.tableName,
        index: index.name,
        tableKey: "taskId",
        partitionKey: index.partitionKey,
        partitions: [LIST_KEY],
        sortKey: index.sortKey,
        descending: sort.order === "desc",
        filter: filters,
        projection: ["taskId", ...SUMMARY_ATTRIBUTES],
      },
      page,
    );
    return {
      items: result.items.map((item) => TaskSummary.parse(item)),
      ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}),
    };
  }

  async oldestQueuedAt(agentType: AgentType, priority: Priority): Promise<string | undefined> {
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: TASK_INDEXES.queued.name,
        KeyConditionExpression: "queueName = :queue",
        ExpressionAttributeValues: { ":queue": queueNameOf(agentType, priority) },
        ScanIndexForward: true,
        Limit: 1,
      }),
    );
    const since = Items?.[0]?.queuedSince;
    return typeof since === "string" ? since : undefined;
  }
}
