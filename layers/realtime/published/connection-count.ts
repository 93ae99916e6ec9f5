import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { BY_SK_INDEX, DynamoDbConnectionStore } from "../adapters/dynamodb-connection-store";

/** The index `connectionCount` queries: what a reader of the count is granted `dynamodb:Query` on. */
export const CONNECTIONS_COUNT_INDEX = BY_SK_INDEX;

/**
 * How many WebSocket connections are open, for other contexts (the metrics snapshot). One
 * Query on the connections table's `by-sk` index, counted, never a Scan.
 *
 * @example
 * const open = await connectionCount(db, env.CONNECTIONS_TABLE)();
 */
export function connectionCount(db: DynamoDBDocumentClient, connectionsTable: string): () => Promise<number> {
  const store = new DynamoDbConnectionStore(db, connectionsTable);
  return () => store.count();
}
