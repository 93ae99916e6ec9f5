import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import {
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
} from "@aws-sdk/lib-dynamodb";
import type { AwsClientStub } from "aws-sdk-client-mock";

type Item = Record<string, unknown>;
type Key = { pk: unknown; sk: unknown };

/**
 * One `pk`/`sk` table with a `by-sk` index (sk, pk), holding what the adapters write and
 * answering the few expressions they send. Anything else throws, so a test can never pass on
 * an expression the fake silently ignored. Writes land at once; there is no eventual
 * consistency, which is what lets a test interleave two callers step by step.
 */
export class FakeDynamoTable {
  readonly items = new Map<string, Item>();

  /** Answers the document client's commands from this table. */
  serve(mock: AwsClientStub<DynamoDBDocumentClient>): this {
    mock.on(GetCommand).callsFake(async (input: GetCommandInput) => this.get(input));
    mock.on(PutCommand).callsFake(async (input: PutCommandInput) => this.put(input));
    mock.on(DeleteCommand).callsFake(async (input: DeleteCommandInput) => this.delete(input));
    mock.on(QueryCommand).callsFake(async (input: QueryCommandInput) => this.query(input));
    mock.on(BatchWriteCommand).callsFake(async (input: BatchWriteCommandInput) => this.batchWrite(input));
    return this;
  }

  get(input: GetCommandInput) {
    const item = this.items.get(keyOf(input.Key as Key));
    return item ? { Item: structuredClone(item) } : {};
  }

  put(input: PutCommandInput) {
    const item = input.Item as Item;
    const key = keyOf(item as Key);
    this.check(input, this.items.get(key));
    this.items.set(key, structuredClone(item));
    return {};
  }

  delete(input: DeleteCommandInput) {
    const key = keyOf(input.Key as Key);
    const old = this.items.get(key);
    this.items.delete(key);
    return input.ReturnValues === "ALL_OLD" && old ? { Attributes: old } : {};
  }

  batchWrite(input: BatchWriteCommandInput) {
    for (const requests of Object.values(input.RequestItems ?? {})) {
      for (const request of requests) {
        if (request.PutRequest)
          this.items.set(keyOf(request.PutRequest.Item as Key), structuredClone(request.PutRequest.Item as Item));
        if (request.DeleteRequest) this.items.delete(keyOf(request.DeleteRequest.Key as Key));
      }
    }
    return { UnprocessedItems: {} };
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
      const start = keyOf(input.ExclusiveStartKey as Key);
      found = found.slice(found.findIndex((item) => keyOf(item as Key) === start) + 1);
    }
    const page = input.Limit !== undefined ? found.slice(0, input.Limit) : found;
    // Like DynamoDB, a page cut short by Limit carries a LastEvaluatedKey even if nothing follows.
    const last = page.at(-1);
    const limited = input.Limit !== undefined && page.length === input.Limit && last;
    return {
      Items: page.map((item) => structuredClone(item)),
      ...(limited ? { LastEvaluatedKey: { pk: last.pk, sk: last.sk } } : {}),
    };
  }

  private check(input: PutCommandInput, existing: Item | undefined) {
    const condition = input.ConditionExpression;
    if (condition === undefined) return;
    let holds: boolean;
    if (condition === "attribute_not_exists(pk)") holds = existing === undefined;
    else if (condition === "attribute_not_exists(#v)")
      holds = existing !== undefined && existing[input.ExpressionAttributeNames?.["#v"] ?? ""] === undefined;
    else if (condition === "#v = :v")
      holds = existing?.[input.ExpressionAttributeNames?.["#v"] ?? ""] === input.ExpressionAttributeValues?.[":v"];
    else throw new Error(`fake table does not understand the condition ${condition}`);
    if (!holds) throw new ConditionalCheckFailedException({ message: "The conditional request failed", $metadata: {} });
  }
}

const keyOf = (key: Key) => JSON.stringify([key.pk, key.sk]);

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
