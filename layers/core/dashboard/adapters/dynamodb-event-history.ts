import { type DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { EventHistory } from "../domain/ports";
import type { ServerEvent, Topic } from "../domain/protocol";

/**
 *   pk             sk      what
 *   TOPIC#<topic>  <seq>   one delivered event, kept for `retentionSeconds`
 *   SEQUENCE       0       the counter `DynamoDbSequence` increments
 */
export class DynamoDbEventHistory implements EventHistory {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionSeconds: number,
  ) {}

  async append(topic: Topic, event: ServerEvent): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: `TOPIC#${topic}`,
          sk: event.seq,
          ...event,
          expiresAt: Math.floor(Date.parse(event.timestamp) / 1000) + this.retentionSeconds,
        },
      }),
    );
  }
}
