import { type AttributeValue, ConditionalCheckFailedException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { decodeCursor, encodeCursor } from "#shared/adapters/page-cursor";
import { updateExpressionOf } from "#shared/adapters/update-expression";
import type { UpdatePlan } from "#shared/update-plan";
import { Optimization, type OptimizationListQuery, PipelineStep } from "../domain/optimization";
import type { MetricCounters, OptimizationStore } from "../domain/ports";

type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/**
 * The optimizations table (`pk`, `sk`):
 *
 *   OPT#<id>     RECORD                      the recommendation (its `patch` as JSON text)
 *   OPT#<id>     STEP#<at>#<name>            a step the pipeline took
 *   METRICS      TOTALS                      outcome counters, decision and apply time sums
 *   DOC#<name>   FENCE | VID#<v> | V#<at>#<v>  the settings ledger (dynamodb-version-ledger.ts)
 *
 * Only records carry `listKey`, `status` and `target`, so the three list indexes hold records
 * alone, newest first by `createdAt`. The stream (new and old images) is the outbox of the
 * optimization events. Task tokens live in a table of their own, which no stream and no
 * reading function sees.
 */
export const OPTIMIZATION_INDEXES = {
  byTime: "by-time",
  byStatus: "by-status",
  byTarget: "by-target",
} as const;
export const RECORD_SK = "RECORD";
const LIST_KEY = "OPT";
export const recordPk = (id: string) => `OPT#${id}`;

const KEY_SHAPES = {
  [OPTIMIZATION_INDEXES.byTime]: { pk: "S", sk: "S", listKey: "S", createdAt: "S" },
  [OPTIMIZATION_INDEXES.byStatus]: { pk: "S", sk: "S", status: "S", createdAt: "S" },
  [OPTIMIZATION_INDEXES.byTarget]: { pk: "S", sk: "S", target: "S", createdAt: "S" },
} as const;

/** A record as a row: its patch as text (DynamoDB maps refuse some JSON), plus its keys. */
function toItem(record: Optimization): Record<string, unknown> {
  return {
    ...record,
    patch: JSON.stringify(record.patch),
    pk: recordPk(record.recommendationId),
    sk: RECORD_SK,
    listKey: LIST_KEY,
  };
}

/** A stored row as a record; a row that does not decode is corruption and is reported, not guessed at. */
export function fromItem(item: Record<string, unknown>): Optimization {
  const { pk: _pk, sk: _sk, listKey: _listKey, ...rest } = item;
  return Optimization.parse({ ...rest, patch: typeof rest.patch === "string" ? JSON.parse(rest.patch) : rest.patch });
}

const conditionFailed = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some((reason) => reason.Code === "ConditionalCheckFailed"));

/**
 * Recommendations in DynamoDB: every change is one conditional write built from the domain's
 * plan; settling and waiting for approval are transactions (with the metrics row, with the
 * token row).
 */
export class DynamoDbOptimizationStore implements OptimizationStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** The task tokens' table; only the functions that wait for and make decisions have it. */
    private readonly tokensTable?: string,
  ) {}

  async create(record: Optimization): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({ TableName: this.tableName, Item: toItem(record), ConditionExpression: "attribute_not_exists(pk)" }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }

  async get(recommendationId: string): Promise<Optimization | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: recordPk(recommendationId), sk: RECORD_SK }, ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : undefined;
  }

  async apply(recommendationId: string, plan: UpdatePlan) {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: recordPk(recommendationId), sk: RECORD_SK },
          ...updateExpressionOf(plan, "pk"),
          ReturnValues: "ALL_NEW",
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      if (!Attributes) throw new Error(`UpdateItem (${plan.kind}) on ${recommendationId} returned nothing`);
      return { applied: true as const, record: fromItem(Attributes) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // The document client unmarshalls responses, not errors: the old item comes as raw attribute values.
      const current = error.Item
        ? fromItem(unmarshall(error.Item as Record<string, AttributeValue>))
        : await this.get(recommendationId);
      return current ? { applied: false as const, current } : { applied: false as const };
    }
  }

  async settle(recommendationId: string, plan: UpdatePlan, counters: MetricCounters): Promise<boolean> {
    const adds = Object.keys(counters);
    return this.updateWith(recommendationId, plan, {
      Update: {
        TableName: this.tableName,
        Key: { pk: "METRICS", sk: "TOTALS" },
        UpdateExpression: `ADD ${adds.map((_, i) => `#c${i} :c${i}`).join(", ")}`,
        ExpressionAttributeNames: Object.fromEntries(adds.map((name, i) => [`#c${i}`, name])),
        ExpressionAttributeValues: Object.fromEntries(adds.map((name, i) => [`:c${i}`, counters[name]])),
      },
    });
  }

  async awaitDecision(recommendationId: string, plan: UpdatePlan, token: string, tokenExpiresAt: string): Promise<boolean> {
    return this.updateWith(recommendationId, plan, {
      Put: {
        TableName: this.tokens(),
        Item: { recommendationId, token, expiresAt: Math.floor(Date.parse(tokenExpiresAt) / 1000) },
      },
    });
  }

  /** The record's planned update and one more write, all or nothing; false when the plan's condition failed. */
  private async updateWith(recommendationId: string, plan: UpdatePlan, alongside: TransactItem): Promise<boolean> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: { pk: recordPk(recommendationId), sk: RECORD_SK },
                ...updateExpressionOf(plan, "pk"),
              },
            },
            alongside,
          ],
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }

  async takeToken(recommendationId: string): Promise<string | undefined> {
    const { Attributes } = await this.db.send(
      new DeleteCommand({ TableName: this.tokens(), Key: { recommendationId }, ReturnValues: "ALL_OLD" }),
    );
    return typeof Attributes?.token === "string" ? Attributes.token : undefined;
  }

  async addStep(recommendationId: string, step: PipelineStep): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: recordPk(recommendationId), sk: `STEP#${step.at}#${step.name}`, ...step },
      }),
    );
  }

  async steps(recommendationId: string): Promise<PipelineStep[]> {
    const steps: PipelineStep[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :step)",
          ExpressionAttributeValues: { ":pk": recordPk(recommendationId), ":step": "STEP#" },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? [])
        steps.push(PipelineStep.parse({ name: item.name, outcome: item.outcome, detail: item.detail, at: item.at }));
      start = page.LastEvaluatedKey;
    } while (start);
    return steps;
  }

  async list(query: OptimizationListQuery): Promise<{ items: Optimization[]; nextCursor?: string }> {
    const [index, partition]: [keyof typeof KEY_SHAPES, Record<string, string>] = query.status
      ? [OPTIMIZATION_INDEXES.byStatus, { status: query.status }]
      : query.target
        ? [OPTIMIZATION_INDEXES.byTarget, { target: query.target }]
        : [OPTIMIZATION_INDEXES.byTime, { listKey: LIST_KEY }];
    const [[field, value]] = Object.entries(partition) as [[string, string]];
    const filterTarget = query.status !== undefined && query.target !== undefined;
    let start = query.cursor ? decodeCursor(query.cursor, { index, keys: KEY_SHAPES[index], fixed: partition }) : undefined;
    const items: Optimization[] = [];
    // A filter may leave pages short; read on, but never more than ten pages for one answer.
    for (let pages = 0; pages < 10 && items.length < query.limit; pages++) {
      const input: QueryCommandInput = {
        TableName: this.tableName,
        IndexName: index,
        KeyConditionExpression: "#field = :value",
        ExpressionAttributeNames: { "#field": field, ...(filterTarget ? { "#target": "target" } : {}) },
        ExpressionAttributeValues: { ":value": value, ...(filterTarget ? { ":target": query.target } : {}) },
        ...(filterTarget ? { FilterExpression: "#target = :target" } : {}),
        ScanIndexForward: false,
        Limit: query.limit - items.length,
        ExclusiveStartKey: start,
      };
      const page = await this.db.send(new QueryCommand(input));
      items.push(...(page.Items ?? []).map(fromItem));
      start = page.LastEvaluatedKey as Record<string, string | number> | undefined;
      if (!start) break;
    }
    return { items, ...(start ? { nextCursor: encodeCursor(index, start) } : {}) };
  }

  async counters(): Promise<MetricCounters> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: "METRICS", sk: "TOTALS" } }));
    return Object.fromEntries(
      Object.entries(Item ?? {}).filter((entry): entry is [string, number] => typeof entry[1] === "number"),
    );
  }

  private tokens(): string {
    if (!this.tokensTable) throw new Error("this function was given no task-token table: it may not wait for or make decisions");
    return this.tokensTable;
  }
}
