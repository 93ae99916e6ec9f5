import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  ListFunctionsCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { afterAll, describe, expect, it } from "vitest";
import { type Frame, WsClient } from "../../../scripts/local/ws-client";
import { eventually, outputs, submit, taskUntil, tokenFor } from "../support/api";

const lambda = new LambdaClient({});
afterAll(() => lambda.destroy());

/** Every dashboard function, by the name CDK gave it. */
async function realtimeFunctions(): Promise<string[]> {
  const names: string[] = [];
  let Marker: string | undefined;
  do {
    const page = await lambda.send(new ListFunctionsCommand({ Marker }));
    names.push(...(page.Functions ?? []).map((f) => f.FunctionName ?? "").filter((n) => n.includes("-realtime-")));
    Marker = page.NextMarker;
  } while (Marker);
  return names;
}

/** A configuration change makes Lambda start fresh instances: nothing held in memory survives it. */
async function restart(functionName: string): Promise<void> {
  const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  const Variables = { ...(config.Environment?.Variables ?? {}), RESTARTED_AT: new Date().toISOString() };
  await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: functionName, Environment: { Variables } }));
  await eventually(
    () => lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName })),
    (c) => c.LastUpdateStatus !== "InProgress" && c.Environment?.Variables?.RESTARTED_AT === Variables.RESTARTED_AT,
    20_000,
    `${functionName} to take its new configuration`,
  );
}

describe("offline delivery", () => {
  it("gives a client that comes back after the back end restarted what it missed, from its last seq", async () => {
    const client = await WsClient.connect(outputs().WebSocketUrl, await tokenFor("viewer"));
    await client.subscribe(["tasks"]);
    const before = await submit({ type: "diagnostics.echo", agentType: "data-quality", priority: "high", payload: { n: 0 } });
    const seen = await client.waitFor(
      (f) => f.type === "task_update" && f.data.taskId === before.taskId && f.data.status === "completed",
      20_000,
      "the first task completed",
    );
    client.close();

    const missed = await submit({ type: "diagnostics.echo", agentType: "data-quality", priority: "high", payload: { n: 1 } });
    await taskUntil(missed.taskId, (task) => task.status === "completed");
    const functions = await realtimeFunctions();
    expect(functions.length).toBeGreaterThanOrEqual(4);
    for (const name of functions) await restart(name);

    const back = await WsClient.connect(outputs().WebSocketUrl, await tokenFor("viewer"));
    try {
      await back.subscribe(["tasks"]);
      back.send({ type: "replay", sinceSeq: seen.seq });
      await back.waitFor((f) => f.type === "replay" && f.data.last === true, 15_000, "replay");
      const events = back.frames.filter((f) => f.type === "replay").flatMap((f) => f.data.events as Frame[]);
      const statuses = events.filter((e) => e.data.taskId === missed.taskId).map((e) => e.data.status);
      expect(statuses).toEqual(expect.arrayContaining(["queued", "running", "completed"]));
      expect(events.every((e) => (e.seq as number) > (seen.seq as number))).toBe(true);
    } finally {
      back.close();
    }
  });
});
