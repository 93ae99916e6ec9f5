import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { pageAcrossPartitions, type PartitionedList } from "#shared/adapters/partition-pages";
import { AGENT_TYPES } from "#kernel/agent-catalog";
import { Agent } from "../domain/agent";
import { type AgentListQuery, type AgentPage, type AgentQuery, STATUS_ORDER } from "../domain/agent-list";
import { AGENT_INDEXES, AGENTS_LIST_KEY } from "./dynamodb-agent-registry";

/**
 * `GET /api/agents` over the agents table's indexes: newest first from `all` (one partition),
 * by type from `by-type` (a partition per type, in catalog order), by status from `by-status`
 * (a partition per status). A filter on the index's own partition narrows the walk to that
 * partition; the other filter is applied on the index's projection.
 */
export class DynamoDbAgentQuery implements AgentQuery {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async list(query: AgentListQuery): Promise<AgentPage> {
    const base = { table: this.tableName, tableKey: "agentId", sortKey: "registeredAt", descending: true } as const;
    const list: PartitionedList =
      query.sort === "type" || (query.sort === "registered" && query.type)
        ? {
            ...base,
            index: AGENT_INDEXES.byType,
            partitionKey: "agentType",
            partitions: query.type ? [query.type] : AGENT_TYPES,
            ...(query.status ? { filter: { status: query.status } } : {}),
          }
        : query.sort === "status"
          ? {
              ...base,
              index: AGENT_INDEXES.byStatus,
              partitionKey: "status",
              partitions: query.status ? [query.status] : STATUS_ORDER,
              ...(query.type ? { filter: { agentType: query.type } } : {}),
            }
          : {
              ...base,
              index: AGENT_INDEXES.all,
              partitionKey: "listKey",
              partitions: [AGENTS_LIST_KEY],
              ...(query.status ? { filter: { status: query.status } } : {}),
            };
    const page = await pageAcrossPartitions(this.db, list, {
      limit: query.limit,
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    return { items: page.items.map((item) => Agent.parse(item)), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }
}
