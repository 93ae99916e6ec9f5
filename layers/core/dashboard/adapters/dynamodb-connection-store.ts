import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
} from "@aws-sdk/lib-dynamodb";
import type { Connection, ConnectionStore } from "../domain/ports";
import { Topic } from "../domain/protocol";

/**
 * One table, adjacency-list style:
 *
 *   pk            sk            what
 *   CONN#<id>     META          the connection (user, roles, connectedAt)
 *   CONN#<id>     TOPIC#<t>     a subscription
 *
 * The `by-sk` index inverts the keys, so "who is subscribed to tasks" is a Query on
 * sk = TOPIC#tasks and "all connections" a Query on sk = META — never a Scan. Every row
 * expires with its connection: API Gateway closes a connection after two hours at most.
 */
export const CONNECTION_TTL_SECONDS = 2 * 60 * 60;
export const BY_SK_INDEX = "by-sk";

const connKey = (connectionId: string) => `CONN#${connectionId}`;
const topicKey = (topic: Topic) => `TOPIC#${topic}`;
const BATCH_SIZE = 25;

export class DynamoDbConnectionStore implements ConnectionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private expiresAt(): number {
    return Math.floor(this.now().getTime() / 1000) + CONNECTION_TTL_SECONDS;
  }

  async put(connection: Connection): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: connKey(connection.connectionId), sk: "META", ...connection, expiresAt: this.expiresAt() },
      }),
    );
  }

  async remove(connectionId: string): Promise<void> {
    const keys = (
      await this.queryAll({
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": connKey(connectionId) },
        ProjectionExpression: "pk, sk",
      })
    ).map((item) => ({ pk: item.pk, sk: item.sk }));
    await this.batchWrite(keys.map((Key) => ({ DeleteRequest: { Key } })));
  }

  async subscribe(connectionId: string, topics: readonly Topic[]): Promise<void> {
    const expiresAt = this.expiresAt();
    await this.batchWrite(
      topics.map((topic) => ({
        PutRequest: { Item: { pk: connKey(connectionId), sk: topicKey(topic), connectionId, topic, expiresAt } },
      })),
    );
  }

  async unsubscribe(connectionId: string, topics: readonly Topic[]): Promise<void> {
    await this.batchWrite(
      topics.map((topic) => ({ DeleteRequest: { Key: { pk: connKey(connectionId), sk: topicKey(topic) } } })),
    );
  }

  async topicsOf(connectionId: string): Promise<Topic[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :topic)",
      ExpressionAttributeValues: { ":pk": connKey(connectionId), ":topic": "TOPIC#" },
      ConsistentRead: true,
    });
    return items.map((item) => Topic.parse(item.topic));
  }

  async subscribers(topic: Topic): Promise<string[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      IndexName: BY_SK_INDEX,
      KeyConditionExpression: "sk = :sk",
      ExpressionAttributeValues: { ":sk": topicKey(topic) },
    });
    return items.map((item) => String(item.connectionId));
  }

  private async queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(new QueryCommand({ ...input, ExclusiveStartKey }));
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }

  /** BatchWrite in chunks of 25, resubmitting unprocessed items until none remain (bounded). */
  private async batchWrite(requests: Record<string, unknown>[]): Promise<void> {
    for (let i = 0; i < requests.length; i += BATCH_SIZE) {
      let pending = requests.slice(i, i + BATCH_SIZE);
      for (let round = 0; pending.length > 0; round++) {
        if (round === 5) throw new Error(`DynamoDB left ${pending.length} write(s) unprocessed after 5 rounds`);
        if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * 2 ** round));
        const { UnprocessedItems } = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
        pending = (UnprocessedItems?.[this.tableName] ?? []) as Record<string, unknown>[];
      }
    }
  }
}
