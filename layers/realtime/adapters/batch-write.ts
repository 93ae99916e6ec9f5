import { BatchWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

const BATCH_SIZE = 25;
const ROUNDS = 5;

/** BatchWrite in chunks of 25, resubmitting unprocessed items with jittered backoff until none remain (bounded). */
export async function batchWriteAll(
  db: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly Record<string, unknown>[],
): Promise<void> {
  for (let i = 0; i < requests.length; i += BATCH_SIZE) {
    let pending = requests.slice(i, i + BATCH_SIZE);
    for (let round = 0; pending.length > 0; round++) {
      if (round === ROUNDS) throw new Error(`DynamoDB left ${pending.length} write(s) unprocessed after ${ROUNDS} rounds`);
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * 2 ** round));
      const { UnprocessedItems } = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: [...pending] } }));
      pending = (UnprocessedItems?.[tableName] ?? []) as Record<string, unknown>[];
    }
  }
}
