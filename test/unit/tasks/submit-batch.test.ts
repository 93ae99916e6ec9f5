import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { BatchGetCommand, DynamoDBDocumentClient, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import type { Caller } from "#shared/identity";
import { DynamoDbTaskStore } from "#tasks/adapters/dynamodb-task-store";
import { submitBatch } from "#tasks/domain/submit-batch";
import type { SubmitDeps } from "#tasks/domain/submit-task";
import { InMemoryTaskStore } from "../../support/in-memory-task-store";
import { aTask } from "../../support/tasks";

const caller: Caller = { sub: "user-1", username: "alice", roles: ["admin"] };
const clock = { now: () => new Date("2026-11-23T10:00:00.000Z") };
const item = (n: number, extra: Record<string, unknown> = {}) => ({
  type: "diagnostics.echo",
  agentType: "data-quality",
  payload: { n },
  ...extra,
});

function deps() {
  const store = new InMemoryTaskStore();
  const base: SubmitDeps = {
    store,
    clock,
    limits: { maxPayloadBytes: 1_024, queuedTtlSeconds: 3_600 },
    chooser: { choose: async () => "data-quality" },
    admission: { admit: async () => {} },
    diagnosticsEnabled: true,
  };
  return { ...base, store, writer: store, reader: store, batchAdmission: () => base.admission };
}

describe("submitBatch", () => {
  it("writes every new task of the batch in one call, not one per task", async () => {
    const d = deps();

    const response = await submitBatch(
      Array.from({ length: 25 }, (_, n) => item(n)),
      caller,
      d,
    );

    expect(response.summary).toEqual({ total: 25, created: 25, replayed: 0, refused: 0 });
    expect(d.store.batchWrites).toBe(1);
    expect(d.store.writes.filter((w) => w.kind === "create")).toEqual([]);
  });

  it("looks up every item's earlier task in one read, not one read per idempotency key", async () => {
    const d = deps();
    await submitBatch([item(0, { idempotencyKey: "k-0" })], caller, d);
    d.store.reads = 0;
    d.store.batchReads = 0;

    const response = await submitBatch(
      Array.from({ length: 30 }, (_, n) => item(n, { idempotencyKey: `k-${n}` })),
      caller,
      d,
    );

    expect(response.summary).toMatchObject({ created: 29, replayed: 1 });
    expect(d.store.batchReads).toBe(1);
    expect(d.store.reads).toBe(0);
  });

  it("admits the batch through one batch admission, so its counters are read once for all its tasks", async () => {
    const d = deps();
    let batches = 0;
    let admits = 0;
    const response = await submitBatch(
      Array.from({ length: 20 }, (_, n) => item(n)),
      caller,
      {
        ...d,
        admission: { admit: async () => Promise.reject(new Error("the single admission is not for batches")) },
        batchAdmission: () => {
          batches++;
          return { admit: async () => void admits++ };
        },
      },
    );
    expect(response.summary.created).toBe(20);
    expect([batches, admits]).toEqual([1, 20]);
  });

  it("keeps each item's own outcome: a bad item, a replay and new tasks in one batch, in input order", async () => {
    const d = deps();
    await submitBatch([item(0, { idempotencyKey: "k-0" })], caller, d);

    const response = await submitBatch(
      [item(0, { idempotencyKey: "k-0" }), { type: "diagnostics.echo", bogus: true }, item(2)],
      caller,
      d,
    );

    expect(response.results.map((r) => [r.index, r.status])).toEqual([
      [0, 200],
      [1, 400],
      [2, 201],
    ]);
  });

  it("answers a task whose id was taken between the check and the write as the replay of the winner", async () => {
    // GIVEN another request with the same key writes its task after this batch checked for one
    const d = deps();
    const createAll = d.store.createAll.bind(d.store);
    d.writer = {
      createAll: async (tasks: Parameters<typeof createAll>[0]) => {
        const [first] = tasks;
        if (first) await d.store.create({ ...first, payload: { n: 0 } });
        return createAll(tasks);
      },
    } as InMemoryTaskStore;

    const response = await submitBatch([item(0, { idempotencyKey: "race" }), item(1)], caller, d);

    expect(response.results.map((r) => r.status)).toEqual([200, 201]);
  });
});

describe("DynamoDbTaskStore.createAll", () => {
  const dbMock = mockClient(DynamoDBDocumentClient);
  beforeEach(() => dbMock.reset());

  it("writes up to 100 tasks per transaction, each conditional on its id being free", async () => {
    dbMock.on(TransactWriteCommand).resolves({});
    const store = new DynamoDbTaskStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), "tasks");

    const created = await store.createAll(Array.from({ length: 120 }, (_, n) => aTask({ taskId: `t${n}` })));

    expect(created.every(Boolean)).toBe(true);
    const calls = dbMock.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems ?? []);
    expect(calls.map((items) => items.length)).toEqual([100, 20]);
    expect(calls[0]?.[0]?.Put?.ConditionExpression).toBe("attribute_not_exists(taskId)");
  });

  it("writes the rest again without a taken id, and answers false for exactly that one", async () => {
    dbMock
      .on(TransactWriteCommand)
      .rejectsOnce(
        new TransactionCanceledException({
          message: "cancelled",
          $metadata: {},
          CancellationReasons: [{ Code: "None" }, { Code: "ConditionalCheckFailed" }, { Code: "None" }],
        }),
      )
      .resolves({});
    const store = new DynamoDbTaskStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), "tasks");

    const created = await store.createAll(["a", "b", "c"].map((taskId) => aTask({ taskId })));

    expect(created).toEqual([true, false, true]);
    const retried = dbMock.commandCalls(TransactWriteCommand)[1]?.args[0].input.TransactItems ?? [];
    expect(retried.map((i) => (i.Put?.Item as { taskId: string }).taskId)).toEqual(["a", "c"]);
  });
});

describe("DynamoDbTaskStore.getAll", () => {
  const dbMock = mockClient(DynamoDBDocumentClient);
  beforeEach(() => dbMock.reset());

  it("reads up to 100 tasks a call, consistently, and reads unprocessed keys again", async () => {
    const row = (taskId: string) => ({ ...aTask({ taskId }) });
    dbMock
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { tasks: [row("t0")] }, UnprocessedKeys: { tasks: { Keys: [{ taskId: "t1" }] } } })
      .resolves({ Responses: { tasks: [row("t1")] } });
    const store = new DynamoDbTaskStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), "tasks");

    const found = await store.getAll(Array.from({ length: 120 }, (_, n) => `t${n}`));

    expect([...found.keys()].sort()).toEqual(["t0", "t1"]);
    const reads = dbMock.commandCalls(BatchGetCommand).map((c) => c.args[0].input.RequestItems?.tasks);
    expect(reads.map((r) => r?.Keys?.length)).toEqual([100, 1, 20]);
    expect(reads[0]?.ConsistentRead).toBe(true);
  });
});
