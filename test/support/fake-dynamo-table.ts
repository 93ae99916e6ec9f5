import { ConditionalCheckFailedException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import {
  BatchGetCommand,
  type BatchGetCommandInput,
  BatchWriteCommand,
  type BatchWriteCommandInput,
  DeleteCommand,
  type DeleteCommandInput,
  type DynamoDBDocumentClient,
  GetCommand,
  type GetCommandInput,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from "@aws-sdk/lib-dynamodb";
import type { AwsClientStub } from "aws-sdk-client-mock";

type Item = Record<string, unknown>;

/**
 * One table, keyed by `pk`/`sk` with a `by-sk` index (sk, pk) unless told its key attributes,
 * holding what the adapters write and answering the few expressions they send: the key
 * conditions of their queries, and the conditional updates `updateExpressionsOf` builds. Anything
 * else throws, so a test can never pass on an expression the fake silently ignored. Writes land
 * at once; there is no eventual consistency, which is what lets a test interleave two callers
 * step by step.
 */
export class FakeDynamoTable {
  readonly items = new Map<string, Item>();

  /** @param key the table's key attributes. @default ["pk", "sk"] */
  constructor(private readonly key: readonly string[] = ["pk", "sk"]) {}

  /** Answers the document client's commands from this table. */
  serve(mock: AwsClientStub<DynamoDBDocumentClient>): this {
    mock.on(GetCommand).callsFake(async (input: GetCommandInput) => this.get(input));
    mock.on(PutCommand).callsFake(async (input: PutCommandInput) => this.put(input));
    mock.on(UpdateCommand).callsFake(async (input: UpdateCommandInput) => this.update(input));
    mock.on(DeleteCommand).callsFake(async (input: DeleteCommandInput) => this.delete(input));
    mock.on(QueryCommand).callsFake(async (input: QueryCommandInput) => this.query(input));
    mock.on(BatchWriteCommand).callsFake(async (input: BatchWriteCommandInput) => this.batchWrite(input));
    mock.on(BatchGetCommand).callsFake(async (input: BatchGetCommandInput) => this.batchGet(input));
    mock.on(TransactWriteCommand).callsFake(async (input: TransactWriteCommandInput) => this.transactWrite(input));
    return this;
  }

  get(input: GetCommandInput) {
    const item = this.items.get(this.keyOf(input.Key as Item));
    return item ? { Item: structuredClone(item) } : {};
  }

  put(input: PutCommandInput) {
    const item = input.Item as Item;
    const key = this.keyOf(item);
    this.check(input, this.items.get(key));
    this.items.set(key, structuredClone(item));
    return {};
  }

  delete(input: DeleteCommandInput) {
    const key = this.keyOf(input.Key as Item);
    const old = this.items.get(key);
    this.check(input, old);
    this.items.delete(key);
    return input.ReturnValues === "ALL_OLD" && old ? { Attributes: old } : {};
  }

  batchGet(input: BatchGetCommandInput) {
    const Responses = Object.fromEntries(
      Object.entries(input.RequestItems ?? {}).map(([table, { Keys }]) => [
        table,
        (Keys ?? []).flatMap((key) => {
          const item = this.items.get(this.keyOf(key as Item));
          return item ? [structuredClone(item)] : [];
        }),
      ]),
    );
    return { Responses, UnprocessedKeys: {} };
  }

  batchWrite(input: BatchWriteCommandInput) {
    for (const requests of Object.values(input.RequestItems ?? {})) {
      for (const request of requests) {
        if (request.PutRequest)
          this.items.set(this.keyOf(request.PutRequest.Item as Item), structuredClone(request.PutRequest.Item as Item));
        if (request.DeleteRequest) this.items.delete(this.keyOf(request.DeleteRequest.Key as Item));
      }
    }
    return { UnprocessedItems: {} };
  }

  /**
   * Puts, updates and deletes of one table, all or nothing: the first refused condition puts every item
   * back as it was and cancels the transaction with a reason per item, as DynamoDB does.
   */
  transactWrite(input: TransactWriteCommandInput) {
    const before = new Map([...this.items].map(([key, item]) => [key, structuredClone(item)]));
    const items = input.TransactItems ?? [];
    for (const [index, item] of items.entries()) {
      try {
        if (item.Put) this.put(item.Put as PutCommandInput);
        else if (item.Update) this.update(item.Update as UpdateCommandInput);
        else if (item.Delete) this.delete(item.Delete as DeleteCommandInput);
        else throw new Error("fake table: a transaction takes only Put, Update and Delete");
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        this.items.clear();
        for (const [key, old] of before) this.items.set(key, old);
        throw new TransactionCanceledException({
          message: "Transaction cancelled",
          $metadata: {},
          CancellationReasons: items.map((_, i) => ({ Code: i === index ? "ConditionalCheckFailed" : "None" })),
        });
      }
    }
    return {};
  }

  query(input: QueryCommandInput) {
    const values = input.ExpressionAttributeValues ?? {};
    const expression = input.KeyConditionExpression ?? "";
    const byIndex = input.IndexName !== undefined;
    if (byIndex && input.IndexName !== "by-sk") throw new Error(`fake table has no index ${input.IndexName}`);
    const matches = byIndex ? indexCondition(expression, values) : tableCondition(expression, values);
    const sortOn = byIndex ? "pk" : "sk";
    let found = [...this.items.values()].filter(matches).sort((a, b) => compare(a[sortOn], b[sortOn]));
    if (input.ScanIndexForward === false) found.reverse();
    if (input.ExclusiveStartKey) {
      const start = this.keyOf(input.ExclusiveStartKey as Item);
      found = found.slice(found.findIndex((item) => this.keyOf(item) === start) + 1);
    }
    const page = input.Limit !== undefined ? found.slice(0, input.Limit) : found;
    // Like DynamoDB, a page cut short by Limit carries a LastEvaluatedKey even if nothing follows.
    const last = page.at(-1);
    const limited = input.Limit !== undefined && page.length === input.Limit && last;
    const next = limited ? { LastEvaluatedKey: { pk: last.pk, sk: last.sk } } : {};
    if (input.Select === "COUNT") return { Count: page.length, ...next };
    return { Items: page.map((item) => structuredClone(item)), Count: page.length, ...next };
  }

  /**
   * An UpdateItem as `updateExpressionsOf` writes it: conditions joined by AND, then
   * `SET #a = :v, …`, `REMOVE #a, …` and `ADD #a :v, …`. Answers ALL_NEW when asked; a failed
   * condition throws with the old item (marshalled, as DynamoDB sends it) when asked for ALL_OLD.
   */
  update(input: UpdateCommandInput) {
    const names = input.ExpressionAttributeNames ?? {};
    const values = input.ExpressionAttributeValues ?? {};
    const key = this.keyOf(input.Key as Item);
    const existing = this.items.get(key);
    const name = (placeholder: string) => {
      const resolved = names[placeholder];
      if (resolved === undefined) throw new Error(`fake table: ${placeholder} names no attribute`);
      return resolved;
    };
    const value = (placeholder: string) => {
      if (!(placeholder in values)) throw new Error(`fake table: ${placeholder} has no value`);
      return values[placeholder];
    };
    if (input.ConditionExpression !== undefined) {
      const holds = input.ConditionExpression.split(" AND ").every((condition) =>
        updateCondition(condition, existing, name, value),
      );
      if (!holds) {
        throw new ConditionalCheckFailedException({
          message: "The conditional request failed",
          $metadata: {},
          ...(input.ReturnValuesOnConditionCheckFailure === "ALL_OLD" && existing
            ? { Item: marshall(existing, { removeUndefinedValues: true }) }
            : {}),
        });
      }
    }
    const clauses = /^(?:SET (?<set>.+?))?\s*(?:REMOVE (?<remove>.+?))?\s*(?:ADD (?<add>.+?))?$/.exec(
      input.UpdateExpression ?? "",
    )?.groups;
    if (!clauses || (!clauses.set && !clauses.remove && !clauses.add))
      throw new Error(`fake table does not understand the update ${input.UpdateExpression}`);
    const removed = new Set((clauses.remove?.split(", ") ?? []).map(name));
    const next: Item = Object.fromEntries(
      Object.entries(structuredClone(existing ?? { ...(input.Key as Item) })).filter(([attribute]) => !removed.has(attribute)),
    );
    for (const assignment of clauses.set?.split(", ") ?? []) {
      const [attribute, placeholder] = assignment.split(" = ");
      if (!attribute || !placeholder) throw new Error(`fake table does not understand SET ${assignment}`);
      next[name(attribute)] = structuredClone(value(placeholder));
    }
    for (const addition of clauses.add?.split(", ") ?? []) {
      const [attribute, placeholder] = addition.split(" ");
      if (!attribute || !placeholder) throw new Error(`fake table does not understand ADD ${addition}`);
      next[name(attribute)] = Number(next[name(attribute)] ?? 0) + Number(value(placeholder));
    }
    this.items.set(key, next);
    return input.ReturnValues === "ALL_NEW" ? { Attributes: structuredClone(next) } : {};
  }

  private keyOf(item: Item): string {
    return JSON.stringify(this.key.map((attribute) => item[attribute]));
  }

  private check(input: PutCommandInput | DeleteCommandInput, existing: Item | undefined) {
    const condition = input.ConditionExpression;
    if (condition === undefined) return;
    let holds: boolean;
    if (this.key.some((attribute) => condition === `attribute_not_exists(${attribute})`)) holds = existing === undefined;
    else if (this.key.some((attribute) => condition === `attribute_exists(${attribute})`)) holds = existing !== undefined;
    else if (condition === "attribute_not_exists(#v)")
      holds = existing !== undefined && existing[input.ExpressionAttributeNames?.["#v"] ?? ""] === undefined;
    else if (condition === "#v = :v")
      holds = existing?.[input.ExpressionAttributeNames?.["#v"] ?? ""] === input.ExpressionAttributeValues?.[":v"];
    else throw new Error(`fake table does not understand the condition ${condition}`);
    if (!holds) throw new ConditionalCheckFailedException({ message: "The conditional request failed", $metadata: {} });
  }
}

const compare = (a: unknown, b: unknown) =>
  typeof a === "number" && typeof b === "number" ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;

function tableCondition(expression: string, values: Record<string, unknown>): (item: Item) => boolean {
  const pk = values[":pk"];
  if (expression === "pk = :pk") return (item) => item.pk === pk;
  const prefix = /^pk = :pk AND begins_with\(sk, (:\w+)\)$/.exec(expression)?.[1];
  if (prefix) return (item) => item.pk === pk && String(item.sk).startsWith(String(values[prefix]));
  const after = /^pk = :pk AND sk > (:\w+)$/.exec(expression)?.[1];
  if (after) return (item) => item.pk === pk && compare(item.sk, values[after]) > 0;
  throw new Error(`fake table does not understand the key condition ${expression}`);
}

function indexCondition(expression: string, values: Record<string, unknown>): (item: Item) => boolean {
  if (expression === "sk = :sk") return (item) => item.sk === values[":sk"];
  throw new Error(`fake table does not understand the index key condition ${expression}`);
}

/** One condition of an update, as `updateExpressionsOf` writes them. */
function updateCondition(
  condition: string,
  item: Item | undefined,
  name: (placeholder: string) => string,
  value: (placeholder: string) => unknown,
): boolean {
  const attributeOf = (placeholder: string) => item?.[name(placeholder)];
  let match = /^attribute_(exists|not_exists)\((#\w+)\)$/.exec(condition);
  if (match) return (attributeOf(match[2] as string) !== undefined) === (match[1] === "exists");
  match = /^(#\w+) = (:\w+)$/.exec(condition);
  if (match) return attributeOf(match[1] as string) === value(match[2] as string);
  match = /^(#\w+) < (:\w+)$/.exec(condition);
  if (match) {
    const actual = attributeOf(match[1] as string);
    return actual !== undefined && compare(actual, value(match[2] as string)) < 0;
  }
  match = /^(#\w+) IN \((.+)\)$/.exec(condition);
  if (match) {
    const actual = attributeOf(match[1] as string);
    return (match[2] as string).split(", ").some((placeholder) => actual === value(placeholder));
  }
  match = /^\(attribute_not_exists\((#\w+)\) OR (#\w+) > (:\w+)\)$/.exec(condition);
  if (match && match[1] === match[2]) {
    const actual = attributeOf(match[1] as string);
    return actual === undefined || compare(actual, value(match[3] as string)) > 0;
  }
  throw new Error(`fake table does not understand the condition ${condition}`);
}
