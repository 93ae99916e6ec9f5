import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  rewindStreamPositions,
  STOPPED_TASK_RETENTION_MS,
  stopRestoredTasks,
  UnknownStateFormatError,
} from "../../../scripts/local/restore-repairs";

const scoped = (entries: Record<string, unknown>) => ({
  __account_region_scoped__: true,
  data: Object.fromEntries(Object.entries(entries).map(([key, value]) => [`000000000000\u0000us-east-1\u0000'${key}'`, value])),
});
const wrapped = (payload: Record<string, unknown>) => JSON.stringify({ __ministack_format__: 2, payload });

const dirs: string[] = [];
function stateWith(name: string, text: string): { dir: string; read: () => { payload: Record<string, unknown> } } {
  const dir = mkdtempSync(path.join(tmpdir(), "restore-repairs-"));
  dirs.push(dir);
  writeFileSync(path.join(dir, name), text);
  return { dir, read: () => JSON.parse(readFileSync(path.join(dir, name), "utf8")) };
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("rewindStreamPositions", () => {
  it("puts every DynamoDB stream mapping back at position 0 and leaves the rest of the Lambda state as it was", () => {
    const functions = scoped({ relay: { config: { FunctionName: "relay" } } });
    const state = stateWith(
      "lambda.json",
      wrapped({ functions, esms: scoped({}), dynamodb_stream_positions: scoped({ "esm-tasks": 161, "esm-agents": 95 }) }),
    );
    expect(rewindStreamPositions(state.dir)).toBe(2);
    const { payload } = state.read();
    expect(payload.dynamodb_stream_positions).toEqual(scoped({ "esm-tasks": 0, "esm-agents": 0 }));
    expect(payload.functions).toEqual(functions);
    // A second start of the same state finds nothing to rewind.
    expect(rewindStreamPositions(state.dir)).toBe(0);
  });

  it("does nothing without a Lambda state, and refuses a file it cannot read rather than guess", () => {
    const empty = stateWith("sqs.json", wrapped({}));
    expect(rewindStreamPositions(empty.dir)).toBe(0);
    const odd = stateWith("lambda.json", JSON.stringify({ payload: { dynamodb_stream_positions: { "esm-tasks": 3 } } }));
    expect(() => rewindStreamPositions(odd.dir)).toThrow(UnknownStateFormatError);
    expect(() => rewindStreamPositions(odd.dir)).toThrow(
      /lambda\.json is not in the format MiniStack 1\.5\.33 saves: .*__ministack_format__/,
    );
  });
});

describe("stopRestoredTasks", () => {
  const now = new Date("2026-12-01T12:00:00.000Z");
  const task = (arn: string, lastStatus: string, desiredStatus: string, stoppedAt: string | null = null) => ({
    taskArn: arn,
    lastStatus,
    desiredStatus,
    stoppedAt,
    group: "service:tge-swarm-local-data-quality",
    containers: [{ name: "agent", lastStatus }],
  });
  const recent = new Date(now.getTime() - STOPPED_TASK_RETENTION_MS / 2).toISOString();
  const old = new Date(now.getTime() - STOPPED_TASK_RETENTION_MS - 1_000).toISOString();

  it("records as stopped every task that was running at the save, keeps recently stopped ones and drops those stopped over an hour ago", () => {
    const state = stateWith(
      "ecs.json",
      wrapped({
        services: scoped({}),
        tasks: scoped({
          running: task("running", "RUNNING", "RUNNING"),
          ghost: task("ghost", "STOPPED", "RUNNING"),
          recent: task("recent", "STOPPED", "STOPPED", recent),
          old: task("old", "STOPPED", "STOPPED", old),
        }),
      }),
    );
    expect(stopRestoredTasks(state.dir, now)).toEqual({ stopped: ["running", "ghost"], dropped: 1 });
    const tasks = Object.values((state.read().payload.tasks as { data: Record<string, Record<string, unknown>> }).data);
    expect(tasks.map((t) => [t.taskArn, t.lastStatus, t.desiredStatus])).toEqual([
      ["running", "STOPPED", "STOPPED"],
      ["ghost", "STOPPED", "STOPPED"],
      ["recent", "STOPPED", "STOPPED"],
    ]);
    expect(tasks[0]).toMatchObject({
      stoppedAt: now.toISOString(),
      stopCode: "EssentialContainerExited",
      containers: [{ name: "agent", lastStatus: "STOPPED" }],
    });
    expect(stopRestoredTasks(state.dir, now)).toEqual({ stopped: [], dropped: 0 });
  });
});
