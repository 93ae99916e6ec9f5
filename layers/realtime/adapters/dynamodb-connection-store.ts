import { ConditionalCheckFailedException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { Role } from "#shared/identity";
import { decodeCursor, encodeCursor } from "#shared/adapters/page-cursor";
import { batchGetAll } from "#shared/adapters/batch-get";
import type { Connection, ConnectionPage, ConnectionStore, RoomMembership, RoomTally, RoomView } from "../domain/ports";
import { type RoomMember, Topic } from "../published/protocol";
import { RoomName } from "#kernel/bus/room-message";
import { batchWriteAll } from "./batch-write";

/**
 * One table, adjacency-list style:
 *
 *   pk            sk            what
 *   CONN#<id>     META          the connection (user, roles, connectedAt)
 *   CONN#<id>     TOPIC#<t>     a subscription
 *   CONN#<id>     ROOM#<r>      a room membership (who, since when)
 *   CONN#<id>     BUCKET        its rate-limit bucket (DynamoDbRateLimiter)
 *   ROOMS         LISTING#<r>   a room anyone joined lately, for listing rooms, with its kept member count
 *   ROOMS         LISTED#<r>    the first members a large room's last summary read (ADR 0025)
 *   USER#<sub>    CONN#<id>     one of a user's open connections, to count them (limits)
 *   PRESENCE#<r>  DUE, CHANGE#… a large room's presence waiting for its summary (DynamoDbPendingPresence)
 *
 * The `by-sk` index inverts the keys, so "who is subscribed to tasks" is a Query on
 * sk = TOPIC#tasks, "who is in lobby" one on sk = ROOM#lobby and "all connections" one on
 * sk = META — never a Scan. Every connection row expires with its connection: API Gateway
 * closes a connection after two hours at most. A room's listing row outlives its last join or
 * leave by ROOM_LISTING_TTL_SECONDS.
 *
 * The listing's `memberCount` changes in the same transaction as the membership it counts, so
 * a retried join or leave cannot count twice; `version` goes up with it, so a summary's recount
 * applies only when nothing changed since it read the tally (ADR 0025).
 */
export const CONNECTION_TTL_SECONDS = 2 * 60 * 60;
export const BY_SK_INDEX = "by-sk";
export const ROOM_LISTING_TTL_SECONDS = 24 * 60 * 60;
/**
 * How long after a room's last change a recount may correct its kept count: the recount reads
 * members through the index, which on AWS shows a write within about a second, and a change
 * the index has not shown yet must not be counted away.
 */
export const RECOUNT_SETTLE_SECONDS = 10;

const connKey = (connectionId: string) => `CONN#${connectionId}`;
const topicKey = (topic: Topic) => `TOPIC#${topic}`;
const roomKey = (room: RoomName) => `ROOM#${room}`;
const userKey = (sub: string) => `USER#${sub}`;
const ROOMS_PK = "ROOMS";
// Prefixed so no room name can land in the index partition of another kind of row ("META").
const LISTING = "LISTING#";
const listingKey = (room: RoomName) => ({ pk: ROOMS_PK, sk: `${LISTING}${room}` });
const listedKey = (room: RoomName) => ({ pk: ROOMS_PK, sk: `LISTED#${room}` });

export class DynamoDbConnectionStore implements ConnectionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Now in epoch seconds, as TTL attributes and the listing's `changedAt` hold it. */
  private nowSeconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }

  private expiresAt(ttlSeconds = CONNECTION_TTL_SECONDS): number {
    return this.nowSeconds() + ttlSeconds;
  }

  async get(connectionId: string): Promise<Connection | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: connKey(connectionId), sk: "META" }, ConsistentRead: true }),
    );
    return Item ? toConnection(Item) : undefined;
  }

  async put(connection: Connection): Promise<void> {
    const expiresAt = this.expiresAt();
    await this.batchWrite([
      { PutRequest: { Item: { pk: connKey(connection.connectionId), sk: "META", ...connection, expiresAt } } },
      { PutRequest: { Item: { pk: userKey(connection.sub), sk: connKey(connection.connectionId), expiresAt } } },
    ]);
  }

  async countOf(sub: string): Promise<number> {
    // TTL deletes lag by up to two days on AWS: a row past its expiry is not an open connection.
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": userKey(sub) },
      ProjectionExpression: "expiresAt",
      ConsistentRead: true,
    });
    const nowSeconds = this.nowSeconds();
    return items.filter((item) => Number(item.expiresAt) > nowSeconds).length;
  }

  async remove(connectionId: string): Promise<RoomMembership[] | undefined> {
    // Deleting META first decides who removed it: only that caller sees the old row.
    const { Attributes } = await this.db.send(
      new DeleteCommand({ TableName: this.tableName, Key: { pk: connKey(connectionId), sk: "META" }, ReturnValues: "ALL_OLD" }),
    );
    const rows = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": connKey(connectionId) },
    });
    const owner = typeof Attributes?.sub === "string" ? [{ pk: userKey(Attributes.sub), sk: connKey(connectionId) }] : [];
    const isRoom = (row: Record<string, unknown>) => String(row.sk).startsWith("ROOM#");
    const memberships = rows.filter(isRoom).map((row) => ({ room: RoomName.parse(row.room), member: toMember(row) }));
    const keys = rows.filter((row) => !isRoom(row)).map((row) => ({ pk: row.pk, sk: row.sk }));
    await this.batchWrite([...keys, ...owner].map((Key) => ({ DeleteRequest: { Key } })));
    // Each membership leaves with its count; a racing remove or leave that took it first counted it.
    await Promise.all(memberships.map(({ room }) => this.dropMembership(room, connectionId)));
    if (Attributes === undefined) return undefined;
    return memberships;
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

  /**
   * The membership and the room's listing, with its count, in one transaction (one call on a
   * join's path): a connection already in the room cancels both.
   */
  async join(room: RoomName, member: RoomMember): Promise<boolean> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { pk: connKey(member.connectionId), sk: roomKey(room), room, ...member, expiresAt: this.expiresAt() },
                ConditionExpression: "attribute_not_exists(pk)",
              },
            },
            { Update: this.countChange(room, 1) },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (cancelledByCondition(error)) return false;
      throw error;
    }
  }

  async leave(room: RoomName, connectionId: string): Promise<RoomMember | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: connKey(connectionId), sk: roomKey(room) }, ConsistentRead: true }),
    );
    if (!Item) return undefined;
    return (await this.dropMembership(room, connectionId)) ? toMember(Item) : undefined;
  }

  async tally(room: RoomName): Promise<RoomTally> {
    const items = await batchGetAll(this.db, this.tableName, [listingKey(room), listedKey(room)]);
    const listing = items.find((item) => item.sk === listingKey(room).sk);
    const listed = items.find((item) => item.sk === listedKey(room).sk);
    return {
      // Not clamped: a count driven below zero (removals of rows counted before it was kept) must look wrong to a recount.
      memberCount: Number(listing?.memberCount ?? 0),
      version: Number(listing?.version ?? 0),
      listed: (Array.isArray(listed?.members) ? (listed.members as unknown[]) : []).map((row) =>
        toMember(row as Record<string, unknown>),
      ),
    };
  }

  async recount(room: RoomName, found: RoomView, since: RoomTally): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...listedKey(room), room, members: found.members, expiresAt: this.expiresAt(ROOM_LISTING_TTL_SECONDS) },
      }),
    );
    if (found.memberCount === since.memberCount) return;
    const settledBefore = this.nowSeconds() - RECOUNT_SETTLE_SECONDS;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: listingKey(room),
          UpdateExpression: "SET #memberCount = :count",
          ConditionExpression: "#version = :version AND #changedAt < :settled",
          ExpressionAttributeNames: { "#memberCount": "memberCount", "#version": "version", "#changedAt": "changedAt" },
          ExpressionAttributeValues: { ":count": found.memberCount, ":version": since.version, ":settled": settledBefore },
        }),
      );
    } catch (error) {
      // A change since the tally, or one too recent for the index: the next summary recounts.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** Deletes one membership with its count; answers whether this call deleted it. */
  private async dropMembership(room: RoomName, connectionId: string): Promise<boolean> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.tableName,
                Key: { pk: connKey(connectionId), sk: roomKey(room) },
                ConditionExpression: "attribute_exists(pk)",
              },
            },
            { Update: this.countChange(room, -1) },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (cancelledByCondition(error)) return false;
      throw error;
    }
  }

  /** The listing's side of a membership change: the count and its version move together. */
  private countChange(room: RoomName, by: 1 | -1) {
    return {
      TableName: this.tableName,
      Key: listingKey(room),
      UpdateExpression: "SET #room = :room, #expiresAt = :expiresAt, #changedAt = :now ADD #memberCount :by, #version :one",
      ExpressionAttributeNames: {
        "#room": "room",
        "#expiresAt": "expiresAt",
        "#changedAt": "changedAt",
        "#memberCount": "memberCount",
        "#version": "version",
      },
      ExpressionAttributeValues: {
        ":room": room,
        ":expiresAt": this.expiresAt(ROOM_LISTING_TTL_SECONDS),
        ":now": this.nowSeconds(),
        ":by": by,
        ":one": 1,
      },
    };
  }

  async roomsOf(connectionId: string): Promise<RoomName[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :room)",
      ExpressionAttributeValues: { ":pk": connKey(connectionId), ":room": "ROOM#" },
      ConsistentRead: true,
    });
    return items.map((item) => RoomName.parse(item.room));
  }

  async members(room: RoomName, options: { readonly limit?: number } = {}): Promise<RoomMember[]> {
    const query = {
      TableName: this.tableName,
      IndexName: BY_SK_INDEX,
      KeyConditionExpression: "sk = :sk",
      ExpressionAttributeValues: { ":sk": roomKey(room) },
    };
    const items =
      options.limit === undefined
        ? await this.queryAll(query)
        : ((await this.db.send(new QueryCommand({ ...query, Limit: options.limit }))).Items ?? []);
    return items
      .map(toMember)
      .sort((a, b) => a.joinedAt.localeCompare(b.joinedAt) || a.connectionId.localeCompare(b.connectionId));
  }

  /**
   * Open connections: a count of the index's META rows, leaving out rows past their expiry
   * that DynamoDB's TTL has not deleted yet (it may take days).
   */
  async count(): Promise<number> {
    let count = 0;
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: BY_SK_INDEX,
          KeyConditionExpression: "sk = :meta",
          FilterExpression: "expiresAt > :now",
          ExpressionAttributeValues: { ":meta": "META", ":now": this.nowSeconds() },
          Select: "COUNT",
          ExclusiveStartKey,
        }),
      );
      count += page.Count ?? 0;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return count;
  }

  async rooms(): Promise<RoomName[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :listing)",
      ExpressionAttributeValues: { ":pk": ROOMS_PK, ":listing": LISTING },
    });
    const nowSeconds = this.nowSeconds();
    // TTL deletes lazily; a row past its expiry is already gone as far as callers know.
    return items.filter((item) => Number(item.expiresAt) > nowSeconds).map((item) => RoomName.parse(item.room));
  }

  async list(page: { limit: number; cursor?: string }): Promise<ConnectionPage> {
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: BY_SK_INDEX,
        KeyConditionExpression: "sk = :sk",
        ExpressionAttributeValues: { ":sk": "META" },
        Limit: page.limit,
        ...(page.cursor
          ? {
              ExclusiveStartKey: decodeCursor(page.cursor, {
                index: BY_SK_INDEX,
                keys: { pk: "S", sk: "S" },
                fixed: { sk: "META" },
              }),
            }
          : {}),
      }),
    );
    return {
      connections: (result.Items ?? []).map(toConnection),
      ...(result.LastEvaluatedKey ? { cursor: encodeCursor(BY_SK_INDEX, result.LastEvaluatedKey) } : {}),
    };
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

  private async batchWrite(requests: Record<string, unknown>[]): Promise<void> {
    await batchWriteAll(this.db, this.tableName, requests);
  }
}

/** A transaction cancelled by its first item's condition: the membership was (or was not) there already. */
const cancelledByCondition = (error: unknown) =>
  error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === "ConditionalCheckFailed";

const toMember = (item: Record<string, unknown>): RoomMember => ({
  connectionId: String(item.connectionId),
  sub: String(item.sub),
  username: String(item.username),
  joinedAt: String(item.joinedAt),
});

const toConnection = (item: Record<string, unknown>): Connection => ({
  connectionId: String(item.connectionId),
  sub: String(item.sub),
  username: String(item.username),
  roles: Role.array().catch([]).parse(item.roles),
  connectedAt: String(item.connectedAt),
  // A row written before tokens' expiry was kept counts as expiring with the connection itself.
  tokenExpiresAt:
    typeof item.tokenExpiresAt === "string" ? item.tokenExpiresAt : new Date(Number(item.expiresAt) * 1000).toISOString(),
});
