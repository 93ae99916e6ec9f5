import { BatchGetCommand, type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { logger, metrics } from "#shared/powertools";
import type { DeliveryStats, MinuteDeliveries } from "../domain/ports";

/** A minute's counts are kept this long: the statistics look back an hour at most. */
const RETENTION_SECONDS = 24 * 3600;
const minuteOf = (at: Date) => at.toISOString().slice(0, 16);

/**
 * Delivery counts in the events table, one row per minute (`pk` `STATS#DELIVERY`, `sk` the
 * minute's epoch seconds), each count an atomic ADD so concurrent broadcasters never lose one.
 */
export class DynamoDbDeliveryStats implements DeliveryStats {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async add(at: Date, counts: { delivered: number; gone: number; failed: number }): Promise<void> {
    if (counts.delivered + counts.gone + counts.failed === 0) return;
    const sk = Math.floor(Date.parse(`${minuteOf(at)}:00Z`) / 1_000);
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: "STATS#DELIVERY", sk },
          UpdateExpression: "ADD delivered :d, gone :g, failed :f SET expiresAt = :e",
          ExpressionAttributeValues: {
            ":d": counts.delivered,
            ":g": counts.gone,
            ":f": counts.failed,
            ":e": sk + RETENTION_SECONDS,
          },
        }),
      );
    } catch (error) {
      // The frames went out; failing their delivery now would only send them twice. Say so instead.
      logger.error("delivery counts were not recorded; the statistics will undercount this minute", { error, counts });
      metrics.addMetric("DeliveryStatsLost", "Count", 1);
    }
  }

  async lastMinutes(count: number, now: Date): Promise<MinuteDeliveries[]> {
    const minutes = Array.from({ length: count }, (_, i) => minuteOf(new Date(now.getTime() - i * 60_000)));
    const keys = minutes.map((minute) => ({ pk: "STATS#DELIVERY", sk: Math.floor(Date.parse(`${minute}:00Z`) / 1_000) }));
    const rows = new Map<number, Record<string, unknown>>();
    for (let i = 0; i < keys.length; i += 100) {
      const { Responses } = await this.db.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys.slice(i, i + 100) } } }),
      );
      for (const item of Responses?.[this.tableName] ?? []) rows.set(Number(item.sk), item);
    }
    return minutes.map((minute, i) => {
      const row = rows.get(keys[i]?.sk ?? -1);
      return { minute, delivered: Number(row?.delivered ?? 0), gone: Number(row?.gone ?? 0), failed: Number(row?.failed ?? 0) };
    });
  }
}
