import { type DynamoDBClient, paginateScan } from "@aws-sdk/client-dynamodb";
import type { ExportedValue } from "../domain/data-export";
import type { TableScanner } from "../domain/run-data-export";
import { toExportedItem } from "./dynamodb-json";

/**
 * A table read whole with Scan, a page (up to 1 MB) at a time, strongly consistent so a page
 * holds every write acknowledged before it was read; items stay in DynamoDB JSON (binaries in base64).
 */
export class DynamoDbTableScanner implements TableScanner {
  constructor(private readonly db: DynamoDBClient) {}

  async *pages(tableName: string): AsyncIterable<readonly Record<string, ExportedValue>[]> {
    for await (const page of paginateScan({ client: this.db }, { TableName: tableName, ConsistentRead: true })) {
      yield (page.Items ?? []).map(toExportedItem);
    }
  }
}
