import {
  BatchGetCommand,
  type BatchGetCommandInput,
  DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pageAcrossPartitions, type PartitionedList } from "#shared/adapters/partition-pages";

type Item = { id: string; part: string; at: string; status: string };

/**
 * A one-index DynamoDB as QueryCommand and BatchGetCommand see it: partitions by `part`, sorted
 * by `at` then `id`, with ExclusiveStartKey, Limit (counted before the filter, as DynamoDB
 * counts it), ScanIndexForward, an equality FilterExpression and BatchGet by `id`.
 */
function serve(items: readonly Item[]) {
  const mock = mockClient(DynamoDBDocumentClient);
  const order = (a: Item, b: Item) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id);
  mock.on(QueryCommand).callsFake(async (input: QueryCommandInput) => {
    const values = input.ExpressionAttributeValues ?? {};
    const inPartition = items.filter((i) => i.part === values[":pk"]).sort(order);
    if (!input.ScanIndexForward) inPartition.reverse();
    const start = input.ExclusiveStartKey as Item | undefined;
    const from = start ? inPartition.findIndex((i) => i.id === start.id) + 1 : 0;
    const read = inPartition.slice(from, from + (input.Limit ?? Infinity));
    const wanted = values[":f0"];
    const last = read.at(-1);
    return {
      Items: read.filter((i) => wanted === undefined || i.status === wanted),
      ...(from + read.length < inPartition.length && last
        ? { LastEvaluatedKey: { id: last.id, part: last.part, at: last.at } }
        : {}),
    };
  });
  mock.on(BatchGetCommand).callsFake(async (input: BatchGetCommandInput) => {
    const keys = (input.RequestItems?.t?.Keys ?? []) as { id: string }[];
    return { Responses: { t: keys.map((k) => items.find((i) => i.id === k.id)) } };
  });
  return DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1" }));
}

const PARTITIONS = ["a", "b", "c"] as const;
const list = (filter?: string): PartitionedList => ({
  table: "t",
  index: "i",
  tableKey: "id",
  partitionKey: "part",
  partitions: PARTITIONS,
  sortKey: "at",
  descending: true,
  ...(filter ? { filter: { status: filter } } : {}),
});

async function walk(db: DynamoDBDocumentClient, l: PartitionedList, limit: number): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 500; pages++) {
    const page = await pageAcrossPartitions(db, l, { limit, ...(cursor ? { cursor } : {}) });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    seen.push(...page.items.map((i) => String(i.id)));
    cursor = page.nextCursor;
    if (!cursor) return seen;
  }
  throw new Error("the walk never ended");
}

describe("pageAcrossPartitions", () => {
  it("walks every partition in order, each newest first, with no item twice and none left out (property)", async () => {
    const item = fc.record({
      part: fc.constantFrom(...PARTITIONS),
      at: fc.integer({ min: 0, max: 50 }).map((n) => `2026-12-01T10:${String(n).padStart(2, "0")}`),
      status: fc.constantFrom("healthy", "stopped"),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(item, { maxLength: 40 }),
        fc.integer({ min: 1, max: 7 }),
        fc.option(fc.constant("healthy")),
        async (raw, limit, filter) => {
          const items = raw.map((r, i) => ({ ...r, id: `id-${String(i).padStart(3, "0")}` }));
          const expected = PARTITIONS.flatMap((part) =>
            items
              .filter((i) => i.part === part && (!filter || i.status === filter))
              .sort((a, b) => b.at.localeCompare(a.at) || b.id.localeCompare(a.id))
              .map((i) => i.id),
          );
          expect(await walk(serve(items), list(filter ?? undefined), limit)).toEqual(expected);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("refuses a cursor naming a partition the list does not walk", async () => {
    const db = serve([]);
    const forged = Buffer.from(JSON.stringify({ index: "i", key: { id: "x", part: "zzz", at: "t" } })).toString("base64url");
    await expect(pageAcrossPartitions(db, list(), { limit: 5, cursor: forged })).rejects.toMatchObject({ status: 400 });
  });
});
