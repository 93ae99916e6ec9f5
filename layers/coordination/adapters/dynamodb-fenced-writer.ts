import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { type DynamoDBDocumentClient, TransactWriteCommand, type TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import { StaleTokenError } from "../domain/errors";
import type { LeaseRef } from "../domain/lease";
import { LockState } from "../domain/lock-state";
import { storeCall } from "./transient-errors";

/** One write of a fenced transaction, as the document client takes it. */
export type FencedItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/** A fenced write's own conditions (not the fence) refused it; `reasons` are by the caller's item. */
export class FencedWriteConditionError extends Error {
  constructor(
    readonly reasons: readonly { readonly code: string; readonly message?: string }[],
    options: { cause: unknown },
  ) {
    super(
      `the write's own conditions refused it: ${reasons
        .map((r, i) => (r.code === "None" ? undefined : `item ${i}: ${r.code}${r.message ? ` ${r.message}` : ""}`))
        .filter(Boolean)
        .join("; ")}`,
      options,
    );
    this.name = "FencedWriteConditionError";
  }
}

/**
 * Writes `items` in one `TransactWriteItems` together with a `ConditionCheck` on the lock row:
 * the resource's exclusive lease must still be this one (same id and token) and must not have
 * ended by the writer's clock (`now`). A holder that paused past its lease and was taken over
 * gets a `StaleTokenError`, and nothing of the transaction is written.
 *
 *   A acquires (token 7) ── pauses ─────────────────────── wakes, writes with token 7 → refused
 *   B                      expiresAt + margin: acquires (token 8) ── writes with token 8 → stands
 */
export async function fencedTransactWrite(
  db: DynamoDBDocumentClient,
  locksTable: string,
  lease: LeaseRef,
  items: readonly FencedItem[],
  now: Date,
): Promise<void> {
  if (items.length === 0 || items.length > 99) throw new RangeError(`a fenced write takes 1 to 99 items (got ${items.length})`);
  try {
    await storeCall(`a write fenced by ${lease.resource}`, () =>
      db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: locksTable,
                Key: { resource: lease.resource },
                ConditionExpression: "#ex.#leaseId = :leaseId AND #ex.#token = :token AND #ex.#expiresAt > :now",
                ExpressionAttributeNames: {
                  "#ex": "exclusive",
                  "#leaseId": "leaseId",
                  "#token": "token",
                  "#expiresAt": "expiresAt",
                },
                ExpressionAttributeValues: { ":leaseId": lease.leaseId, ":token": lease.token, ":now": now.getTime() },
                ReturnValuesOnConditionCheckFailure: "ALL_OLD",
              },
            },
            ...items,
          ],
        }),
      ),
    );
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const [fence, ...own] = error.CancellationReasons ?? [];
    if (fence?.Code === "ConditionalCheckFailed") {
      throw new StaleTokenError(lease, describeHolder(fence.Item ? unmarshall(fence.Item) : undefined, now), { cause: error });
    }
    throw new FencedWriteConditionError(
      own.map((r) => ({ code: r.Code ?? "Unknown", ...(r.Message ? { message: r.Message } : {}) })),
      { cause: error },
    );
  }
}

function describeHolder(item: Record<string, unknown> | undefined, now: Date): string {
  const state = item ? LockState.safeParse(item) : undefined;
  const holder = state?.success ? state.data.exclusive : undefined;
  if (!holder) return "nobody holds the resource exclusively now";
  return holder.expiresAt <= now.getTime()
    ? `its lease ended at ${new Date(holder.expiresAt).toISOString()}`
    : `${holder.holder} holds it with token ${holder.token}`;
}
