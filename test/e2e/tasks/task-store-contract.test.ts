import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll } from "vitest";
import { DynamoDbTaskStore } from "#tasks/adapters/dynamodb-task-store";
import { describeTaskStoreContract } from "../../support/task-store-contract";
import { cancelAllOf, outputs } from "../support/api";
import { UNATTENDED_AGENT_TYPE } from "../support/global-setup";

// The suite the in-memory store passes in the unit tier, against the deployed tasks table. Its
// tasks are for the type no agent serves, and whatever it left queued is cancelled afterwards.
const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
afterAll(async () => {
  await cancelAllOf(UNATTENDED_AGENT_TYPE);
  db.destroy();
});

describeTaskStoreContract("DynamoDbTaskStore on the emulator", () => ({
  store: new DynamoDbTaskStore(db, outputs().TasksTableName),
  agentType: UNATTENDED_AGENT_TYPE,
}));
