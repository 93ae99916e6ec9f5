import { createHash } from "node:crypto";
import {
  ConditionalCheckFailedException,
  DescribeTableCommand,
  type DynamoDBClient,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { ExportLine, ExportManifest, type ExportTable } from "#jobs/domain/data-export";
import { fromExportedItem } from "#jobs/adapters/dynamodb-json";
import { mapWithConcurrency } from "#shared/concurrency";

/** How many items are put at once: enough to restore a few thousand a second, few enough not to be throttled locally. */
const PUTS_IN_FLIGHT = 16;

export interface RestoredTable {
  readonly table: ExportTable;
  readonly tableName: string;
  readonly items: number;
  /** Items put back: they were missing from the table. */
  readonly restored: number;
  /** Items left alone: the table has a row with that key (possibly newer than the export). */
  readonly kept: number;
}

export interface RestoreResult {
  readonly jobId: string;
  /** When the export's scan began: the restore is as of then (its RPO is the time since). */
  readonly exportStartedAt: string;
  readonly tables: readonly RestoredTable[];
  readonly elapsedMs: number;
}

async function bytesOf(s3: S3Client, bucket: string, key: string, versionId?: string): Promise<Buffer> {
  const object = await s3.send(
    new GetObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }),
  );
  return Buffer.from((await object.Body?.transformToByteArray()) ?? new Uint8Array());
}

/**
 * Puts a `data-export` back (docs/runbooks/restore.md, "Local drill"): reads its manifest,
 * checks every part's SHA-256 and item count before writing a single item of it, and puts
 * each item that is missing from its table (`attribute_not_exists` on the table's partition
 * key), so a row written after the export is never overwritten by its older copy. `tables`
 * maps each exported table to the table to restore into (a new one, say), or is `as-exported`:
 * every table back into the one it was exported from.
 *
 * @example
 * const result = await restoreExport({ s3, dynamo, manifest: { bucket, key }, tables: { tasks: outputs.TasksTableName } });
 */
export async function restoreExport(options: {
  readonly s3: S3Client;
  readonly dynamo: DynamoDBClient;
  readonly manifest: { readonly bucket: string; readonly key: string };
  readonly tables: Partial<Record<ExportTable, string>> | "as-exported";
}): Promise<RestoreResult> {
  const started = performance.now();
  const manifest = ExportManifest.parse(
    JSON.parse((await bytesOf(options.s3, options.manifest.bucket, options.manifest.key)).toString("utf8")),
  );
  const restored: RestoredTable[] = [];
  for (const exported of manifest.tables) {
    const tableName = options.tables === "as-exported" ? exported.tableName : options.tables[exported.table];
    if (!tableName) continue;
    const { Table } = await options.dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    const partitionKey = Table?.KeySchema?.find((key) => key.KeyType === "HASH")?.AttributeName;
    if (!partitionKey) throw new Error(`table ${tableName} has no partition key`);
    let items = 0;
    let puts = 0;
    let kept = 0;
    for (const part of exported.parts) {
      const body = await bytesOf(options.s3, part.bucket, part.key, part.versionId);
      const sha256 = createHash("sha256").update(body).digest("hex");
      if (sha256 !== part.sha256) throw new Error(`${part.key}: SHA-256 ${sha256} is not the manifest's ${part.sha256}`);
      const lines = body
        .toString("utf8")
        .split("\n")
        .filter((line) => line.length > 0);
      if (lines.length !== part.items) throw new Error(`${part.key}: ${lines.length} items, the manifest says ${part.items}`);
      const parsed = lines.map((line, index) => {
        const item = ExportLine.safeParse(JSON.parse(line));
        if (!item.success) throw new Error(`${part.key} line ${index + 1}: not {"Item": <DynamoDB JSON>}`);
        return fromExportedItem(item.data.Item);
      });
      items += parsed.length;
      const settled = await mapWithConcurrency(parsed, PUTS_IN_FLIGHT, async (item) => {
        try {
          await options.dynamo.send(
            new PutItemCommand({
              TableName: tableName,
              Item: item,
              ConditionExpression: "attribute_not_exists(#pk)",
              ExpressionAttributeNames: { "#pk": partitionKey },
            }),
          );
          puts++;
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
          kept++;
        }
      });
      const failed = settled.filter((result) => result.status === "rejected");
      if (failed.length > 0) {
        throw new Error(`${part.key}: ${failed.length} items could not be put back`, { cause: failed[0]?.reason });
      }
    }
    if (items !== exported.items)
      throw new Error(`${exported.table}: restored ${items} items, the manifest says ${exported.items}`);
    restored.push({ table: exported.table, tableName, items, restored: puts, kept });
  }
  return {
    jobId: manifest.jobId,
    exportStartedAt: manifest.startedAt,
    tables: restored,
    elapsedMs: Math.round(performance.now() - started),
  };
}
