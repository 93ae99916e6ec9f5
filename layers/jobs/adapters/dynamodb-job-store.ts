import { ConditionalCheckFailedException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { decodeCursor, encodeCursor } from "#shared/adapters/page-cursor";
import type { JobStatus, JobType } from "#kernel/job-vocabulary";
import { JobRecord, type JobProgress } from "../domain/job";
import type { JobEnding, JobPageResult, JobStore } from "../domain/ports";

/** The jobs table's indexes: all jobs by time, by status (queued ones oldest first), by type. */
export const JOB_INDEXES = { byTime: "by-time", byStatus: "by-status", byType: "by-type" } as const;
/** Every job row carries it, so the by-time index lists them all in one partition. */
const LIST_KEY = "jobs";
/**
 * The slot counter: one row of the same table, so a claim (slot taken + job started) and a
 * finish (job ended + slot freed) are each one transaction. It has no `jobType`, so no index
 * and no relay sees it.
 */
const SLOTS_KEY = "#slots";

const failedCondition = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some((reason) => reason.Code === "ConditionalCheckFailed"));

/** Stream images and query items back into records: the row's own bookkeeping fields dropped. */
export const jobFromItem = (item: Record<string, unknown>): JobRecord | undefined => {
  if (item.jobId === SLOTS_KEY) return undefined;
  const { listKey: _listKey, ...rest } = item;
  return JobRecord.parse(rest);
};

const keysOf = (index: string): Record<string, "S"> => {
  const indexKey = index === JOB_INDEXES.byTime ? "listKey" : index === JOB_INDEXES.byStatus ? "status" : "jobType";
  return { jobId: "S", createdAt: "S", [indexKey]: "S" };
};

/** Jobs in DynamoDB: every transition one conditional write or transaction (see JobStore). */
export class DynamoDbJobStore implements JobStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(job: JobRecord): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...job, listKey: LIST_KEY },
        ConditionExpression: "attribute_not_exists(jobId)",
      }),
    );
  }

  async get(jobId: string): Promise<JobRecord | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { jobId }, ConsistentRead: true }));
    return Item ? jobFromItem(Item) : undefined;
  }

  async list(query: { type?: JobType; status?: JobStatus; limit: number; cursor?: string }): Promise<JobPageResult> {
    // The narrowest index that answers: by type (then the status filtered), by status, or all.
    const [index, key, value]: [string, string, string] = query.type
      ? [JOB_INDEXES.byType, "jobType", query.type]
      : query.status
        ? [JOB_INDEXES.byStatus, "status", query.status]
        : [JOB_INDEXES.byTime, "listKey", LIST_KEY];
    const filtered = query.type !== undefined && query.status !== undefined;
    const input: QueryCommandInput = {
      TableName: this.tableName,
      IndexName: index,
      KeyConditionExpression: "#k = :v",
      ExpressionAttributeNames: { "#k": key, ...(filtered ? { "#s": "status" } : {}) },
      ExpressionAttributeValues: { ":v": value, ...(filtered ? { ":s": query.status } : {}) },
      ...(filtered ? { FilterExpression: "#s = :s" } : {}),
      ScanIndexForward: false,
      Limit: query.limit,
      ...(query.cursor
        ? { ExclusiveStartKey: decodeCursor(query.cursor, { index, keys: keysOf(index), fixed: { [key]: value } }) }
        : {}),
    };
    const { Items = [], LastEvaluatedKey } = await this.db.send(new QueryCommand(input));
    return {
      items: Items.flatMap((item) => jobFromItem(item) ?? []),
      ...(LastEvaluatedKey ? { nextCursor: encodeCursor(index, LastEvaluatedKey) } : {}),
    };
  }

  private async byStatus(status: JobStatus, limit: number, oldestFirst: boolean): Promise<JobRecord[]> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: JOB_INDEXES.byStatus,
        KeyConditionExpression: "#s = :s",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":s": status },
        ScanIndexForward: oldestFirst,
        Limit: limit,
      }),
    );
    return Items.flatMap((item) => jobFromItem(item) ?? []);
  }

  queued(limit: number): Promise<JobRecord[]> {
    return this.byStatus("queued", limit, true);
  }

  running(limit: number): Promise<JobRecord[]> {
    return this.byStatus("running", limit, true);
  }

  async recent(limit: number): Promise<JobRecord[]> {
    const items: JobRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.list({ limit: Math.min(100, limit - items.length), ...(cursor ? { cursor } : {}) });
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor && items.length < limit);
    return items;
  }

  async claim(jobId: string, maxRunning: number, at: string): Promise<"claimed" | "no-slot" | "not-queued"> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: { jobId: SLOTS_KEY },
                UpdateExpression: "SET running = if_not_exists(running, :zero) + :one",
                ConditionExpression: "attribute_not_exists(running) OR running < :max",
                ExpressionAttributeValues: { ":zero": 0, ":one": 1, ":max": maxRunning },
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: { jobId },
                UpdateExpression: "SET #s = :running, startedAt = :at, heartbeatAt = :at",
                ConditionExpression: "#s = :queued",
                ExpressionAttributeNames: { "#s": "status" },
                ExpressionAttributeValues: { ":running": "running", ":queued": "queued", ":at": at },
              },
            },
          ],
        }),
      );
      return "claimed";
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [slot] = error.CancellationReasons ?? [];
      return slot?.Code === "ConditionalCheckFailed" ? "no-slot" : "not-queued";
    }
  }

  async recordTask(jobId: string, taskArn: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { jobId },
        UpdateExpression: "SET taskArn = :arn",
        ConditionExpression: "attribute_exists(jobId)",
        ExpressionAttributeValues: { ":arn": taskArn },
      }),
    );
  }

  async finish(jobId: string, from: "queued" | "running", ending: JobEnding): Promise<boolean> {
    const names: Record<string, string> = { "#s": "status" };
    const values: Record<string, unknown> = { ":from": from, ":to": ending.status, ":at": ending.at };
    const sets = ["#s = :to", "finishedAt = :at"];
    if (ending.reason !== undefined) {
      sets.push("reason = :reason");
      values[":reason"] = ending.reason;
    }
    if (ending.result !== undefined) {
      sets.push("#result = :result");
      names["#result"] = "result";
      values[":result"] = ending.result;
    }
    const job = {
      TableName: this.tableName,
      Key: { jobId },
      UpdateExpression: `SET ${sets.join(", ")}`,
      ConditionExpression: "#s = :from",
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
    try {
      if (from === "queued") {
        await this.db.send(new UpdateCommand(job));
      } else {
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Update: job },
              {
                Update: {
                  TableName: this.tableName,
                  Key: { jobId: SLOTS_KEY },
                  UpdateExpression: "SET running = running - :one",
                  ConditionExpression: "running > :zero",
                  ExpressionAttributeValues: { ":one": 1, ":zero": 0 },
                },
              },
            ],
          }),
        );
      }
      return true;
    } catch (error) {
      if (failedCondition(error)) return false;
      throw error;
    }
  }

  async report(jobId: string, progress: JobProgress): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { jobId },
          UpdateExpression: "SET progress = :p, heartbeatAt = :at",
          // An older report arriving late never overwrites a newer one.
          ConditionExpression: "#s = :running AND (attribute_not_exists(progress) OR progress.#seq < :seq)",
          ExpressionAttributeNames: { "#s": "status", "#seq": "sequence" },
          ExpressionAttributeValues: {
            ":p": progress,
            ":at": progress.reportedAt,
            ":running": "running",
            ":seq": progress.sequence,
          },
        }),
      );
      return true;
    } catch (error) {
      if (!failedCondition(error)) throw error;
      return (await this.get(jobId))?.status === "running";
    }
  }

  async heartbeat(jobId: string, at: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { jobId },
          UpdateExpression: "SET heartbeatAt = :at",
          ConditionExpression: "#s = :running",
          ExpressionAttributeNames: { "#s": "status" },
          ExpressionAttributeValues: { ":at": at, ":running": "running" },
        }),
      );
      return true;
    } catch (error) {
      if (failedCondition(error)) return false;
      throw error;
    }
  }

  async slotsInUse(): Promise<number> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { jobId: SLOTS_KEY }, ConsistentRead: true }),
    );
    return typeof Item?.running === "number" ? Item.running : 0;
  }
}
