import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { decodeCursor, encodeCursor } from "#shared/adapters/page-cursor";
import { CoordinationEvent, type CoordinationEventKind } from "#kernel/bus/coordination-event";
import type { CoordinationEventStore } from "../domain/coordination-events";

export const EVENTS_BY_TIME_INDEX = "by-time";
export const EVENTS_BY_KIND_INDEX = "by-kind";
/** Every event is in one partition of the time index: coordination events are few (leases, conflicts, changed insights). */
const ALL = "ALL";
/** Recorded events are kept this long, then TTL collects them. */
export const EVENT_RETENTION_DAYS = 7;

/**
 * The `coordination_events` table: one row per event by `eventId` (so recording is idempotent),
 * listed newest first through `by-time` (`stream`, `at#eventId`) or `by-kind` (`kind`, same sort
 * key). Its stream is the outbox that puts each new event on the bus.
 */
export class DynamoDbCoordinationEventStore implements CoordinationEventStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  async record(event: CoordinationEvent): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            eventId: event.eventId,
            kind: event.kind,
            stream: ALL,
            at: `${event.at}#${event.eventId}`,
            event: JSON.stringify(event),
            gcAt: Math.floor(Date.parse(event.at) / 1_000) + EVENT_RETENTION_DAYS * 24 * 3600,
          },
          ConditionExpression: "attribute_not_exists(eventId)",
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async list(filter: { kind?: CoordinationEventKind; limit: number; cursor?: string }) {
    const index = filter.kind ? EVENTS_BY_KIND_INDEX : EVENTS_BY_TIME_INDEX;
    const partition = filter.kind ? { kind: filter.kind } : { stream: ALL };
    const [name, value] = Object.entries(partition)[0] as [string, string];
    const start = filter.cursor
      ? decodeCursor(filter.cursor, {
          index,
          keys: { eventId: "S", at: "S", [name]: "S" },
          fixed: { [name]: value },
        })
      : undefined;
    const { Items, LastEvaluatedKey } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index,
        KeyConditionExpression: "#p = :p",
        ExpressionAttributeNames: { "#p": name },
        ExpressionAttributeValues: { ":p": value },
        ScanIndexForward: false,
        Limit: filter.limit,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    return {
      events: (Items ?? []).map((item) => CoordinationEvent.parse(JSON.parse(String(item.event)))),
      ...(LastEvaluatedKey ? { cursor: encodeCursor(index, LastEvaluatedKey) } : {}),
    };
  }

  async count(kind: CoordinationEventKind, since: Date): Promise<number> {
    let total = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const { Count, LastEvaluatedKey } = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: EVENTS_BY_KIND_INDEX,
          KeyConditionExpression: "#kind = :kind AND #at >= :since",
          ExpressionAttributeNames: { "#kind": "kind", "#at": "at" },
          ExpressionAttributeValues: { ":kind": kind, ":since": since.toISOString() },
          Select: "COUNT",
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      total += Count ?? 0;
      start = LastEvaluatedKey;
    } while (start);
    return total;
  }
}
