import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { AttributeValue, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { DynamoDbTaskStats } from "#tasks/adapters/dynamodb-task-stats";
import { toItem } from "#tasks/adapters/dynamodb-task-store";
import { taskChangeOf } from "#tasks/adapters/task-stream";
import type { TaskStatsStore } from "#tasks/domain/ports";
import { InstanceSentLedger } from "#tasks/adapters/instance-sent-ledger";
import { type RelayBatchPorts, relayBatch as relayRecords } from "#tasks/domain/relay-batch";
import type { Task } from "#tasks/domain/task";
import { countKey, statsDelta } from "#tasks/domain/task-stats";
import { FakeDynamoTable } from "../../support/fake-dynamo-table";
import { RecordingBatchPublisher, RecordingBatchTimerQueue, RecordingBatchWorkQueue } from "../../support/in-memory-batch-ports";
import { InMemoryTaskStats, UnmarkedTaskStats } from "../../support/in-memory-task-stats";
import { aTask } from "../../support/tasks";

const NOW = new Date("2026-11-23T10:00:00.000Z");

const queued = aTask({ expiresAt: "2026-11-23T11:00:00.000Z" });
const running: Task = {
  ...queued,
  status: "running",
  version: 2,
  agentId: "agent-1",
  startedAt: "2026-11-23T10:00:01.000Z",
  leaseExpiresAt: "2026-11-23T10:00:16.000Z",
  updatedAt: "2026-11-23T10:00:01.000Z",
};
const completed: Task = {
  ...running,
  status: "completed",
  version: 3,
  finishedAt: "2026-11-23T10:00:03.000Z",
  updatedAt: "2026-11-23T10:00:03.000Z",
};

const image = (task: Task) => marshall(toItem(task), { removeUndefinedValues: true }) as Record<string, AttributeValue>;
const record = (previous: Task | undefined, current: Task, sequence: number): DynamoDBRecord => ({
  eventID: `event-${sequence}`,
  eventName: previous ? "MODIFY" : "INSERT",
  dynamodb: {
    SequenceNumber: String(sequence),
    NewImage: image(current),
    ...(previous ? { OldImage: image(previous) } : {}),
  },
});
/** One task's life as the stream delivers it: submitted, claimed, completed. */
const lifeOfATask: DynamoDBStreamEvent = {
  Records: [record(undefined, queued, 1), record(queued, running, 2), record(running, completed, 3)],
};

/** Relays a batch as a fresh function instance would (nothing remembered from an earlier delivery). */
async function relayBatch(event: DynamoDBStreamEvent, stats: TaskStatsStore) {
  const ports: RelayBatchPorts = {
    queue: new RecordingBatchWorkQueue(),
    timers: new RecordingBatchTimerQueue(),
    publisher: new RecordingBatchPublisher(),
    stats,
    sent: new InstanceSentLedger(),
  };
  const outcome = await relayRecords(
    event.Records.map((r) => ({ id: r.dynamodb?.SequenceNumber ?? "", change: taskChangeOf(r) })),
    ports,
    NOW,
  );
  return { batchItemFailures: outcome.failed.map((f) => ({ itemIdentifier: f.id })) };
}

describe("a replayed stream batch", () => {
  it("leaves the counters as the first delivery left them", async () => {
    // GIVEN a batch relayed once
    const stats = new InMemoryTaskStats();
    await relayBatch(lifeOfATask, stats);
    const once = { type: await stats.ofType("data-quality"), minutes: await stats.lastMinutes(1, NOW) };

    // WHEN the stream delivers the same batch again (a retried batch after a timeout)
    const replay = await relayBatch(lifeOfATask, stats);

    // THEN nothing failed, and nothing was counted twice
    expect(replay.batchItemFailures).toEqual([]);
    expect(await stats.ofType("data-quality")).toEqual(once.type);
    expect(await stats.lastMinutes(1, NOW)).toEqual(once.minutes);
    expect(once.type).toMatchObject({ [countKey("normal", "completed")]: 1, [countKey("normal", "queued")]: 0 });
  });

  it("counts everything twice without the applied marker (the control)", async () => {
    const stats = new UnmarkedTaskStats();
    await relayBatch(lifeOfATask, stats);

    await relayBatch(lifeOfATask, stats);

    expect(await stats.ofType("data-quality")).toMatchObject({
      [countKey("normal", "completed")]: 2,
      queueTimeCount: 2,
      executionTimeCount: 2,
    });
    expect((await stats.lastMinutes(1, NOW))[0]).toMatchObject({ completed: 2 });
  });
});

describe("DynamoDbTaskStats", () => {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1" }));
  const mock = mockClient(db);
  let table: FakeDynamoTable;
  beforeEach(() => {
    mock.reset();
    table = new FakeDynamoTable(["pk"]).serve(mock);
  });

  it("adds a version's delta and its marker in one transaction, and a second delivery adds nothing", async () => {
    const stats = new DynamoDbTaskStats(db, "stats");
    const delta = statsDelta(running, completed);
    if (!delta) throw new Error("completing a task moves the counters");

    expect(await stats.applied(delta.change)).toBe(false);
    expect(await stats.apply(delta)).toBe("applied");
    expect(await stats.apply(delta)).toBe("already_applied");

    expect(await stats.applied(delta.change)).toBe(true);
    expect(await stats.ofType("data-quality")).toMatchObject({ [countKey("normal", "completed")]: 1, executionTimeCount: 1 });
    expect(table.items.get(JSON.stringify(["MINUTE#2026-11-23T10:00"]))).toMatchObject({ completed: 1, finished: 1 });
  });

  it("counts the next version of the same task (a marker is per version, not per task)", async () => {
    const stats = new DynamoDbTaskStats(db, "stats");
    const claim = statsDelta(queued, running);
    const finish = statsDelta(running, completed);
    if (!claim || !finish) throw new Error("both changes move the counters");

    await stats.apply(claim);
    await stats.apply(finish);

    expect(await stats.ofType("data-quality")).toMatchObject({
      [countKey("normal", "queued")]: -1,
      [countKey("normal", "running")]: 0,
      [countKey("normal", "completed")]: 1,
    });
  });
});
