import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { type ConditionalUpdate, updateExpressionsOf, type WriteCondition } from "#shared/adapters/conditional-update";
import { decodeCursor, encodeCursor } from "#shared/adapters/page-cursor";
import { ModelSummary, ModelVersion, type ModelVersionsQuery } from "../domain/model-version";
import type { ModelRegistryStore, PromotionSettlement, RegisterResult, VersionRef } from "../domain/ports";
import type { VersionWrite } from "../domain/transitions";

type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/**
 * The models table (`pk`, `sk`):
 *
 *   MODEL#<name>       V#<number, 10 digits>   a version (newest last, so a reverse query pages newest first)
 *   MODELS             <name>                  the model's summary: its latest number, the promoted version
 *   JOB#<jobId>        REGISTRATION            the version a job registered (registration's idempotency)
 *   PROMOTION#<id>     PROMOTION               the version a recommendation promotes
 *   DOCUMENT#<name>    PROMOTED                the version a settings document holds, as far as promotions went
 *
 * A version's pending promotion id is kept at the top level too (`pendingRecommendationId`), so
 * a write can be conditional on it.
 */
const versionKey = (ref: { name: string; number: number }) => ({
  pk: `MODEL#${ref.name}`,
  sk: `V#${String(ref.number).padStart(10, "0")}`,
});
const numberOf = (label: string) => Number(label.slice(1));
const refKey = (ref: VersionRef) => versionKey({ name: ref.name, number: numberOf(ref.version) });
const summaryKey = (name: string) => ({ pk: "MODELS", sk: name });
const jobKey = (jobId: string) => ({ pk: `JOB#${jobId}`, sk: "REGISTRATION" });
const promotionKey = (id: string) => ({ pk: `PROMOTION#${id}`, sk: "PROMOTION" });
const documentKey = (document: string) => ({ pk: `DOCUMENT#${document}`, sk: "PROMOTED" });

const toItem = (version: ModelVersion) => ({
  ...version,
  ...versionKey(version),
  ...(version.promotion ? { pendingRecommendationId: version.promotion.recommendationId } : {}),
});
function fromItem(item: Record<string, unknown>): ModelVersion {
  const { pk: _pk, sk: _sk, pendingRecommendationId: _pending, ...rest } = item;
  return ModelVersion.parse(rest);
}
function summaryFrom(item: Record<string, unknown>): ModelSummary {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return ModelSummary.parse(rest);
}
const refFrom = (item: Record<string, unknown> | undefined): VersionRef | undefined =>
  typeof item?.name === "string" && typeof item.version === "string" ? { name: item.name, version: item.version } : undefined;

/** A version write as a conditional update of its item (the pending id mirrored at the top level). */
export function conditionalUpdateOf(write: VersionWrite): ConditionalUpdate {
  const conditions: WriteCondition[] = [{ attribute: "status", oneOf: write.from }];
  if (write.pending === null) conditions.push({ attribute: "pendingRecommendationId", exists: false });
  if (typeof write.pending === "string") conditions.push({ attribute: "pendingRecommendationId", equals: write.pending });
  if (write.attempts !== undefined) conditions.push({ attribute: "promotionAttempts", equals: write.attempts });
  const set: Record<string, unknown> = { ...write.set };
  if (write.set.promotion) set.pendingRecommendationId = write.set.promotion.recommendationId;
  const remove: string[] = [...(write.remove ?? [])];
  if (remove.includes("promotion")) remove.push("pendingRecommendationId");
  return { conditions, set, remove };
}

/** Which of a transaction's items failed its condition, by index. */
const failedConditions = (error: unknown): number[] | undefined =>
  error instanceof TransactionCanceledException
    ? (error.CancellationReasons ?? []).flatMap((reason, index) => (reason.Code === "ConditionalCheckFailed" ? [index] : []))
    : undefined;

const VERSIONS_CURSOR = "versions";

export class DynamoDbModelStore implements ModelRegistryStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async item(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return Item;
  }

  private update(key: { pk: string; sk: string }, write: VersionWrite): TransactItem {
    return { Update: { TableName: this.tableName, Key: key, ...updateExpressionsOf(conditionalUpdateOf(write)) } };
  }

  /** True when every item was written; false when one's condition failed; other failures throw. */
  private async transact(items: TransactItem[]): Promise<true | number[]> {
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
      return true;
    } catch (error) {
      const failed = failedConditions(error);
      if (failed && failed.length > 0) return failed;
      throw error;
    }
  }

  async registrationOf(jobId: string) {
    return refFrom(await this.item(jobKey(jobId)));
  }

  async summary(name: string) {
    const item = await this.item(summaryKey(name));
    return item ? summaryFrom(item) : undefined;
  }

  async register(version: ModelVersion): Promise<RegisterResult> {
    const previous = version.number - 1;
    const summary =
      previous === 0
        ? {
            Put: {
              TableName: this.tableName,
              Item: {
                ...summaryKey(version.name),
                name: version.name,
                versions: 1,
                latestVersion: version.version,
                createdAt: version.createdAt,
                updatedAt: version.createdAt,
              },
              ConditionExpression: "attribute_not_exists(pk)",
            },
          }
        : {
            Update: {
              TableName: this.tableName,
              Key: summaryKey(version.name),
              ...updateExpressionsOf({
                conditions: [{ attribute: "versions", equals: previous }],
                set: { versions: version.number, latestVersion: version.version, updatedAt: version.createdAt },
              }),
            },
          };
    const written = await this.transact([
      {
        Put: {
          TableName: this.tableName,
          Item: { ...jobKey(version.jobId), name: version.name, version: version.version },
          ConditionExpression: "attribute_not_exists(pk)",
        },
      },
      summary,
      { Put: { TableName: this.tableName, Item: toItem(version), ConditionExpression: "attribute_not_exists(pk)" } },
    ]);
    if (written === true) return "registered";
    return written.includes(0) ? "job-registered" : "number-taken";
  }

  async get(ref: VersionRef) {
    const item = await this.item(refKey(ref));
    return item ? fromItem(item) : undefined;
  }

  async listVersions(name: string, query: ModelVersionsQuery) {
    const pk = `MODEL#${name}`;
    const start = query.cursor
      ? decodeCursor(query.cursor, { index: VERSIONS_CURSOR, keys: { pk: "S", sk: "S" }, fixed: { pk } })
      : undefined;
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :v)",
        ExpressionAttributeValues: { ":pk": pk, ":v": "V#" },
        ScanIndexForward: false,
        Limit: query.limit,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    return {
      items: (page.Items ?? []).map(fromItem),
      ...(page.LastEvaluatedKey ? { nextCursor: encodeCursor(VERSIONS_CURSOR, page.LastEvaluatedKey) } : {}),
    };
  }

  async listModels() {
    const models: ModelSummary[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": "MODELS" },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      models.push(...(page.Items ?? []).map(summaryFrom));
      start = page.LastEvaluatedKey;
    } while (start);
    return models;
  }

  async startPromotion(ref: VersionRef, write: VersionWrite, recommendationId: string) {
    const written = await this.transact([
      this.update(refKey(ref), write),
      {
        Put: {
          TableName: this.tableName,
          Item: { ...promotionKey(recommendationId), name: ref.name, version: ref.version },
          ConditionExpression: "attribute_not_exists(pk)",
        },
      },
    ]);
    return written === true;
  }

  async promotionOf(recommendationId: string) {
    return refFrom(await this.item(promotionKey(recommendationId)));
  }

  async promotedFor(document: string) {
    return refFrom(await this.item(documentKey(document)));
  }

  async settle(settlement: PromotionSettlement, document: string) {
    const { ref, write, replaces } = settlement;
    const items: TransactItem[] = [this.update(refKey(ref), write)];
    if (replaces) {
      const at = write.set.updatedAt ?? new Date().toISOString();
      items.push({ Put: { TableName: this.tableName, Item: { ...documentKey(document), ...ref, updatedAt: at } } });
      items.push({
        Update: {
          TableName: this.tableName,
          Key: summaryKey(ref.name),
          ...updateExpressionsOf({
            conditions: [{ attribute: "pk", exists: true }],
            set: { promotedVersion: ref.version, updatedAt: at },
          }),
        },
      });
      if (replaces.ref) {
        items.push(this.update(refKey(replaces.ref), replaces.write));
        if (replaces.ref.name !== ref.name) {
          items.push({
            Update: {
              TableName: this.tableName,
              Key: summaryKey(replaces.ref.name),
              ...updateExpressionsOf({
                conditions: [{ attribute: "pk", exists: true }],
                set: { updatedAt: at },
                remove: ["promotedVersion"],
              }),
            },
          });
        }
      }
    }
    return (await this.transact(items)) === true;
  }
}
