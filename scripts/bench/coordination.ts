import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { INSIGHT_SHARDS } from "#coordination/adapters/dynamodb-insight-store";
import { ACTIVE_LOCKS_INDEX } from "#coordination/adapters/dynamodb-lock-store";
import { SharedMemory } from "#coordination/published/insights";
import { ResourceLocks } from "#coordination/published/locks";
import { summarize } from "./stats";

/**
 * The coordination service's figures, each beside raw DynamoDB on the same emulator in the same
 * run: acquire/release uncontended and with 20 contenders on one resource (and fairness: the
 * longest wait), and memory operations per second (insight put/get) against a PutItem/GetItem
 * loop. Needs only the emulator: it creates the two tables with the stack's key layout.
 */
export async function coordinationBenchmark(options: { rounds: number; contenders: number; seconds: number; inFlight: number }) {
  const raw = new DynamoDBClient({});
  const db = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const locksTable = "bench-locks";
  const insightsTable = "bench-insights";
  const baselineTable = "bench-raw";
  await raw.send(
    new CreateTableCommand({
      TableName: locksTable,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: "resource", AttributeType: "S" },
        { AttributeName: "active", AttributeType: "S" },
        { AttributeName: "activeUntil", AttributeType: "N" },
      ],
      KeySchema: [{ AttributeName: "resource", KeyType: "HASH" }],
      GlobalSecondaryIndexes: [
        {
          IndexName: ACTIVE_LOCKS_INDEX,
          KeySchema: [
            { AttributeName: "active", KeyType: "HASH" },
            { AttributeName: "activeUntil", KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "ALL" },
        },
      ],
    }),
  );
  for (const [name, keys] of [
    [insightsTable, ["shard", "sk"]],
    [baselineTable, ["pk"]],
  ] as const) {
    await raw.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: keys.map((k) => ({ AttributeName: k, AttributeType: "S" })),
        KeySchema: keys.map((k, i) => ({ AttributeName: k, KeyType: i === 0 ? "HASH" : "RANGE" })),
      }),
    );
  }
  const time = async (work: () => Promise<unknown>) => {
    const started = performance.now();
    await work();
    return performance.now() - started;
  };

  // Raw DynamoDB: one PutItem and one GetItem (consistent), the floor any lock operation stands on.
  const rawPut: number[] = [];
  const rawGet: number[] = [];
  for (let i = -10; i < options.rounds; i++) {
    const put = await time(() => db.send(new PutCommand({ TableName: baselineTable, Item: { pk: `k${i % 20}`, v: i } })));
    const get = await time(() =>
      db.send(new GetCommand({ TableName: baselineTable, Key: { pk: `k${i % 20}` }, ConsistentRead: true })),
    );
    if (i < 0) continue;
    rawPut.push(put);
    rawGet.push(get);
  }

  // Uncontended: one holder acquires and releases, again and again.
  const locks = new ResourceLocks({ db, tableName: locksTable });
  const acquire: number[] = [];
  const release: number[] = [];
  for (let i = -10; i < options.rounds; i++) {
    let lease: Awaited<ReturnType<typeof locks.acquire>> | undefined;
    const a = await time(async () => {
      lease = await locks.acquire(
        { resource: "bench/uncontended", mode: "exclusive", ttlMs: 10_000, holder: "bench", requestKey: `u${i}` },
        { timeoutMs: 10_000 },
      );
    });
    const r = await time(() => locks.release(lease as NonNullable<typeof lease>));
    if (i < 0) continue;
    acquire.push(a);
    release.push(r);
  }

  // 20 contenders on one resource, each taking it `rounds / 10` times, holding it 5 ms each time.
  const perContender = Math.max(1, Math.floor(options.rounds / 10));
  const waits: number[] = [];
  const contendedRelease: number[] = [];
  const startedAll = performance.now();
  await Promise.all(
    Array.from({ length: options.contenders }, async (_, c) => {
      const mine = new ResourceLocks({ db, tableName: locksTable });
      for (let i = 0; i < perContender; i++) {
        const asked = performance.now();
        const lease = await mine.acquire(
          { resource: "bench/contended", mode: "exclusive", ttlMs: 10_000, holder: `bench:${c}`, requestKey: `c${c}-${i}` },
          { timeoutMs: 120_000 },
        );
        waits.push(performance.now() - asked);
        await new Promise((resolve) => setTimeout(resolve, 5));
        contendedRelease.push(await time(() => mine.release(lease)));
      }
    }),
  );
  const contendedSeconds = (performance.now() - startedAll) / 1_000;

  // Memory operations: publish and read insights with `inFlight` at once, for `seconds`, beside the same loop of raw PutItem/GetItem.
  const memory = new SharedMemory({ db, tableName: insightsTable, contributor: "agent:bench" });
  const rate = async (op: (i: number) => Promise<unknown>) => {
    let done = 0;
    const until = performance.now() + options.seconds * 1_000;
    await Promise.all(
      Array.from({ length: options.inFlight }, async (_, w) => {
        for (let i = 0; performance.now() < until; i++) {
          await op(w * 1_000_000 + i);
          done++;
        }
      }),
    );
    return Math.round(done / options.seconds);
  };
  const memoryOps = await rate((i) =>
    i % 2 === 0
      ? memory.publish({ topic: "bench.sources", key: `host-${i % 200}`, value: { p50: i }, confidence: 0.5, ttlSeconds: 600 })
      : memory.get("bench.sources", `host-${(i - 1) % 200}`),
  );
  const rawOps = await rate((i) =>
    i % 2 === 0
      ? db.send(new PutCommand({ TableName: baselineTable, Item: { pk: `m${i % 200}`, v: i } }))
      : db.send(new GetCommand({ TableName: baselineTable, Key: { pk: `m${(i - 1) % 200}` }, ConsistentRead: true })),
  );
  raw.destroy();

  const p50 = (values: number[]) => summarize(values).p50;
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  return {
    rounds: options.rounds,
    baseline: { putItemMs: summarize(rawPut), getItemMs: summarize(rawGet) },
    uncontended: {
      acquireMs: summarize(acquire),
      releaseMs: summarize(release),
      acquireVsPutItemP50: ratio(p50(acquire), p50(rawPut)),
      releaseVsPutItemP50: ratio(p50(release), p50(rawPut)),
    },
    contended: {
      contenders: options.contenders,
      grants: waits.length,
      grantsPerSecond: Math.round((waits.length / contendedSeconds) * 10) / 10,
      waitMs: summarize(waits),
      releaseMs: summarize(contendedRelease),
      /** Fairness: the longest any contender waited, against the ideal of everyone ahead of it holding once. */
      maxWaitMs: Math.round(Math.max(...waits)),
      maxWaitVsIdealFifo: ratio(Math.max(...waits), (options.contenders - 1) * (p50(contendedRelease) + 5 + p50(acquire))),
      releaseVsPutItemP50: ratio(p50(contendedRelease), p50(rawPut)),
    },
    memory: {
      inFlight: options.inFlight,
      seconds: options.seconds,
      insightOpsPerSecond: memoryOps,
      rawPutGetOpsPerSecond: rawOps,
      ratioToRaw: ratio(memoryOps, rawOps),
      seedTargetOpsPerSecond: 10_000,
      onAws: {
        shardsPerTopic: INSIGHT_SHARDS,
        note:
          "Each op is one DynamoDB request (a put is one PutItem of < 1 KB: 1 WCU; a get is one strongly consistent Query of one key: 1 RCU). " +
          "A partition serves 1,000 WCU/s and 3,000 RCU/s; a topic spreads its keys over 8 partition keys, so a 50/50 mix on ONE topic " +
          "is capped near 8 × 1,000 writes + 8 × 3,000 reads = 32,000 ops/s ≥ 10,000, and many topics scale further. " +
          "On-demand tables start at 4,000 WCU / 12,000 RCU of instant capacity (peak doubling after that), so 5,000 writes/s needs " +
          "warm throughput (or one earlier peak) first. 10,000 ops/s at 50/50 = 5,000 writes + 5,000 strong reads a second ≈ $0.0031 + $0.0006 per second on-demand (us-east-1 list prices: $0.625 per million writes, $0.125 per million reads), about $13 an hour.",
      },
    },
  };
}
