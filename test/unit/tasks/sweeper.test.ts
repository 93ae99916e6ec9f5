import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DynamoDbStrandedTaskFinder } from "#tasks/adapters/dynamodb-stranded-task-finder";
import { SYSTEM_ALERT } from "#kernel/bus/system-alert";
import type { TaskVersionRef } from "#tasks/domain/ports";
import { statsDelta } from "#tasks/domain/task-stats";
import { type StrandedTaskFinder, type SweepLedger, type SweepPorts, sweepStrandedTasks } from "#tasks/domain/sweeper";
import type { Task } from "#tasks/domain/task";
import { planTransition } from "#tasks/domain/task-state-machine";
import { RecordingPublisher } from "../../support/events";
import { RecordingTimerQueue, RecordingWorkQueue } from "../../support/in-memory-queues";
import { InMemoryTaskStats } from "../../support/in-memory-task-stats";
import { InMemoryTaskStore } from "../../support/in-memory-task-store";
import { aTask } from "../../support/tasks";

const fail = (message: string): never => {
  throw new Error(message);
};
const T0 = new Date("2026-11-23T10:00:00.000Z");
const POLICY = { baseDelaySeconds: 0, maxDelaySeconds: 0, queuedTtlSeconds: 3600 };
const GRACE = 15;
const STRANDED_AFTER = 60;

/** The finder as the indexes answer it: queued by `queuedAt`, others by `createdAt`, oldest first. */
class StoreFinder implements StrandedTaskFinder {
  constructor(private readonly store: InMemoryTaskStore) {}
  private tasks = () => [...this.store.tasks.values()];
  async queuedBefore(before: string, limit: number, from = "") {
    return this.tasks()
      .filter((t) => t.status === "queued" && t.queuedAt >= from && t.queuedAt <= before)
      .sort((a, b) => a.queuedAt.localeCompare(b.queuedAt))
      .slice(0, limit)
      .map((t) => ({ taskId: t.taskId, queuedSince: t.queuedAt }));
  }
  async inStatus(status: "running" | "timed_out", limit: number) {
    return this.tasks()
      .filter((t) => t.status === status)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .slice(0, limit)
      .map((t) => t.taskId);
  }
}

class MemoryLedger implements SweepLedger {
  readonly marks = new Set<string>();
  cursor: string | undefined;
  async queuedCursor() {
    return this.cursor;
  }
  async saveQueuedCursor(at: string | undefined) {
    this.cursor = at;
  }
  async swept(change: TaskVersionRef) {
    return this.marks.has(`${change.taskId}#${change.version}`);
  }
  async markSwept(change: TaskVersionRef) {
    this.marks.add(`${change.taskId}#${change.version}`);
  }
}

function setUp(maxTasksPerRun = 50) {
  const store = new InMemoryTaskStore();
  const stats = new InMemoryTaskStats();
  const queue = new RecordingWorkQueue();
  const timers = new RecordingTimerQueue();
  const publisher = new RecordingPublisher();
  const ledger = new MemoryLedger();
  const ports: SweepPorts = {
    store,
    finder: new StoreFinder(store),
    relayed: stats,
    ledger,
    queue,
    timers,
    publisher,
    settings: { policy: POLICY, leaseGraceSeconds: GRACE, strandedAfterSeconds: STRANDED_AFTER, maxTasksPerRun },
  };
  return { store, stats, queue, timers, publisher, ledger, ports };
}

const at = (seconds: number) => new Date(T0.getTime() + seconds * 1_000);
const queued = (taskId: string, overrides: Partial<Task> = {}) =>
  aTask({
    taskId,
    createdAt: T0.toISOString(),
    updatedAt: T0.toISOString(),
    queuedAt: T0.toISOString(),
    availableAt: T0.toISOString(),
    expiresAt: at(3600).toISOString(),
    ...overrides,
  });
/** A task an agent claimed at T0 with a 15-second lease and then died. */
async function claimed(store: InMemoryTaskStore, taskId: string) {
  await store.create(queued(taskId));
  return store.apply(
    taskId,
    planTransition({ kind: "claim", agentId: "dead-agent", attempt: 1, leaseSeconds: 15 }, { now: T0, policy: POLICY }),
  );
}

describe("sweepStrandedTasks", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  it("re-dispatches a queued task the outbox never relayed, once, and raises an alert", async () => {
    // GIVEN a task stored at T0 whose stream record never reached the relay
    const { store, queue, timers, publisher, ports } = setUp();
    await store.create(queued("stranded"));

    // WHEN the sweeper runs before and after `strandedAfterSeconds`, and once more
    const early = await sweepStrandedTasks(ports, at(STRANDED_AFTER - 1));
    const due = await sweepStrandedTasks(ports, at(STRANDED_AFTER + 1));
    const again = await sweepStrandedTasks(ports, at(STRANDED_AFTER + 61));

    // THEN it sent the work message and the expiry timer exactly once, and said so on the bus
    expect(early.redispatched).toEqual([]);
    expect(due.redispatched).toEqual(["stranded"]);
    expect(again.redispatched).toEqual([]);
    expect(queue.sent.map((s) => s.message)).toEqual([
      { taskId: "stranded", attempt: 1, agentType: "data-quality", priority: "normal" },
    ]);
    expect(timers.scheduled.map((s) => s.timer.check)).toEqual(["expiry"]);
    expect(publisher.events.map((e) => e.detailType)).toEqual([SYSTEM_ALERT]);
    expect(publisher.events[0]?.detail).toMatchObject({ title: "Sweeper recovered 1 stranded task" });
  });

  it("leaves a queued task alone whose version was relayed (it waits in a deep queue, not stranded)", async () => {
    const { store, stats, queue, ports } = setUp();
    const task = queued("waiting");
    await store.create(task);
    // The relay applied its counters, which leaves the applied marker.
    await stats.apply(statsDelta(undefined, task) ?? fail("a new task always has a delta"));

    const report = await sweepStrandedTasks(ports, at(STRANDED_AFTER * 10));

    expect(report.redispatched).toEqual([]);
    expect(queue.sent).toHaveLength(0);
  });

  it("re-dispatches a relayed task too when the applied marker is ignored (the control: the marker is what tells them apart)", async () => {
    const { store, stats, ports } = setUp();
    const task = queued("waiting");
    await store.create(task);
    await stats.apply(statsDelta(undefined, task) ?? fail("a new task always has a delta"));

    const report = await sweepStrandedTasks({ ...ports, relayed: { applied: async () => false } }, at(STRANDED_AFTER * 10));

    expect(report.redispatched).toEqual(["waiting"]);
  });

  it("waits out a retry's backoff before calling a queued task stranded", async () => {
    const { store, ports } = setUp();
    await store.create(queued("backing-off", { availableAt: at(300).toISOString() }));

    expect((await sweepStrandedTasks(ports, at(300 + STRANDED_AFTER - 1))).redispatched).toEqual([]);
    expect((await sweepStrandedTasks(ports, at(300 + STRANDED_AFTER + 1))).redispatched).toEqual(["backing-off"]);
  });

  it("expires a stranded queued task past its expiry instead of sending it", async () => {
    const { store, queue, ports } = setUp();
    await store.create(queued("stale", { expiresAt: at(30).toISOString() }));

    const report = await sweepStrandedTasks(ports, at(STRANDED_AFTER + 1));

    expect(report.expired).toEqual(["stale"]);
    expect((await store.get("stale"))?.status).toBe("expired");
    expect(queue.sent).toEqual([]);
  });

  it("times out a running task only once its lease and the grace have passed, then recovers it once more grace has passed", async () => {
    // GIVEN an agent that claimed a task at T0 (lease 15 s) and died; its lease timer was lost
    const { store, ports } = setUp();
    await claimed(store, "orphan");

    // WHEN the sweeper runs within the grace, after it, and after another grace
    const withinGrace = await sweepStrandedTasks(ports, at(15 + GRACE - 1));
    const pastGrace = await sweepStrandedTasks(ports, at(15 + GRACE + 1));
    const stillTimedOut = await sweepStrandedTasks(ports, at(15 + GRACE + 2));
    const recovered = await sweepStrandedTasks(ports, at(15 + 2 * GRACE + 2));

    // THEN: untouched, timed out, left for its recover timer, then retried as attempt 2
    expect(withinGrace.timedOut).toEqual([]);
    expect(pastGrace.timedOut).toEqual(["orphan"]);
    expect(stillTimedOut.recovered).toEqual([]);
    expect(recovered.recovered).toEqual(["orphan"]);
    expect(await store.get("orphan")).toMatchObject({ status: "queued", attempt: 2 });
  });

  it("leaves a heartbeating task alone", async () => {
    const { store, ports } = setUp();
    await claimed(store, "alive");
    await store.apply(
      "alive",
      planTransition({ kind: "heartbeat", agentId: "dead-agent", attempt: 1, leaseSeconds: 15 }, { now: at(60), policy: POLICY }),
    );

    const report = await sweepStrandedTasks(ports, at(60 + GRACE + 1));

    expect(report.timedOut).toEqual([]);
    expect((await store.get("alive"))?.status).toBe("running");
  });

  it("reads at most maxTasksPerRun tasks a run, oldest first, and the next run goes on from where it stopped", async () => {
    // GIVEN five stranded tasks and room for three a run
    const { store, ports } = setUp(3);
    for (let i = 0; i < 5; i++) {
      await store.create(queued(`t${i}`, { queuedAt: at(i).toISOString(), availableAt: at(i).toISOString() }));
    }

    // WHEN the sweeper runs four times
    const runs = [];
    for (let i = 0; i < 4; i++) runs.push(await sweepStrandedTasks(ports, at(STRANDED_AFTER + 10)));

    // THEN the second run goes on past the first's (still queued, already swept) tasks (re-reading the one
    // at its cursor), the third reaches the end, and the fourth starts over
    expect(runs.map((r) => [r.examined, r.redispatched])).toEqual([
      [3, ["t0", "t1", "t2"]],
      [3, ["t3", "t4"]],
      [1, []],
      [3, []],
    ]);
  });

  it("goes on past a task it cannot act on, and reports it", async () => {
    const { store, queue, ports } = setUp();
    await store.create(queued("a"));
    await store.create(queued("b", { queuedAt: at(1).toISOString(), availableAt: at(1).toISOString() }));
    queue.failFor((m) => m.taskId === "a");

    const report = await sweepStrandedTasks(ports, at(STRANDED_AFTER + 10));

    expect(report.redispatched).toEqual(["b"]);
    expect(report.failures.map((f) => f.taskId)).toEqual(["a"]);
    expect(await ports.ledger.swept({ taskId: "a", version: 1 })).toBe(false);
  });
});

describe("DynamoDbStrandedTaskFinder", () => {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1" }));
  const mock = mockClient(db);
  beforeEach(() => mock.reset());

  it("queries each queue's queued index below the bound, from the cursor when there is one (never with an empty key value)", async () => {
    mock.on(QueryCommand).resolves({ Items: [] });
    const finder = new DynamoDbStrandedTaskFinder(db, "tasks");

    await finder.queuedBefore("2026-11-23T10:00:00.000Z", 5);
    await finder.queuedBefore("2026-11-23T10:00:00.000Z", 5, "2026-11-23T09:00:00.000Z");

    const inputs = mock.commandCalls(QueryCommand).map((call) => call.args[0].input);
    const [first] = inputs;
    const last = inputs.at(-1);
    expect(first).toMatchObject({
      IndexName: "queued",
      KeyConditionExpression: "queueName = :queue AND queuedSince < :before",
      Limit: 5,
    });
    expect(Object.values(first?.ExpressionAttributeValues ?? {})).not.toContain("");
    expect(last).toMatchObject({
      KeyConditionExpression: "queueName = :queue AND queuedSince BETWEEN :from AND :before",
      ExpressionAttributeValues: { ":from": "2026-11-23T09:00:00.000Z" },
    });
  });
});
