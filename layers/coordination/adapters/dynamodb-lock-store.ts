import { type AttributeValue, ConditionalCheckFailedException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { leasesOf, LockState } from "../domain/lock-state";
import type { LockStore, LockWrite } from "../domain/ports";
import { storeCall } from "./transient-errors";

/** The sparse index of rows that hold a lease or a waiter, by when the last of them ends. */
export const ACTIVE_LOCKS_INDEX = "by-activity";
/** The one value of the index's partition key: locks are few, and listing them is rare. */
const ACTIVE = "ACTIVE";

/** Reads and writes at most this many pages of the active index; beyond, an error says so. */
const MAX_PAGES = 20;

/**
 * Lock rows in a DynamoDB table keyed by `resource` (attribute layout in ADR 0014). Each write is
 * a whole-row Put conditional on the version its plan was made from; a refused condition hands
 * back the row as it is (`ReturnValuesOnConditionCheckFailure`), so losing a race costs no extra
 * read. `active`/`activeUntil` put rows that hold something into the `by-activity` index.
 * Rows are never deleted, and carry no TTL: the fence must never start again from zero.
 */
export class DynamoDbLockStore implements LockStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  async read(resource: string): Promise<LockState | undefined> {
    const { Item } = await storeCall(`reading the lock on ${resource}`, () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: { resource }, ConsistentRead: true })),
    );
    return Item ? fromItem(Item) : undefined;
  }

  async write(next: LockState): Promise<LockWrite> {
    try {
      await storeCall(`writing the lock on ${next.resource}`, () =>
        this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: toItem(next),
            ...versionCondition(next),
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          }),
        ),
      );
      return { ok: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // The document client unmarshalls responses, not errors: the row comes as raw attribute values.
      return { ok: false, current: error.Item ? fromItem(unmarshall(error.Item as Record<string, AttributeValue>)) : undefined };
    }
  }

  async writeAll(nexts: readonly LockState[]) {
    if (nexts.length === 1 && nexts[0]) {
      const written = await this.write(nexts[0]);
      return written.ok ? written : { ok: false as const, current: new Map([[nexts[0].resource, written.current]]) };
    }
    try {
      await storeCall(`writing the locks on ${nexts.map((n) => n.resource).join(", ")}`, () =>
        this.db.send(
          new TransactWriteCommand({
            TransactItems: nexts.map((next) => ({
              Put: {
                TableName: this.tableName,
                Item: toItem(next),
                ...versionCondition(next),
                ReturnValuesOnConditionCheckFailure: "ALL_OLD",
              },
            })),
          }),
        ),
      );
      return { ok: true as const };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const current = new Map<string, LockState | undefined>();
      nexts.forEach((next, i) => {
        const reason = reasons[i];
        if (reason?.Code === "ConditionalCheckFailed") {
          current.set(next.resource, reason.Item ? fromItem(unmarshall(reason.Item)) : undefined);
        } else if (reason?.Code && reason.Code !== "None" && reason.Code !== "TransactionConflict") {
          throw new Error(`writing the lock on ${next.resource} was refused: ${reason.Code} ${reason.Message ?? ""}`, {
            cause: error,
          });
        }
      });
      return { ok: false as const, current };
    }
  }

  async listActive(): Promise<LockState[]> {
    const rows: LockState[] = [];
    let start: Record<string, unknown> | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const { Items, LastEvaluatedKey } = await storeCall("listing locks", () =>
        this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: ACTIVE_LOCKS_INDEX,
            KeyConditionExpression: "#active = :active",
            ExpressionAttributeNames: { "#active": "active" },
            ExpressionAttributeValues: { ":active": ACTIVE },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      rows.push(...(Items ?? []).map(fromItem));
      if (!LastEvaluatedKey) return rows.sort((a, b) => (a.resource < b.resource ? -1 : 1));
      start = LastEvaluatedKey;
    }
    throw new Error(`more than ${MAX_PAGES} pages of active locks`);
  }
}

function versionCondition(next: LockState): {
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
} {
  return next.version - 1 === 0
    ? { ConditionExpression: "attribute_not_exists(#resource)", ExpressionAttributeNames: { "#resource": "resource" } }
    : {
        ConditionExpression: "#version = :expected",
        ExpressionAttributeNames: { "#version": "version" },
        ExpressionAttributeValues: { ":expected": next.version - 1 },
      };
}

/** A row holding something is in the active index until the last of its leases and waiters ends. */
export function toItem(state: LockState): Record<string, unknown> {
  const ends = [
    ...leasesOf(state).map((e) => e.expiresAt),
    ...state.waiters.map((w) => w.until),
    ...state.claims.map((c) => c.until),
  ];
  return {
    ...state,
    ...(ends.length > 0 ? { active: ACTIVE, activeUntil: Math.max(...ends) } : {}),
  };
}

/** A row that does not parse is corruption: reported, never guessed at. */
export function fromItem(item: Record<string, unknown>): LockState {
  const { active: _active, activeUntil: _until, ...state } = item;
  return LockState.parse(state);
}
