import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { logger } from "#shared/powertools";
import type { MetricsHistory } from "../domain/ports";
import { POINT_RETENTION_HOURS, SystemPoint } from "../domain/system-metrics";

/** Every point is one item of one partition, sorted by time: a window is one Query, at most 1,440 items (about 1 MB). */
export const METRICS_SERIES = "system";

/**
 * The metrics history table: `series` (always `system`) and `at` (the snapshot's ISO time), the
 * point under `point`, and `expiresAt` (epoch seconds) so DynamoDB's TTL drops a point after
 * POINT_RETENTION_HOURS. A point past its expiry that TTL has not deleted yet is outside every
 * window anyway.
 */
export class DynamoDbMetricsHistory implements MetricsHistory {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(point: SystemPoint): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          series: METRICS_SERIES,
          at: point.at,
          point,
          expiresAt: Math.floor(Date.parse(point.at) / 1_000) + POINT_RETENTION_HOURS * 3_600,
        },
      }),
    );
  }

  async between(from: string, to: string): Promise<SystemPoint[]> {
    const points: SystemPoint[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "series = :series AND #at BETWEEN :from AND :to",
          ExpressionAttributeNames: { "#at": "at" },
          ExpressionAttributeValues: { ":series": METRICS_SERIES, ":from": from, ":to": to },
          ExclusiveStartKey,
        }),
      );
      // A point written by an older schema is left out (and logged) rather than failing the whole view for a day.
      for (const item of page.Items ?? []) {
        const parsed = SystemPoint.safeParse(item.point);
        if (!parsed.success)
          logger.warn("a stored metrics point does not parse; left out", { at: item.at, issues: parsed.error.issues });
        else if (parsed.data.at > from) points.push(parsed.data);
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return points;
  }
}
