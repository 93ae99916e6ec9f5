import { marshall } from "@aws-sdk/util-dynamodb";
import type { AttributeValue, DynamoDBRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { SYSTEM_ALERT } from "#kernel/bus/system-alert";
import { TASK_UPDATED } from "#kernel/bus/task-updated";
import { toItem } from "#tasks/adapters/dynamodb-task-store";
import { InstanceSentLedger } from "#tasks/adapters/instance-sent-ledger";
import { taskChangeOf } from "#tasks/adapters/task-stream";
import { EarlierRecordFailedError, type RelayBatchPorts, type RelayRecord, relayBatch } from "#tasks/domain/relay-batch";
import type { TaskChange } from "#tasks/domain/relay-task-change";
import type { Task } from "#tasks/domain/task";
import { countKey } from "#tasks/domain/task-stats";
import { RecordingBatchPublisher, RecordingBatchTimerQueue, RecordingBatchWorkQueue } from "../../support/in-memory-batch-ports";
import { InMemoryTaskStats } from "../../support/in-memory-task-stats";
import { aTask } from "../../support/tasks";

const NOW = new Date("2026-11-23T10:00:00.000Z");

/** A ledger that remembers nothing: what the relay would do without one (the control). */
const forgetful = { has: () => false, add: () => undefined };

function setUp(sent: RelayBatchPorts["sent"] = new InstanceSentLedger()) {
  const queue = new RecordingBatchWorkQueue();
  const timers = new RecordingBatchTimerQueue();
  const publisher = new RecordingBatchPublisher();
  const stats = new InMemoryTaskStats();
  const ports: RelayBatchPorts = { queue, timers, publisher, stats, sent };
  return { queue, timers, publisher, stats, ports };
}

const queued = (overrides: Partial<Task> = {}) =>
  aTask({ availableAt: "2026-11-23T10:00:05.000Z", expiresAt: "2026-11-23T11:00:05.000Z", ...overrides });
const running = (overrides: Partial<Task> = {}) =>
  aTask({
    status: "running",
    agentId: "agent-1",
    startedAt: "2026-11-23T10:00:00.000Z",
    leaseExpiresAt: "2026-11-23T10:00:15.000Z",
    version: 2,
    ...overrides,
  });

const one = (change: TaskChange): RelayRecord[] => [{ id: "1", change }];
/** New tasks `taskIds`, one stream record each, numbered from 1. */
const newTasks = (...taskIds: string[]): RelayRecord[] =>
  taskIds.map((taskId, i) => ({ id: String(i + 1), change: { current: queued({ taskId }) } }));
const queuedCount = { [countKey("normal", "queued")]: 1 };

describe("relayBatch, one change", () => {
  it("sends a new task to its queue (delayed until available), watches its expiry, announces it and counts it", async () => {
    const { queue, timers, publisher, stats, ports } = setUp();

    const outcome = await relayBatch(one({ current: queued() }), ports, NOW);

    expect(outcome).toMatchObject({ failed: [], dispatched: 1, timers: 1, events: 1 });
    expect(queue.accepted).toEqual([
      { message: { taskId: "task-1", attempt: 1, agentType: "data-quality", priority: "normal" }, delaySeconds: 5 },
    ]);
    expect(timers.accepted).toEqual([{ taskId: "task-1", attempt: 1, check: "expiry", dueAt: "2026-11-23T11:00:05.000Z" }]);
    expect(publisher.accepted.map((e) => [e.detailType, (e.detail as { status: string }).status])).toEqual([
      [TASK_UPDATED, "queued"],
    ]);
    expect(await stats.ofType("data-quality")).toEqual(queuedCount);
  });

  it("watches a claimed task's lease and announces it running, without sending it again", async () => {
    const { queue, timers, publisher, ports } = setUp();

    await relayBatch(one({ previous: queued(), current: running() }), ports, NOW);

    expect(queue.accepted).toEqual([]);
    expect(timers.accepted).toEqual([{ taskId: "task-1", attempt: 1, check: "lease", dueAt: "2026-11-23T10:00:15.000Z" }]);
    expect(publisher.accepted.map((e) => e.detailType)).toEqual([TASK_UPDATED]);
  });

  it("does nothing, and calls nothing, for a heartbeat (same status, same attempt) or a deleted row", async () => {
    const { queue, timers, publisher, stats, ports } = setUp();

    const outcome = await relayBatch(
      [
        {
          id: "1",
          change: { previous: running(), current: running({ leaseExpiresAt: "2026-11-23T10:00:30.000Z", version: 3 }) },
        },
        { id: "2", change: { previous: running() } },
      ],
      ports,
      NOW,
    );

    expect(outcome).toEqual({ failed: [], dispatched: 0, timers: 0, events: 0, calls: { sends: 0, timers: 0, events: 0 } });
    expect([queue.calls, timers.calls, publisher.calls]).toEqual([[], [], []]);
    expect(await stats.byType()).toEqual({});
  });

  it("announces a dead-lettered task and raises an alert, in one call to the bus", async () => {
    const { publisher, ports } = setUp();
    const error = { message: "boom", retryable: true };

    await relayBatch(one({ previous: running(), current: running({ status: "dead_lettered", error }) }), ports, NOW);

    expect(publisher.calls).toEqual([2]);
    expect(publisher.accepted.map((e) => e.detailType)).toEqual([TASK_UPDATED, SYSTEM_ALERT]);
  });
});

describe("relayBatch, many changes", () => {
  it("sends a batch's messages, timers and events in one call per step, not one per record", async () => {
    const { queue, timers, publisher, stats, ports } = setUp();
    const ids = Array.from({ length: 10 }, (_, i) => `t${i + 1}`);

    const outcome = await relayBatch(newTasks(...ids), ports, NOW);

    expect(outcome.calls).toEqual({ sends: 1, timers: 1, events: 1 });
    expect([queue.calls, timers.calls, publisher.calls]).toEqual([[10], [10], [10]]);
    expect(queue.accepted.map((d) => d.message.taskId)).toEqual(ids);
    expect(await stats.ofType("data-quality")).toEqual({ [countKey("normal", "queued")]: 10 });
  });

  it("one refused message: that record and the ones after it go back to the stream, and the retry sends only the refused one", async () => {
    // GIVEN the queue refuses t2's message once
    const { queue, timers, publisher, stats, ports } = setUp();
    queue.refuse((d) => d.message.taskId === "t2");

    // WHEN the batch is relayed, then retried from the record the stream was given back (as Lambda does)
    const first = await relayBatch(newTasks("t1", "t2", "t3", "t4"), ports, NOW);
    const retry = await relayBatch(newTasks("t1", "t2", "t3", "t4").slice(1), ports, NOW);

    // THEN the first pass failed from t2 on, only t1 went further than its message, and no counter ran ahead
    expect(first.failed.map((f) => f.id)).toEqual(["2", "3", "4"]);
    expect(first.failed[1]?.causes[0]).toBeInstanceOf(EarlierRecordFailedError);
    expect(retry.failed).toEqual([]);
    // every task's message, timer, event and count exactly once, in stream order
    expect(queue.accepted.map((d) => d.message.taskId)).toEqual(["t1", "t3", "t4", "t2"]);
    expect(queue.calls).toEqual([4, 1]);
    expect(timers.accepted.map((t) => t.taskId)).toEqual(["t1", "t2", "t3", "t4"]);
    expect(publisher.accepted.map((e) => (e.detail as { taskId: string }).taskId)).toEqual(["t1", "t2", "t3", "t4"]);
    expect(await stats.ofType("data-quality")).toEqual({ [countKey("normal", "queued")]: 4 });
  });

  it("one refused event: exactly that event is published again, and no record's counter is added twice", async () => {
    const { publisher, stats, ports } = setUp();
    publisher.refuse((e) => (e.detail as { taskId: string }).taskId === "t3");

    const first = await relayBatch(newTasks("t1", "t2", "t3", "t4"), ports, NOW);
    const retry = await relayBatch(newTasks("t1", "t2", "t3", "t4").slice(2), ports, NOW);

    expect(first.failed.map((f) => f.id)).toEqual(["3", "4"]);
    expect(retry.failed).toEqual([]);
    expect(publisher.calls).toEqual([4, 1]);
    expect(publisher.accepted.map((e) => (e.detail as { taskId: string }).taskId)).toEqual(["t1", "t2", "t4", "t3"]);
    expect(await stats.ofType("data-quality")).toEqual({ [countKey("normal", "queued")]: 4 });
  });

  it("without the ledger, the retry sends the later records' messages a second time (the control)", async () => {
    const { queue, ports } = setUp(forgetful);
    queue.refuse((d) => d.message.taskId === "t2");

    await relayBatch(newTasks("t1", "t2", "t3", "t4"), ports, NOW);
    await relayBatch(newTasks("t1", "t2", "t3", "t4").slice(1), ports, NOW);

    expect(queue.accepted.map((d) => d.message.taskId)).toEqual(["t1", "t3", "t4", "t2", "t3", "t4"]);
  });

  it("a failed counter stops the records after it, so a retry counts each once", async () => {
    const { stats, ports } = setUp();
    const apply = stats.apply.bind(stats);
    let calls = 0;
    const flaky = {
      apply: async (delta: Parameters<typeof apply>[0]) =>
        ++calls === 2 ? Promise.reject(new Error("throttled")) : apply(delta),
    };

    const first = await relayBatch(newTasks("t1", "t2", "t3"), { ...ports, stats: flaky }, NOW);
    await relayBatch(newTasks("t1", "t2", "t3").slice(1), { ...ports, stats: flaky }, NOW);

    expect(first.failed.map((f) => f.id)).toEqual(["2", "3"]);
    expect(await stats.ofType("data-quality")).toEqual({ [countKey("normal", "queued")]: 3 });
  });

  it("a record that does not decode is the failure the rest of the batch waits behind", async () => {
    const { queue, ports } = setUp();
    const inserted = (task: Task, sequence: number): DynamoDBRecord => ({
      eventID: `event-${sequence}`,
      eventName: "INSERT",
      dynamodb: {
        SequenceNumber: String(sequence),
        NewImage: marshall(toItem(task), { removeUndefinedValues: true }) as Record<string, AttributeValue>,
      },
    });
    const records = ["t1", "t2", "t3"].map((taskId, i) => inserted(queued({ taskId }), i + 1));
    const corrupt = records[1]?.dynamodb?.NewImage;
    if (corrupt) corrupt.status = { S: "exploded" };
    const relayRecords: RelayRecord[] = records.map((record) => {
      const id = record.dynamodb?.SequenceNumber as string;
      try {
        return { id, change: taskChangeOf(record) };
      } catch (error) {
        return { id, unreadable: error };
      }
    });

    const outcome = await relayBatch(relayRecords, ports, NOW);

    expect(outcome.failed.map((f) => f.id)).toEqual(["2", "3"]);
    expect(queue.accepted.map((d) => d.message.taskId)).toEqual(["t1"]);
  });
});

describe("InstanceSentLedger", () => {
  it("forgets its oldest keys past its capacity", () => {
    const ledger = new InstanceSentLedger(2);
    ledger.add("a");
    ledger.add("b");
    ledger.add("c");
    expect(["a", "b", "c"].map((key) => ledger.has(key))).toEqual([false, true, true]);
  });
});
