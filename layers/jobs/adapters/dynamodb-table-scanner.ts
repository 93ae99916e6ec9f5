import { type DynamoDBClient, paginateScan } from "@aws-sdk/client-dynamodb";
import type { TableScanner } from "../domain/run-data-export";

/**
 * A table read whole with Scan, a page (up to 1 MB) at a time, strongly consistent so a page
 * holds every write acknowledged before it was read; items stay in DynamoDB JSON.
 */
export class DynamoDbTableScanner implements TableScanner {
  constructor(private readonly db: DynamoDBClient) {}

  async *pages(tableName: string): AsyncIterable<readonly Record<string, unknown>[]> {
    for await (const page of paginateScan({ client: this.db }, { TableName: tableName, ConsistentRead: true })) {
      yield page.Items ?? [];
    }
  }
}
