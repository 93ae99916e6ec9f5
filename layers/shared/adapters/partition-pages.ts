import { BatchGetCommand, type DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { RequestValidationError } from "../errors";
import { decodeCursor, encodeCursor } from "./page-cursor";

/** One list over one index: its partitions, read one after the other, each in sort-key order. */
export interface PartitionedList {
  readonly table: string;
  readonly index: string;
  /** The table's key attribute. */
  readonly tableKey: string;
  readonly partitionKey: string;
  /** The partitions, in the order the list walks them. */
  readonly partitions: readonly string[];
  readonly sortKey: string;
  /** Newest (greatest sort key) first within each partition. */
  readonly descending: boolean;
  /** Attributes (projected on the index) that must equal these values. @default none */
  readonly filter?: Readonly<Record<string, string>>;
  /** The attributes of the items to read. @default all */
  readonly projection?: readonly string[];
}

/** Index pages read per call at most, so a sparse filter answers a short page rather than walking on. */
const MAX_READS = 10;

/**
 * A page of a list that spans several partitions of an index (agents by type, by status …),
 * read through the index — never a scan — and completed with one BatchGetItem, so the index
 * can project only the keys and the filtered attributes (heartbeats then cost it no writes).
 * The cursor is the key of the last item returned; it resumes in that item's partition.
 *
 * @example
 * const { keys, nextCursor } = await pageAcrossPartitions(db, list, { limit: 50, cursor });
 */
export async function pageAcrossPartitions(
  db: DynamoDBDocumentClient,
  list: PartitionedList,
  page: { limit: number; cursor?: string },
): Promise<{ items: Record<string, unknown>[]; nextCursor?: string }> {
  const keys = { [list.tableKey]: "S", [list.partitionKey]: "S", [list.sortKey]: "S" } as const;
  let start = page.cursor ? decodeCursor(page.cursor, { index: list.index, keys }) : undefined;
  let partition = start ? list.partitions.indexOf(String(start[list.partitionKey])) : 0;
  if (partition < 0)
    throw new RequestValidationError([{ field: "cursor", message: "is not a cursor from a previous page of this list" }]);
  const filters = Object.entries(list.filter ?? {});
  const found: Record<string, unknown>[] = [];
  // One more than asked: whether it exists says whether there is a next page. Past MAX_READS the
  // page ends short — unless it is empty and has no position to resume from yet.
  for (
    let reads = 0;
    partition < list.partitions.length && found.length <= page.limit && (reads < MAX_READS || (found.length === 0 && !start));
    reads++
  ) {
    const result = await db.send(
      new QueryCommand({
        TableName: list.table,
        IndexName: list.index,
        KeyConditionExpression: "#pk = :pk",
        ...(filters.length > 0 ? { FilterExpression: filters.map((_, i) => `#f${i} = :f${i}`).join(" AND ") } : {}),
        ExpressionAttributeNames: {
          "#pk": list.partitionKey,
          ...Object.fromEntries(filters.map(([name], i) => [`#f${i}`, name])),
        },
        ExpressionAttributeValues: {
          ":pk": list.partitions[partition],
          ...Object.fromEntries(filters.map(([, value], i) => [`:f${i}`, value])),
        },
        ScanIndexForward: !list.descending,
        Limit: page.limit + 1 - found.length,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    found.push(...((result.Items ?? []) as Record<string, unknown>[]));
    start = result.LastEvaluatedKey as Record<string, string | number> | undefined;
    if (!start) partition++;
  }
  const returned = found.slice(0, page.limit);
  const more = found.length > page.limit || partition < list.partitions.length;
  const keyOf = (entry: Record<string, unknown>) => ({
    [list.tableKey]: entry[list.tableKey],
    [list.partitionKey]: entry[list.partitionKey],
    [list.sortKey]: entry[list.sortKey],
  });
  const resumeAt = !more ? undefined : returned.length > 0 ? keyOf(returned.at(-1) as Record<string, unknown>) : start;
  return {
    items: await fetchAll(db, list, returned),
    ...(resumeAt ? { nextCursor: encodeCursor(list.index, resumeAt) } : {}),
  };
}

/** The whole items behind index entries, in the entries' order (BatchGetItem, 100 keys a call, unprocessed keys retried). */
async function fetchAll(
  db: DynamoDBDocumentClient,
  list: PartitionedList,
  entries: Record<string, unknown>[],
): Promise<Record<string, unknown>[]> {
  const byKey = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < entries.length; i += 100) {
    let pending: Record<string, unknown>[] | undefined = entries
      .slice(i, i + 100)
      .map((e) => ({ [list.tableKey]: e[list.tableKey] }));
    for (let attempt = 0; pending && pending.length > 0; attempt++) {
      if (attempt === 5) throw new Error(`BatchGetItem on ${list.table} left keys unprocessed after 5 attempts`);
      const projection = list.projection
        ? {
            ProjectionExpression: list.projection.map((_, j) => `#p${j}`).join(", "),
            ExpressionAttributeNames: Object.fromEntries(list.projection.map((name, j) => [`#p${j}`, name])),
          }
        : {};
      const result = await db.send(new BatchGetCommand({ RequestItems: { [list.table]: { Keys: pending, ...projection } } }));
      for (const item of result.Responses?.[list.table] ?? []) byKey.set(String(item[list.tableKey]), item);
      pending = result.UnprocessedKeys?.[list.table]?.Keys as Record<string, unknown>[] | undefined;
    }
  }
  // An entry whose item vanished between the two reads (an expired agent) is left out.
  return entries.flatMap((e) => {
    const item = byKey.get(String(e[list.tableKey]));
    return item ? [item] : [];
  });
}
