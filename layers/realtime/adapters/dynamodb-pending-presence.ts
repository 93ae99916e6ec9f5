import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import type { RoomName } from "#kernel/bus/room-message";
import type { PendingChange, PendingPresence } from "../domain/ports";
import type { PresenceChange } from "../published/protocol";
import { batchWriteAll } from "./batch-write";
import { CONNECTION_TTL_SECONDS } from "./dynamodb-connection-store";

/**
 * Rows in the connections table (beside DynamoDbConnectionStore's):
 *
 *   pk                sk                              what
 *   PRESENCE#<room>   DUE                             the room's summary is scheduled (since `markedAt`)
 *   PRESENCE#<room>   CHANGE#<at>#<connection>#<a>    a change waiting for it
 *
 * The sort key orders changes by when they happened; a change row expires with the connection
 * rows, so one a summary never reached cannot pile up.
 */
const presenceKey = (room: RoomName) => `PRESENCE#${room}`;
const DUE = "DUE";
const CHANGE = "CHANGE#";

export class DynamoDbPendingPresence implements PendingPresence {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async add(room: RoomName, change: PresenceChange, staleAfterSeconds: number): Promise<boolean> {
    const nowSeconds = Math.floor(this.now().getTime() / 1000);
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: presenceKey(room),
          sk: `${CHANGE}${change.at}#${change.member.connectionId}#${change.action}`,
          ...change,
          expiresAt: nowSeconds + CONNECTION_TTL_SECONDS,
        },
      }),
    );
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: presenceKey(room), sk: DUE, markedAt: nowSeconds, expiresAt: nowSeconds + CONNECTION_TTL_SECONDS },
          ConditionExpression: "attribute_not_exists(pk) OR markedAt < :stale",
          ExpressionAttributeValues: { ":stale": nowSeconds - staleAfterSeconds },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async clearDue(room: RoomName): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: presenceKey(room), sk: DUE } }));
  }

  async waiting(room: RoomName, limit: number): Promise<PendingChange[]> {
    const changes: PendingChange[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :change)",
          ExpressionAttributeValues: { ":pk": presenceKey(room), ":change": CHANGE },
          ConsistentRead: true,
          Limit: limit - changes.length,
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) changes.push({ key: String(item.sk), change: toChange(item) });
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey && changes.length < limit);
    return changes;
  }

  async settle(room: RoomName, keys: readonly string[]): Promise<void> {
    await batchWriteAll(
      this.db,
      this.tableName,
      keys.map((sk) => ({ DeleteRequest: { Key: { pk: presenceKey(room), sk } } })),
    );
  }
}

const ChangeRow = z.object({
  action: z.enum(["joined", "left", "dropped"]),
  at: z.string(),
  member: z.object({ connectionId: z.string(), sub: z.string(), username: z.string(), joinedAt: z.string() }),
});
const toChange = (item: Record<string, unknown>): PresenceChange => ChangeRow.parse(item);
