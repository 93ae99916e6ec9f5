import { ConditionalCheckFailedException, DynamoDBClient, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { fencedTransactWrite, FencedWriteConditionError } from "#coordination/adapters/dynamodb-fenced-writer";
import { DynamoDbLockStore, toItem } from "#coordination/adapters/dynamodb-lock-store";
import { CoordinationUnavailableError, StaleTokenError } from "#coordination/domain/errors";
import { emptyLock, leaseIdOf, type LockState } from "#coordination/domain/lock-state";

const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1" }));
const mock = mockClient(db);
const held: LockState = {
  ...emptyLock("settings/a"),
  fence: 2,
  version: 4,
  exclusive: {
    leaseId: leaseIdOf("settings/a", 2),
    token: 2,
    mode: "exclusive",
    holder: "agent:b",
    requestKey: "b",
    acquiredAt: 0,
    expiresAt: 9e12,
  },
};

describe("DynamoDbLockStore", () => {
  beforeEach(() => mock.reset());

  it("writes conditional on the version planned from, and a new row only if absent", async () => {
    mock.on(PutCommand).resolves({});
    const store = new DynamoDbLockStore(db, "locks");
    await store.write({ ...emptyLock("settings/a"), version: 1 });
    await store.write({ ...held, version: 5 });
    const [first, second] = mock.commandCalls(PutCommand).map((c) => c.args[0].input);
    expect(first?.ConditionExpression).toBe("attribute_not_exists(#resource)");
    expect(second).toMatchObject({ ConditionExpression: "#version = :expected", ExpressionAttributeValues: { ":expected": 4 } });
    expect(second?.Item).toMatchObject({ active: "ACTIVE", activeUntil: 9e12 });
  });

  it("a lost race answers the row as it is now, from the refusal itself", async () => {
    mock.on(PutCommand).rejects(
      new ConditionalCheckFailedException({
        message: "failed",
        $metadata: {},
        Item: marshall(toItem(held), { removeUndefinedValues: true }),
      }),
    );
    const answer = await new DynamoDbLockStore(db, "locks").write({ ...emptyLock("settings/a"), version: 1 });
    expect(answer).toEqual({ ok: false, current: expect.objectContaining({ fence: 2, version: 4, exclusive: held.exclusive }) });
  });

  it("a throttled or unreachable store is CoordinationUnavailableError with its cause; a bad request is not", async () => {
    const throttled = Object.assign(new Error("slow down"), { name: "ThrottlingException", $metadata: { httpStatusCode: 400 } });
    mock.on(PutCommand).rejects(throttled);
    const store = new DynamoDbLockStore(db, "locks");
    await expect(store.write({ ...held, version: 5 })).rejects.toMatchObject({
      name: "CoordinationUnavailableError",
      cause: throttled,
    });
    mock
      .on(PutCommand)
      .rejects(Object.assign(new Error("bad expression"), { name: "ValidationException", $metadata: { httpStatusCode: 400 } }));
    await expect(store.write({ ...held, version: 5 })).rejects.not.toBeInstanceOf(CoordinationUnavailableError);
  });
});

describe("fencedTransactWrite", () => {
  beforeEach(() => mock.reset());
  const lease = { leaseId: leaseIdOf("settings/a", 1), resource: "settings/a", token: 1 };
  const cancelled = (reasons: { Code: string; Item?: Record<string, unknown> }[]) =>
    new TransactionCanceledException({
      message: "cancelled",
      $metadata: {},
      CancellationReasons: reasons.map((r) => ({
        Code: r.Code,
        ...(r.Item ? { Item: marshall(r.Item, { removeUndefinedValues: true }) } : {}),
      })),
    });

  it("checks the lease in the same transaction as the write", async () => {
    mock.on(TransactWriteCommand).resolves({});
    await fencedTransactWrite(db, "locks", lease, [{ Put: { TableName: "data", Item: { id: "x" } } }], new Date(1_000));
    const input = mock.commandCalls(TransactWriteCommand)[0]?.args[0].input;
    expect(input?.TransactItems?.[0]?.ConditionCheck).toMatchObject({
      Key: { resource: "settings/a" },
      ExpressionAttributeValues: { ":leaseId": lease.leaseId, ":token": 1, ":now": 1_000 },
    });
    expect(input?.TransactItems).toHaveLength(2);
  });

  it("a failed fence is StaleTokenError naming the current holder; a failed condition of the caller's own is not", async () => {
    mock.on(TransactWriteCommand).rejects(cancelled([{ Code: "ConditionalCheckFailed", Item: toItem(held) }, { Code: "None" }]));
    await expect(
      fencedTransactWrite(db, "locks", lease, [{ Put: { TableName: "data", Item: { id: "x" } } }], new Date(1_000)),
    ).rejects.toThrow(new StaleTokenError(lease, "agent:b holds it with token 2"));
    mock.on(TransactWriteCommand).rejects(cancelled([{ Code: "None" }, { Code: "ConditionalCheckFailed" }]));
    await expect(
      fencedTransactWrite(db, "locks", lease, [{ Put: { TableName: "data", Item: { id: "x" } } }], new Date(1_000)),
    ).rejects.toBeInstanceOf(FencedWriteConditionError);
  });
});
