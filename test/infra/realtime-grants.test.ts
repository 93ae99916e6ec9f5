import { beforeAll, describe, expect, it } from "vitest";
import type { SwarmStacks } from "../../lib/swarm-app";
import { actionsOf, grantsOf, statementsOf } from "./support/policies";
import { synthesize } from "./support/synth";

let stacks: SwarmStacks;
beforeAll(() => {
  stacks = synthesize("dev").stacks;
});

const dynamoActionsOf = (prefix: string) =>
  actionsOf(statementsOf(stacks.realtime, prefix)).filter((action) => action.startsWith("dynamodb:"));

describe("the WebSocket functions' grants on the connections table", () => {
  it("let a frame join and leave with the room's count in one transaction, and read the room's tally (ADR 0025)", () => {
    expect(dynamoActionsOf("ClientMessage")).toEqual([
      "dynamodb:BatchGetItem",
      "dynamodb:BatchWriteItem",
      "dynamodb:DeleteItem",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:UpdateItem",
    ]);
  });

  it("let a broadcaster that finds a connection gone move each of its rooms' counts, and never scan", () => {
    for (const prefix of ["BroadcastEvent", "BroadcastEvents"]) {
      const statements = statementsOf(stacks.realtime, prefix);
      expect(grantsOf(statements, "dynamodb:UpdateItem").length, prefix).toBeGreaterThan(0);
      expect(grantsOf(statements, "dynamodb:BatchGetItem").length, prefix).toBeGreaterThan(0);
      expect(grantsOf(statements, "dynamodb:Scan"), prefix).toEqual([]);
    }
  });

  it("let the summarizer keep what it read of a room: the members it listed and a corrected count", () => {
    expect(dynamoActionsOf("SummarizePresence")).toEqual([
      "dynamodb:BatchGetItem",
      "dynamodb:BatchWriteItem",
      "dynamodb:DeleteItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:UpdateItem",
    ]);
  });
});
