import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { DynamoDbTaskStore, fromItem, toItem } from "#tasks/adapters/dynamodb-task-store";
import { IllegalTransitionError, planTransition } from "#tasks/domain/task-state-machine";
import { aTask, at } from "../../support/tasks";

const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1" }));
const mock = mockClient(db);
const store = new DynamoDbTaskStore(db, "tasks");

beforeEach(() => mock.reset());

describe("DynamoDbTaskStore", () => {
  it("stores payload and result as JSON text and reads them back unchanged", () => {
    const task = aTask({ payload: { "": { deep: [1, { x: null }] } }, result: { ok: true } });
    const item = toItem(task);
    expect(typeof item.payload).toBe("string");
    expect(fromItem(item)).toEqual(task);
  });

  it("refuses to decode a corrupted row instead of guessing", () => {
    expect(() => fromItem({ ...toItem(aTask()), status: "exploded" })).toThrow();
  });

  it("creates only if the id is free", async () => {
    mock.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: "exists", $metadata: {} }));
    expect(await store.create(aTask())).toBe(false);
    expect(mock.commandCalls(PutCommand)[0]?.args[0].input.ConditionExpression).toBe("attribute_not_exists(taskId)");
  });

  it("turns a transition into one conditional update on status and expectations", async () => {
    const claimed = { ...aTask(), status: "running", agentId: "a", startedAt: "2026-11-23T10:00:00.000Z", version: 2 };
    mock.on(UpdateCommand).resolves({ Attributes: toItem(claimed as never) });
    await store.apply("task-1", planTransition({ kind: "claim", agentId: "a", attempt: 1, leaseSeconds: 15 }, at()));
    const input = mock.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.ConditionExpression).toBe(
      "attribute_exists(#taskId) AND #status IN (:in_status0) AND #attempt = :expect_attempt AND (attribute_not_exists(#expiresAt) OR #expiresAt > :after_expiresAt)",
    );
    expect(input?.ExpressionAttributeValues).toMatchObject({
      ":in_status0": "queued",
      ":expect_attempt": 1,
      ":set_status": "running",
      ":add_version": 1,
    });
    expect(input?.UpdateExpression).toMatch(/ ADD #version :add_version$/);
    // Leaving the queue removes the expiry and the sort key of the `queued` index.
    expect(input?.UpdateExpression).toMatch(/REMOVE .*#expiresAt.*#queuedSince/);
  });

  it("reports the task's current state when the condition fails", async () => {
    mock.on(UpdateCommand).rejects(
      new ConditionalCheckFailedException({
        message: "no",
        $metadata: {},
        // As DynamoDB sends it: raw attribute values (the document client does not unmarshall errors).
        Item: marshall(toItem(aTask({ status: "completed", agentId: "b" })), { removeUndefinedValues: true }),
      }),
    );
    const error = await store
      .apply("task-1", planTransition({ kind: "claim", agentId: "a", attempt: 1, leaseSeconds: 15 }, at()))
      .catch((e) => e);
    expect(error).toBeInstanceOf(IllegalTransitionError);
    expect(error.current).toMatchObject({ status: "completed", agentId: "b" });
  });
});
