import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { AttributeValue, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { SYSTEM_ALERT } from "#kernel/bus/system-alert";
import { TASK_UPDATED } from "#kernel/bus/task-updated";
import { toItem } from "#tasks/adapters/dynamodb-task-store";
import { taskChangeOf } from "#tasks/adapters/task-stream";
import { EarlierRecordFailedError, inStreamOrder, type RelayPorts, relayTaskChange } from "#tasks/domain/relay-task-change";
import type { Task } from "#tasks/domain/task";
import { countKey } from "#tasks/domain/task-stats";
import { RecordingPublisher } from "../../support/events";
import { RecordingTimerQueue, RecordingWorkQueue } from "../../support/in-memory-queues";
import { InMemoryTaskStats } from "../../support/in-memory-task-stats";
import { aTask } from "../../support/tasks";

const NOW = new Date("2026-11-23T10:00:00.000Z");

function setUp() {
  const queue = new RecordingWorkQueue();
  const timers = new RecordingTimerQueue();
  const publisher = new RecordingPublisher();
  const stats = new InMemoryTaskStats();
  const ports: RelayPorts = { queue, timers, publisher, stats };
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

describe("relayTaskChange", () => {
  it("sends a new task to its queue (delayed until available), watches its expiry, announces it and counts it", async () => {
    const { queue, timers, publisher, stats, ports } = setUp();

    const outcome = await relayTaskChange({ current: queued() }, ports, NOW);

    expect(outcome).toEqual({ dispatched: true, timers: 1, events: 1, counted: true });
    expect(queue.sent).toEqual([
      { message: { taskId: "task-1", attempt: 1, agentType: "data-quality", priority: "normal" }, delaySeconds: 5 },
    ]);
    expect(timers.scheduled.map((s) => s.timer)).toEqual([
      { taskId: "task-1", attempt: 1, check: "expiry", dueAt: "2026-11-23T11:00:05.000Z" },
    ]);
    expect(publisher.events.map((e) => [e.detailType, (e.detail as { status: string }).status])).toEqual([
      [TASK_UPDATED, "queued"],
    ]);
    expect(await stats.ofType("data-quality")).toEqual({ [countKey("normal", "queued")]: 1 });
  });

  it("watches a claimed task's lease and announces it running, without sending it again", async () => {
    const { queue, timers, publisher, ports } = setUp();

    await relayTaskChange({ previous: queued(), current: running() }, ports, NOW);

    expect(queue.sent).toEqual([]);
    expect(timers.scheduled.map((s) => s.timer)).toEqual([
      { taskId: "task-1", attempt: 1, check: "lease", dueAt: "2026-11-23T10:00:15.000Z" },
    ]);
    expect(publisher.ofType(TASK_UPDATED)).toHaveLength(1);
  });

  it("does nothing for a heartbeat (same status, same attempt) or a deleted row", async () => {
    const { queue, timers, publisher, stats, ports } = setUp();

    const heartbeat = await relayTaskChange(
      { previous: running(), current: running({ leaseExpiresAt: "2026-11-23T10:00:30.000Z", version: 3 }) },
      ports,
      NOW,
    );
    const deleted = await relayTaskChange({ previous: running() }, ports, NOW);

    const nothing = { dispatched: false, timers: 0, events: 0, counted: false };
    expect([heartbeat, deleted]).toEqual([nothing, nothing]);
    expect([queue.sent, timers.scheduled, publisher.events]).toEqual([[], [], []]);
    expect(await stats.byType()).toEqual({});
  });

  it("announces a dead-lettered task and raises an alert, in one call to the bus", async () => {
    const { publisher, ports } = setUp();
    const error = { message: "boom", retryable: true };

    await relayTaskChange({ previous: running(), current: running({ status: "dead_lettered", error }) }, ports, NOW);

    expect(publisher.calls).toBe(1);
    expect(publisher.events.map((e) => e.detailType)).toEqual([TASK_UPDATED, SYSTEM_ALERT]);
  });

  it("adds no counters when an earlier step fails, so a retry of the record counts it once", async () => {
    const { queue, publisher, stats, ports } = setUp();
    publisher.failNext();

    await expect(relayTaskChange({ current: queued() }, ports, NOW)).rejects.toThrow("the bus refused the events");

    expect(queue.sent).toHaveLength(1);
    expect(await stats.byType()).toEqual({});

    await relayTaskChange({ current: queued() }, ports, NOW);
    expect(await stats.ofType("data-quality")).toEqual({ [countKey("normal", "queued")]: 1 });
  });
});

describe("a batch of stream records, relayed in stream order", () => {
  /** A stream record inserting `task`, as DynamoDB Streams delivers it. */
  const inserted = (task: Task, sequence: number): DynamoDBRecord => ({
    eventID: `event-${sequence}`,
    eventName: "INSERT",
    dynamodb: {
      SequenceNumber: String(sequence),
      NewImage: marshall(toItem(task), { removeUndefinedValues: true }) as Record<string, AttributeValue>,
    },
  });
  const batch = (...taskIds: string[]): DynamoDBStreamEvent => ({
    Records: taskIds.map((taskId, i) => inserted(queued({ taskId }), i + 1)),
  });
  const relayWith = (ports: RelayPorts) => async (record: DynamoDBRecord) => {
    await relayTaskChange(taskChangeOf(record), ports, NOW);
  };
  const process = (event: DynamoDBStreamEvent, step: (record: DynamoDBRecord) => Promise<void>) =>
    processPartialResponse(event, step, new BatchProcessor(EventType.DynamoDBStreams), { processInParallel: false });

  it("fails every record after a failed one, unprocessed, so the stream is retried from the failure in order", async () => {
    const { queue, ports } = setUp();
    queue.failFor((m) => m.taskId === "t2");

    const response = await process(batch("t1", "t2", "t3", "t4"), inStreamOrder(relayWith(ports)));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "2" }, { itemIdentifier: "3" }, { itemIdentifier: "4" }]);
    expect(queue.sent.map((s) => s.message.taskId)).toEqual(["t1"]);
  });

  it("keeps the failure to its own batch: the retried batch, with a guard of its own, is relayed in full", async () => {
    const { queue, ports } = setUp();
    queue.failFor((m) => m.taskId === "t2");
    await process(batch("t1", "t2", "t3"), inStreamOrder(relayWith(ports)));

    const retry = await process({ Records: batch("t1", "t2", "t3").Records.slice(1) }, inStreamOrder(relayWith(ports)));

    expect(retry.batchItemFailures).toEqual([]);
    expect(queue.sent.map((s) => s.message.taskId)).toEqual(["t1", "t2", "t3"]);
  });

  it("relays later records before an earlier failed one without the guard (the control)", async () => {
    const { queue, ports } = setUp();
    queue.failFor((m) => m.taskId === "t2");

    const response = await process(batch("t1", "t2", "t3", "t4"), relayWith(ports));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "2" }]);
    expect(queue.sent.map((s) => s.message.taskId)).toEqual(["t1", "t3", "t4"]);
  });

  it("counts a record that does not decode as the failure the rest of the batch waits behind", async () => {
    const { queue, ports } = setUp();
    const event = batch("t1", "t2", "t3");
    const corrupt = event.Records[1]?.dynamodb?.NewImage;
    if (corrupt) corrupt.status = { S: "exploded" };
    const relay = inStreamOrder(relayWith(ports));

    const response = await process(event, relay);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "2" }, { itemIdentifier: "3" }]);
    expect(queue.sent.map((s) => s.message.taskId)).toEqual(["t1"]);
    await expect(relay(inserted(queued({ taskId: "t4" }), 4))).rejects.toBeInstanceOf(EarlierRecordFailedError);
  });
});
