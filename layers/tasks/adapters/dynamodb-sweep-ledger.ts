import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { TaskVersionRef } from "../domain/ports";
import type { SweepLedger } from "../domain/sweeper";
import { APPLIED_MARKER_SECONDS } from "./dynamodb-task-stats";

/**
 * The sweeper's record of what it re-dispatched, in the task stats table beside the counters'
 * applied markers: `SWEPT#<taskId>#<version>`, kept as long as those, and `SWEEP#queued-cursor`,
 * where the last run's queued pass stopped.
 */
export class DynamoDbSweepLedger implements SweepLedger {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async swept(change: TaskVersionRef): Promise<boolean> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: sweptKey(change) }, ConsistentRead: true }),
    );
    return Item !== undefined;
  }

  async markSwept(change: TaskVersionRef): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: sweptKey(change),
          sweptAt: new Date().toISOString(),
          expiresAt: Math.floor(Date.now() / 1000) + APPLIED_MARKER_SECONDS,
        },
      }),
    );
  }

  async queuedCursor(): Promise<string | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: CURSOR_KEY }, ConsistentRead: true }),
    );
    return typeof Item?.at === "string" ? Item.at : undefined;
  }

  async saveQueuedCursor(at: string | undefined): Promise<void> {
    if (at === undefined) await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: CURSOR_KEY } }));
    else await this.db.send(new PutCommand({ TableName: this.tableName, Item: { pk: CURSOR_KEY, at } }));
  }
}

const CURSOR_KEY = "SWEEP#queued-cursor";

const sweptKey = (change: TaskVersionRef) => `SWEPT#${change.taskId}#${change.version}`;
