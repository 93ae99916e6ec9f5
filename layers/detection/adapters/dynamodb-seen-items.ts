import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { SeenItems } from "../domain/ports";

/** How long an item is remembered: longer than any feed keeps an item listed. */
const REMEMBER_SECONDS = 14 * 24 * 3600;

/** Headline claims keyed by `fingerprint` (the claimed key); a conditional put settles who was first. */
export class DynamoDbSeenItems implements SeenItems {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(key: string, owner: string, item: { url: string; title: string; feedUrl: string }, at: Date): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            fingerprint: key,
            owner,
            url: item.url,
            title: item.title.slice(0, 300),
            feedUrl: item.feedUrl,
            seenAt: at.toISOString(),
            expiresAt: Math.floor(at.getTime() / 1_000) + REMEMBER_SECONDS,
          },
          ConditionExpression: "attribute_not_exists(fingerprint) OR #owner = :owner",
          ExpressionAttributeNames: { "#owner": "owner" },
          ExpressionAttributeValues: { ":owner": owner },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
