import { createHash } from "node:crypto";
import { type DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand, GetCommand } from "@aws-sdk/lib-dynamodb";
import { Contribution, type InsightStore } from "../domain/insights";

/**
 * Each topic is spread over this many partitions, by a hash of the key: DynamoDB serves about
 * 1,000 writes and 3,000 strong reads a second per partition, so one hot topic can take
 * 8,000 writes a second (seed 001 asks for 10,000 memory operations a second overall; see
 * docs/adr/0014). Reading a whole topic queries the eight at once.
 */
export const INSIGHT_SHARDS = 8;
const TOPICS_KEY = { shard: "#topics", sk: "#topics" };
/** Rows outlive their insight by a day, then TTL collects them; reads judge expiry themselves. */
const GC_GRACE_SECONDS = 24 * 3600;

export const shardOf = (topic: string, key: string): string =>
  `${topic}#${createHash("sha1").update(key).digest().readUInt32BE(0) % INSIGHT_SHARDS}`;

/**
 * Insights in a DynamoDB table: `shard` (`<topic>#<n>`) / `sk` (`<key>#<contributor>`), one row
 * per contributor and key holding its latest contribution; the value is JSON text (maps refuse
 * some JSON). `#topics` lists the topics. TTL (`gcAt`) only collects rows long expired.
 */
export class DynamoDbInsightStore implements InsightStore {
  private readonly registered = new Set<string>();

  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  async put(contribution: Contribution): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          shard: shardOf(contribution.topic, contribution.key),
          sk: `${contribution.key}#${contribution.contributor}`,
          ...contribution,
          value: JSON.stringify(contribution.value),
          gcAt: Math.floor(contribution.expiresAt / 1_000) + GC_GRACE_SECONDS,
        },
      }),
    );
    // One registration per topic per process: the list changes rarely, the contributions often.
    if (!this.registered.has(contribution.topic)) {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: TOPICS_KEY,
          UpdateExpression: "ADD #topics :topic",
          ExpressionAttributeNames: { "#topics": "topics" },
          ExpressionAttributeValues: { ":topic": new Set([contribution.topic]) },
        }),
      );
      this.registered.add(contribution.topic);
    }
  }

  async topic(topic: string): Promise<Contribution[]> {
    const shards = Array.from({ length: INSIGHT_SHARDS }, (_, n) => `${topic}#${n}`);
    const pages = await Promise.all(shards.map((shard) => this.query(shard)));
    return pages.flat();
  }

  async key(topic: string, key: string): Promise<Contribution[]> {
    return this.query(shardOf(topic, key), `${key}#`);
  }

  async topics(): Promise<string[]> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: TOPICS_KEY }));
    const topics = Item?.topics as Set<string> | undefined;
    return [...(topics ?? [])].sort();
  }

  private async query(shard: string, prefix?: string): Promise<Contribution[]> {
    const rows: Contribution[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const { Items, LastEvaluatedKey } = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: prefix ? "#shard = :shard AND begins_with(#sk, :prefix)" : "#shard = :shard",
          ExpressionAttributeNames: { "#shard": "shard", ...(prefix ? { "#sk": "sk" } : {}) },
          ExpressionAttributeValues: { ":shard": shard, ...(prefix ? { ":prefix": prefix } : {}) },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      rows.push(...(Items ?? []).map(fromItem));
      start = LastEvaluatedKey;
    } while (start);
    return rows;
  }
}

/** A stored row back to a contribution; one that does not parse is corruption and throws. */
export function fromItem(item: Record<string, unknown>): Contribution {
  const { shard: _shard, sk: _sk, gcAt: _gcAt, value, ...rest } = item;
  return Contribution.parse({ ...rest, value: typeof value === "string" ? JSON.parse(value) : value });
}
