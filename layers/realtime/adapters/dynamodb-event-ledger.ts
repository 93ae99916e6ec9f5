import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { batchGetAll } from "#shared/adapters/batch-get";
import type { EventLedger, EventToRecord } from "../domain/ports";
import type { ServerEvent } from "../published/protocol";
import { historyItem, toEvent } from "./dynamodb-event-history";

/**
 * How long a marker keeps a bus event's seq: longer than any redelivery can come (the broadcast
 * queue keeps a message an hour, EventBridge retries for an hour).
 */
export const MARKER_RETENTION_SECONDS = 24 * 60 * 60;
/** Events per transaction: two items each, in DynamoDB's 100 items a transaction. */
const EVENTS_PER_TRANSACTION = 50;
/** A transaction also stays under 4 MB; an event's data is written twice (history and marker). */
const BYTES_PER_TRANSACTION = 3_000_000;

const markerKey = (eventId: string) => ({ pk: `EVENT#${eventId}`, sk: 0 });

/**
 * Markers and history in the events table (ADR 0024):
 *
 *   pk               sk     what
 *   EVENT#<bus id>   0      the server event a bus event became, kept a day
 *   TOPIC#<topic>    <seq>  the same event in its stream's history (DynamoDbEventHistory)
 *
 * Both items of an event are one transaction's, so a marker never names a seq that no history holds.
 */
export class DynamoDbEventLedger implements EventLedger {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionSeconds: number,
  ) {}

  async find(eventIds: readonly string[]): Promise<Map<string, ServerEvent>> {
    const items = await batchGetAll(this.db, this.tableName, eventIds.map(markerKey));
    return new Map(
      items.map((item) => [String(item.pk).slice("EVENT#".length), toEvent(item.event as Record<string, unknown>)] as const),
    );
  }

  async record(entries: readonly EventToRecord[]): Promise<Set<string>> {
    const taken = new Set<string>();
    for (const chunk of transactionsOf(entries)) {
      let pending = chunk;
      // Each round drops at least one entry whose marker was taken, so this ends.
      while (pending.length > 0) {
        const refused = await this.write(pending);
        if (refused.size === 0) break;
        for (const eventId of refused) taken.add(eventId);
        pending = pending.filter((entry) => !refused.has(entry.eventId));
      }
    }
    return taken;
  }

  /** One transaction; answers the entries whose marker was already there (then nothing was written). */
  private async write(entries: readonly EventToRecord[]): Promise<Set<string>> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: entries.flatMap(({ eventId, stream, event }) => [
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...markerKey(eventId),
                  event,
                  expiresAt: Math.floor(Date.parse(event.timestamp) / 1000) + MARKER_RETENTION_SECONDS,
                },
                ConditionExpression: "attribute_not_exists(pk)",
              },
            },
            { Put: { TableName: this.tableName, Item: historyItem(stream, event, this.retentionSeconds) } },
          ]),
        }),
      );
      return new Set();
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const refused = new Set<string>();
      reasons.forEach((reason, index) => {
        if (reason.Code !== "ConditionalCheckFailed") return;
        const entry = entries[Math.floor(index / 2)];
        if (index % 2 === 0 && entry) refused.add(entry.eventId);
      });
      // Cancelled for anything else too (a conflict, a throttle): the whole batch goes back.
      const other = reasons.some((reason) => reason.Code && reason.Code !== "None" && reason.Code !== "ConditionalCheckFailed");
      if (refused.size === 0 || other) throw error;
      return refused;
    }
  }
}

/** Entries in transactions of at most 50 events and about 3 MB, in order. */
function transactionsOf(entries: readonly EventToRecord[]): EventToRecord[][] {
  const transactions: EventToRecord[][] = [];
  let current: EventToRecord[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = 2 * JSON.stringify(entry.event).length;
    if (current.length > 0 && (current.length === EVENTS_PER_TRANSACTION || bytes + size > BYTES_PER_TRANSACTION)) {
      transactions.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) transactions.push(current);
  return transactions;
}
