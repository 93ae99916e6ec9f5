import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { DynamoDbTaskStore } from "#tasks/adapters/dynamodb-task-store";
import { FakeDynamoTable } from "../../support/fake-dynamo-table";
import { InMemoryTaskStore } from "../../support/in-memory-task-store";
import { describeTaskStoreContract, TASK_STORE_CHECKS } from "../../support/task-store-contract";
import { UnconditionalTaskStore } from "../../support/unconditional-task-store";

// The same suite runs against DynamoDbTaskStore on the emulator too: test/e2e/tasks/task-store-contract.test.ts.
const memory = new InMemoryTaskStore();
describeTaskStoreContract("InMemoryTaskStore", () => ({ store: memory, agentType: "data-quality" }));

// The adapter's own expressions, evaluated by the fake table (it understands what updateExpressionsOf builds).
const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1" }));
new FakeDynamoTable(["taskId"]).serve(mockClient(db));
const dynamo = new DynamoDbTaskStore(db, "tasks");
describeTaskStoreContract("DynamoDbTaskStore over a fake table", () => ({ store: dynamo, agentType: "data-quality" }));

describe("the contract (the control)", () => {
  it("fails a store that reads, applies and writes back without a condition: racing claims all win", async () => {
    const naiveDb = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1" }));
    new FakeDynamoTable(["taskId"]).serve(mockClient(naiveDb));
    const naive = new UnconditionalTaskStore(naiveDb, "tasks");

    await expect(
      TASK_STORE_CHECKS["lets exactly one of ten racing claims win"]?.({ store: naive, agentType: "data-quality" }),
    ).rejects.toThrow(/to have a length of 1 but got 10/);
  });
});
