import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { type EventHistory, type HistoryStart, TooFarBackError } from "../domain/ports";
import { type ServerEvent, ServerEventType, type Stream, streamKey } from "../published/protocol";

/**
 *   pk             sk      what
 *   TOPIC#<topic>  <seq>   one event of a topic, kept for `retentionSeconds`
 *   ROOM#<room>    <seq>   one event of a room (message or presence), kept as long
 *   SEQUENCE       0       the counter `DynamoDbSequence` increments
 */
export class DynamoDbEventHistory implements EventHistory {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionSeconds: number,
    /** Events read at most per stream when looking back to an instant, newest first. */
    private readonly lookBackLimit = 5_000,
  ) {}

  async append(stream: Stream, event: ServerEvent): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: historyItem(stream, event, this.retentionSeconds) }));
  }

  async read(stream: Stream, start: HistoryStart, limit: number): Promise<ServerEvent[]> {
    if ("afterSeq" in start) return this.query(stream, { after: start.afterSeq, limit, newestFirst: false });
    // No index by time: seq grows with time, so walk back from the newest until the instant.
    const since = start.since.toISOString();
    const newest = await this.query(stream, { limit: this.lookBackLimit, newestFirst: true, until: (e) => e.timestamp < since });
    // Stopped by the cap with every event read still inside the window: older ones would be missed without a word.
    if (newest.length >= this.lookBackLimit && (newest.at(-1)?.timestamp ?? "") >= since) {
      throw new TooFarBackError(newest.length);
    }
    return newest
      .filter((event) => event.timestamp >= since)
      .reverse()
      .slice(0, limit);
  }

  async latest(stream: Stream, limit: number): Promise<ServerEvent[]> {
    return (await this.query(stream, { limit, newestFirst: true })).reverse();
  }

  private async query(
    stream: Stream,
    options: { after?: number; limit: number; newestFirst: boolean; until?: (event: ServerEvent) => boolean },
  ): Promise<ServerEvent[]> {
    const events: ServerEvent[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: options.after !== undefined ? "pk = :pk AND sk > :after" : "pk = :pk",
          ExpressionAttributeValues: {
            ":pk": streamKey(stream),
            ...(options.after !== undefined ? { ":after": options.after } : {}),
          },
          ScanIndexForward: !options.newestFirst,
          Limit: Math.min(500, options.limit - events.length),
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const event = toEvent(item);
        events.push(event);
        if (options.until?.(event)) return events;
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey && events.length < options.limit);
    return events;
  }
}

/** An event's row in its stream's history, expiring `retentionSeconds` after its timestamp. */
export const historyItem = (stream: Stream, event: ServerEvent, retentionSeconds: number) => ({
  pk: streamKey(stream),
  sk: event.seq,
  ...event,
  expiresAt: Math.floor(Date.parse(event.timestamp) / 1000) + retentionSeconds,
});

/** A stored event (a history row or a marker's copy) as the server event it is. */
export const toEvent = (item: Record<string, unknown>): ServerEvent => ({
  type: ServerEventType.parse(item.type),
  seq: Number(item.seq),
  timestamp: String(item.timestamp),
  data: item.data,
});
