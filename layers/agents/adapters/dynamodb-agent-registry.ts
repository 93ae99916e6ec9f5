import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { Agent } from "../domain/agent";
import { AGENT_TYPES, type AgentType } from "#kernel/agent-catalog";
import type { AgentRegistry } from "../domain/ports";
import type { AgentStatus, Workload } from "#kernel/bus/agent-status-changed";

/** The agents table's indexes (the CDK creates them; the adapters query them). Each sorts by `registeredAt`. */
export const AGENT_INDEXES = {
  /** By type; every attribute. */
  byType: "by-type",
  /** By status; keys, type and status only, so heartbeats cost it no writes. */
  byStatus: "by-status",
  /** Every agent in one partition (`listKey`); keys, type and status only. */
  all: "all",
} as const;
/** The one partition of the `all` index. */
export const AGENTS_LIST_KEY = "AGENT";

/** A stopped agent's row is kept this long for the record, then expires. */
const STOPPED_RETENTION_SECONDS = 24 * 3600;
/** A live agent's row expires if it goes silent this long (a week) — it was never marked stopped. */
const SILENT_RETENTION_SECONDS = 7 * 24 * 3600;

const epoch = (at: Date, plus: number) => Math.floor(at.getTime() / 1000) + plus;

/**
 * Agents keyed by `agentId` (the ECS task id), with a `by-type` index (`agentType`,
 * `registeredAt`). Every write bumps `version`; the table's stream announces status changes.
 */
export class DynamoDbAgentRegistry implements AgentRegistry {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async register(agent: Agent): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...agent, listKey: AGENTS_LIST_KEY, expiresAt: epoch(new Date(agent.heartbeatAt), SILENT_RETENTION_SECONDS) },
      }),
    );
  }

  async heartbeat(agentId: string, workload: Workload, at: Date): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { agentId },
          UpdateExpression: "SET heartbeatAt = :at, workload = :workload, expiresAt = :expires ADD #version :one",
          ConditionExpression: "attribute_exists(agentId) AND NOT #status IN (:stopping, :stopped)",
          ExpressionAttributeNames: { "#version": "version", "#status": "status" },
          ExpressionAttributeValues: {
            ":at": at.toISOString(),
            ":workload": workload,
            ":expires": epoch(at, SILENT_RETENTION_SECONDS),
            ":one": 1,
            ":stopping": "stopping",
            ":stopped": "stopped",
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async setStatus(agentId: string, status: AgentStatus, reason: string, at: Date): Promise<void> {
    const stopped = status === "stopped";
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { agentId },
          UpdateExpression: `SET #status = :status, statusReason = :reason${stopped ? ", stoppedAt = :at, expiresAt = :expires" : ""} ADD #version :one`,
          ConditionExpression: "attribute_exists(agentId) AND #status <> :stopped",
          ExpressionAttributeNames: { "#status": "status", "#version": "version" },
          ExpressionAttributeValues: {
            ":status": status,
            ":reason": reason,
            ":stopped": "stopped",
            ":one": 1,
            ...(stopped ? { ":at": at.toISOString(), ":expires": epoch(at, STOPPED_RETENTION_SECONDS) } : {}),
          },
        }),
      );
    } catch (error) {
      // Gone or already stopped: a stopped agent stays stopped.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async get(agentId: string): Promise<Agent | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { agentId }, ConsistentRead: true }));
    return Item ? Agent.parse(Item) : undefined;
  }

  async list(options: { agentType?: AgentType; includeStopped?: boolean } = {}): Promise<Agent[]> {
    const types = options.agentType ? [options.agentType] : AGENT_TYPES;
    const pages = await Promise.all(
      types.map(async (agentType) => {
        const items: Record<string, unknown>[] = [];
        let ExclusiveStartKey: Record<string, unknown> | undefined;
        do {
          const page = await this.db.send(
            new QueryCommand({
              TableName: this.tableName,
              IndexName: AGENT_INDEXES.byType,
              KeyConditionExpression: "agentType = :type",
              ExpressionAttributeValues: { ":type": agentType },
              ScanIndexForward: false,
              ExclusiveStartKey,
            }),
          );
          items.push(...(page.Items ?? []));
          ExclusiveStartKey = page.LastEvaluatedKey;
        } while (ExclusiveStartKey);
        return items;
      }),
    );
    return pages
      .flat()
      .map((item) => Agent.parse(item))
      .filter((agent) => options.includeStopped || agent.status !== "stopped");
  }
}
