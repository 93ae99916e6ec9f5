import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { DynamoDbFleetLedger } from "#agents/adapters/dynamodb-fleet-ledger";
import { LedgerConflictError, planLedgerWrite } from "#agents/domain/ledger-write";
import { freshLedger } from "#agents/domain/recovery-policy";

const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1" }));
const mock = mockClient(db);
const ledger = new DynamoDbFleetLedger(db, "ledger");

beforeEach(() => mock.reset());

describe("DynamoDbFleetLedger", () => {
  it("reads a row with its version; a missing row, or one written before versions, is version 0", async () => {
    mock.on(GetCommand, { Key: { pk: "SCALING#data-quality" } }).resolves({ Item: { pk: "x", record: {}, version: 7 } });
    mock.on(GetCommand, { Key: { pk: "SCALING#keyword-precision" } }).resolves({ Item: { pk: "x", record: { samples: [] } } });
    mock.on(GetCommand, { Key: { pk: "RECOVERY#data-quality" } }).resolves({});

    expect(await ledger.scaling("data-quality")).toEqual({ value: { samples: [] }, version: 7 });
    expect(await ledger.scaling("keyword-precision")).toEqual({ value: { samples: [] }, version: 0 });
    expect(await ledger.recovery("data-quality")).toEqual({ value: freshLedger("data-quality"), version: 0 });
    expect(mock.commandCalls(GetCommand).every((c) => c.args[0].input.ConsistentRead)).toBe(true);
  });

  it("writes a row only over the version it was read at, and adds one to it", async () => {
    mock.on(UpdateCommand).resolves({});

    await ledger.saveScaling("data-quality", planLedgerWrite({ value: {}, version: 4 }, { samples: [], manualDesired: 2 }));
    await ledger.saveRecovery(planLedgerWrite({ value: {}, version: 0 }, freshLedger("data-quality")));

    const [scaling, recovery] = mock.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(scaling).toMatchObject({
      Key: { pk: "SCALING#data-quality" },
      UpdateExpression: "SET #record = :set_record ADD #version :add_version",
      ConditionExpression: "#version = :expect_version",
      ExpressionAttributeValues: { ":expect_version": 4, ":add_version": 1, ":set_record": { samples: [], manualDesired: 2 } },
    });
    // Version 0: the row must never have been written with a version.
    expect(recovery).toMatchObject({
      Key: { pk: "RECOVERY#data-quality" },
      UpdateExpression: "SET #ledger = :set_ledger ADD #version :add_version",
      ConditionExpression: "attribute_not_exists(#version)",
    });
  });

  it("reports a lost race as a LedgerConflictError naming the version it found, with DynamoDB's error as cause", async () => {
    const refusal = new ConditionalCheckFailedException({
      message: "The conditional request failed",
      $metadata: {},
      // As DynamoDB sends it: raw attribute values (the document client does not unmarshall errors).
      Item: marshall({ pk: "SCALING#data-quality", version: 5 }),
    });
    mock.on(UpdateCommand).rejects(refusal);

    const error = await ledger
      .saveScaling("data-quality", planLedgerWrite({ value: {}, version: 4 }, { samples: [] }))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(LedgerConflictError);
    expect(error).toMatchObject({ row: "SCALING#data-quality", expectedVersion: 4, foundVersion: 5, cause: refusal });
  });

  it("passes any other failure on as it is", async () => {
    mock.on(UpdateCommand).rejects(new Error("throttled"));

    await expect(ledger.saveScaling("data-quality", planLedgerWrite({ value: {}, version: 1 }, { samples: [] }))).rejects.toThrow(
      "throttled",
    );
  });
});
