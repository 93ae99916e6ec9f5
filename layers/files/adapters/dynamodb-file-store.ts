import { ConditionalCheckFailedException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { decodeCursor, encodeCursor } from "#shared/adapters/page-cursor";
import { FileRecord, type FileListQuery, type FileStatistics } from "../domain/files";
import type { FileStore } from "../domain/ports";
import { type StatisticsDelta, statisticsDelta, statisticsOf } from "../domain/statistics";

type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/**
 * The files table (`pk`):
 *
 *   FILE#<id>   the file's record
 *   STATS       counters: files by type and status (`n_<type>_<status>`), uploaded bytes by type (`bytes_<type>`)
 *
 * Only records carry `listKey` and `fileType`, so the two list indexes hold records alone,
 * newest first by `createdAt`: `GET /api/files` queries one of them, never scans. The
 * counters move in the same transaction as the record they count, so they are exact.
 */
export const FILE_INDEXES = { byTime: "by-time", byType: "by-type" } as const;
const LIST_KEY = "FILE";
const STATS_PK = "STATS";
export const filePk = (fileId: string) => `FILE#${fileId}`;

const KEY_SHAPES = {
  [FILE_INDEXES.byTime]: { pk: "S", listKey: "S", createdAt: "S" },
  [FILE_INDEXES.byType]: { pk: "S", fileType: "S", createdAt: "S" },
} as const;

const toItem = (record: FileRecord) => ({ ...record, pk: filePk(record.fileId), listKey: LIST_KEY });

/** A stored row as a record; a row that does not decode is corruption and is reported, not guessed at. */
const fromItem = (item: Record<string, unknown>): FileRecord => {
  const { pk: _pk, listKey: _listKey, ...rest } = item;
  return FileRecord.parse(rest);
};

const conditionFailed = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some((reason) => reason.Code === "ConditionalCheckFailed"));

export class DynamoDbFileStore implements FileStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(records: readonly FileRecord[]): Promise<void> {
    const total: Record<string, number> = {};
    for (const record of records)
      for (const [key, n] of Object.entries(statisticsDelta(undefined, record))) total[key] = (total[key] ?? 0) + n;
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [
          ...records.map((record): TransactItem => ({
            Put: { TableName: this.tableName, Item: toItem(record), ConditionExpression: "attribute_not_exists(pk)" },
          })),
          this.count(total),
        ],
      }),
    );
  }

  async get(fileId: string): Promise<FileRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: filePk(fileId) }, ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : undefined;
  }

  async list(query: FileListQuery): Promise<{ items: FileRecord[]; nextCursor?: string }> {
    const [index, field, value] = query.fileType
      ? ([FILE_INDEXES.byType, "fileType", query.fileType] as const)
      : ([FILE_INDEXES.byTime, "listKey", LIST_KEY] as const);
    const start = query.cursor
      ? decodeCursor(query.cursor, { index, keys: KEY_SHAPES[index], fixed: { [field]: value } })
      : undefined;
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index,
        KeyConditionExpression: "#field = :value",
        ExpressionAttributeNames: { "#field": field },
        ExpressionAttributeValues: { ":value": value },
        ScanIndexForward: false,
        Limit: query.limit,
        ExclusiveStartKey: start,
      }),
    );
    const next = page.LastEvaluatedKey;
    return { items: (page.Items ?? []).map(fromItem), ...(next ? { nextCursor: encodeCursor(index, next) } : {}) };
  }

  async settle(before: FileRecord, after: FileRecord): Promise<boolean> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: toItem(after),
                ConditionExpression: "#revision = :revision",
                ExpressionAttributeNames: { "#revision": "revision" },
                ExpressionAttributeValues: { ":revision": before.revision },
              },
            },
            this.count(statisticsDelta(before, after)),
          ],
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }

  async statistics(): Promise<FileStatistics> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: STATS_PK } }));
    return statisticsOf(
      Object.fromEntries(Object.entries(Item ?? {}).filter((entry): entry is [string, number] => typeof entry[1] === "number")),
    );
  }

  /** The counters' update: `ADD` each change (negative ones too), so concurrent writers never lose one. */
  private count(delta: StatisticsDelta): TransactItem {
    const entries = Object.entries(delta);
    return {
      Update: {
        TableName: this.tableName,
        Key: { pk: STATS_PK },
        UpdateExpression: `ADD ${["#writes :one", ...entries.map((_, i) => `#c${i} :c${i}`)].join(", ")}`,
        ExpressionAttributeNames: { "#writes": "writes", ...Object.fromEntries(entries.map(([key], i) => [`#c${i}`, key])) },
        ExpressionAttributeValues: { ":one": 1, ...Object.fromEntries(entries.map(([, n], i) => [`:c${i}`, n])) },
      },
    };
  }
}
