import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { decodeCursor, encodeCursor } from "#shared/adapters/page-cursor";
import { type DetectionPage, type ValidatedDetection } from "../domain/detection";
import type { DetectionStore, RecordedDetection } from "../domain/ports";
import { TgeDetection } from "#kernel/bus/tge-detected";

/** Detections newest first: every row has `kind` = "detection", sorted by `detectedAt`. */
export const DETECTIONS_BY_TIME_INDEX = "by-time";
const KIND = "detection";

/** Items one detection lists at most; later reports of a much-covered TGE are counted, not listed. */
const MAX_ITEM_IDS = 50;

/**
 * One row per TGE event, keyed by `eventKey`. The first item creates it (a conditional put);
 * each later item of the same event is appended to `itemIds` once. `published` records whether
 * `TgeDetected` went out, so a failed announcement is retried by the next item or retry.
 */
export class DynamoDbDetectionStore implements DetectionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(detection: ValidatedDetection, itemId: string, detectionId: string, detectedAt: Date): Promise<RecordedDetection> {
    const row: TgeDetection = { ...detection, detectionId, detectedAt: detectedAt.toISOString(), itemIds: [itemId] };
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...row, kind: KIND, published: false, reports: 1 },
          ConditionExpression: "attribute_not_exists(eventKey)",
        }),
      );
      return { detection: row, created: true, published: false };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    return this.addItem(detection.eventKey, itemId);
  }

  private async addItem(eventKey: string, itemId: string): Promise<RecordedDetection> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { eventKey },
          UpdateExpression: "SET itemIds = list_append(itemIds, :item) ADD reports :one",
          ConditionExpression: "NOT contains(itemIds, :id) AND size(itemIds) < :max",
          ExpressionAttributeValues: { ":item": [itemId], ":id": itemId, ":one": 1, ":max": MAX_ITEM_IDS },
          ReturnValues: "ALL_NEW",
        }),
      );
      return this.recorded(Attributes);
    } catch (error) {
      // Already listed (a retry of the same item) or the list is full: read it as it is.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const { Items } = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "eventKey = :key",
          ExpressionAttributeValues: { ":key": eventKey },
          ConsistentRead: true,
        }),
      );
      return this.recorded(Items?.[0]);
    }
  }

  private recorded(item: Record<string, unknown> | undefined): RecordedDetection {
    if (!item) throw new Error("a detection row vanished between its write and its read");
    return { detection: TgeDetection.parse(item), created: false, published: item.published === true };
  }

  async markPublished(eventKey: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { eventKey },
        UpdateExpression: "SET published = :yes",
        ExpressionAttributeValues: { ":yes": true },
      }),
    );
  }

  /** By detection time, newest first unless asked oldest first, a page at a time. */
  async latest(page: { limit: number; cursor?: string; order?: "desc" | "asc" }): Promise<DetectionPage> {
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: DETECTIONS_BY_TIME_INDEX,
        KeyConditionExpression: "kind = :kind",
        ExpressionAttributeValues: { ":kind": KIND },
        ScanIndexForward: page.order === "asc",
        Limit: page.limit,
        ...(page.cursor
          ? {
              ExclusiveStartKey: decodeCursor(page.cursor, {
                index: DETECTIONS_BY_TIME_INDEX,
                keys: { eventKey: "S", kind: "S", detectedAt: "S" },
                fixed: { kind: KIND },
              }),
            }
          : {}),
      }),
    );
    return {
      items: (result.Items ?? []).map((item) => TgeDetection.parse(item)),
      ...(result.LastEvaluatedKey ? { nextCursor: encodeCursor(DETECTIONS_BY_TIME_INDEX, result.LastEvaluatedKey) } : {}),
    };
  }
}
