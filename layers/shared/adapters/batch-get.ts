import { BatchGetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { chunksOf } from "./batch-entries";

/** Keys per BatchGetItem (DynamoDB's limit). */
const KEYS_PER_READ = 100;
/** Rounds of unprocessed keys read again before giving up. */
const ROUNDS = 5;

/**
 * Strongly consistent reads of every key, 100 a call, reading unprocessed keys again with
 * jittered backoff (bounded). Answers the items found, in no particular order.
 */
export async function batchGetAll(
  db: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Record<string, unknown>[],
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for (const chunk of chunksOf(keys, KEYS_PER_READ)) {
    let pending = chunk;
    for (let round = 0; pending.length > 0; round++) {
      if (round === ROUNDS) throw new Error(`DynamoDB left ${pending.length} read(s) unprocessed after ${ROUNDS} rounds`);
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * 2 ** round));
      const { Responses, UnprocessedKeys } = await db.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      items.push(...(Responses?.[tableName] ?? []));
      pending = (UnprocessedKeys?.[tableName]?.Keys ?? []) as Record<string, unknown>[];
    }
  }
  return items;
}
