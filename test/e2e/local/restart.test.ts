/**
 * A second `npm start` works (issue 15). This file runs its own emulator with a state directory,
 * started and stopped through `startLocalEnvironment` exactly as `npm start` does (with the
 * smoke check, and `stop()` as its Ctrl-C handler calls it) — never the shared e2e emulator.
 *
 *   plant a half-saved state ─▶ start: detected, said, discarded, fresh deploy, smoke passes
 *   tasks before the stop ─▶ stop (save) ─▶ start: restored, no deploy, smoke passes
 *   every task, before and after, completes exactly once
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentType } from "#kernel/agent-catalog";
import { setAgentCounts } from "../../../scripts/local/agent-counts";
import { freePort } from "../../../scripts/local/emulator";
import { type LocalEnvironment, startLocalEnvironment } from "../../../scripts/local/environment";
import type { FleetAgentRecord } from "../../../scripts/local/fleet-runner";
import type { LocalOutputs } from "../../../scripts/local/outputs";
import { LOCAL_DIR } from "../../../scripts/local/paths";
import { SAVE_RECORD_FILE } from "../../../scripts/local/saved-state";
import { localToken } from "../../../scripts/local/users";
import { eventually, type TaskBody } from "../support/api";

const workDir = path.join(LOCAL_DIR, "e2e-restart");
const stateDir = path.join(workDir, "emulator-state");
/** The type whose tasks wait through the restart: its minimum is 0 and nothing scales it, so no agent takes them early. */
const WAITING_TYPE: AgentType = "performance-optimizer";
/** Submitted in bursts just before the stop, faster than the relay passes them to the queue. */
const WAITING_TASKS = 200;

const savedEnv = { ...process.env };
let port: number;
let feedPort: number;
let environment: LocalEnvironment | undefined;
const logs: string[][] = [];

/** The environment `npm start` runs, minus the e2e overrides: this file needs a stage without short TTLs or queue limits. */
function useRestartEnv(): void {
  for (const name of Object.keys(process.env))
    if (name.startsWith("TGE_") || name === "AWS_ENDPOINT_URL") Reflect.deleteProperty(process.env, name);
  // What acts behind the test's back stays off, as in every e2e stage; the feed is this file's own.
  Object.assign(process.env, { TGE_AUTO_SCALING: "false", TGE_AUTO_RECOVERY: "false", TGE_METRICS_REVIEW_MINUTES: "0" });
}

/** Starts as `npm start` does; answers the environment, the lines it logged and its time to ready. */
async function start(): Promise<{ env: LocalEnvironment; log: string[]; seconds: number }> {
  // A start sets AWS_ENDPOINT_URL for its own clients; a second start must not take it for an emulator to reuse.
  delete process.env.AWS_ENDPOINT_URL;
  const log: string[] = [];
  logs.push(log);
  const started = Date.now();
  environment = await startLocalEnvironment({
    workDir,
    stateDir,
    port,
    feedPort,
    smokeCheck: true,
    log: (line) => log.push(line),
  });
  return { env: environment, log, seconds: (Date.now() - started) / 1_000 };
}

const tokens = new Map<string, Promise<string>>();
/** An admin token for this deployment's user pool, fetched once per pool. */
function adminToken(outputs: LocalOutputs): Promise<string> {
  let token = tokens.get(outputs.UserPoolId);
  if (!token) {
    token = localToken(outputs, "admin");
    tokens.set(outputs.UserPoolId, token);
  }
  return token;
}

async function call<T>(
  outputs: LocalOutputs,
  method: string,
  route: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${outputs.HttpApiUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${await adminToken(outputs)}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(20_000),
  });
  return { status: response.status, body: (await response.json()) as T };
}

const echo = (agentType: AgentType, i: number) => ({ type: "diagnostics.echo", agentType, priority: "normal", payload: { i } });

async function submitBatch(outputs: LocalOutputs, agentType: AgentType, count: number, from = 0): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 100) {
    const tasks = Array.from({ length: Math.min(100, count - i) }, (_, j) => echo(agentType, from + i + j));
    const { status, body } = await call<{ results: { status: number; task: TaskBody }[] }>(outputs, "POST", "/api/tasks/batch", {
      tasks,
    });
    expect(status).toBe(200);
    ids.push(...body.results.map((result) => result.task.taskId));
  }
  return ids;
}

async function tasksOf(outputs: LocalOutputs, ids: readonly string[]): Promise<TaskBody[]> {
  const tasks: TaskBody[] = [];
  for (const id of ids) tasks.push((await call<TaskBody>(outputs, "GET", `/api/tasks/${id}`)).body);
  return tasks;
}

/** Messages on a queue, visible or not. */
async function depth(outputs: LocalOutputs, url: string): Promise<number> {
  const sqs = new SQSClient({ endpoint: outputs.endpoint, region: outputs.region });
  try {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: [
          "ApproximateNumberOfMessages",
          "ApproximateNumberOfMessagesNotVisible",
          "ApproximateNumberOfMessagesDelayed",
        ],
      }),
    );
    return Object.values(Attributes).reduce((sum, value) => sum + Number(value), 0);
  } finally {
    sqs.destroy();
  }
}

/** The lines an agent process logged with a given message, from the fleet runner's list of its agents. */
function agentLogLines(agentType: AgentType, message: string): { taskId?: string }[] {
  const { agents } = JSON.parse(readFileSync(path.join(workDir, "fleet.json"), "utf8")) as { agents: FleetAgentRecord[] };
  return agents
    .filter((agent) => agent.agentType === agentType && existsSync(agent.logFile))
    .flatMap((agent) => readFileSync(agent.logFile, "utf8").split("\n"))
    .flatMap((line) => {
      try {
        const entry = JSON.parse(line) as { message?: string; taskId?: string };
        return entry.message === message ? [entry] : [];
      } catch {
        return [];
      }
    });
}

beforeAll(async () => {
  useRestartEnv();
  port = await freePort();
  feedPort = await freePort();
  rmSync(workDir, { recursive: true, force: true });
  // What a stop killed mid-save leaves: a service file cut off while being written, others missing, no record of a whole save.
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(
    path.join(stateDir, "dynamodb.json.tmp"),
    '{"__ministack_format__": 2, "payload": {"tables": {"__account_region_scoped__": tr',
  );
  writeFileSync(path.join(stateDir, "cloudformation.json"), '{"__ministack_format__": 2, "payload": {}}');
});

afterAll(async () => {
  await environment?.stop();
  // The saved state is large and only this file reads it; the logs stay for a look after a failure.
  rmSync(stateDir, { recursive: true, force: true });
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) Reflect.deleteProperty(process.env, name);
  Object.assign(process.env, savedEnv);
});

describe("a second npm start works", () => {
  let first: Awaited<ReturnType<typeof start>>;
  let before: string[] = [];
  let waiting: string[] = [];

  it("a half-saved state is detected, said and discarded; the start deploys afresh and ends ready, a task run end to end", async () => {
    first = await start();
    console.log(
      `[restart e2e] start after a half-saved state: ready in ${first.seconds.toFixed(1)}s, smoke task ${first.env.smoke?.latencyMs} ms`,
    );
    expect(first.env.origin).toMatchObject({ kind: "discarded" });
    expect(first.log.join("\n")).toMatch(
      /saved emulator state is incomplete, so it is not used: a save was cut off while writing dynamodb\.json\.tmp/,
    );
    expect(existsSync(path.join(stateDir, "dynamodb.json.tmp")), "the half-saved files are gone").toBe(false);
    expect(first.env.deploy.skipped).toBe(false);
    expect(first.env.smoke?.latencyMs).toBeGreaterThan(0);
  }, 420_000);

  it("tasks submitted before a stop, some not yet relayed when it saved, and tasks submitted after the next start all complete exactly once", async () => {
    const { outputs } = first.env;
    before = await submitBatch(outputs, "data-quality", 10);
    await eventually(
      () => tasksOf(outputs, before),
      (tasks) => tasks.every((t) => t.status === "completed"),
      60_000,
      "the first tasks",
    );

    // GIVEN tasks no agent takes yet, submitted faster than the relay sends them on, and a stop right after
    waiting = await submitBatch(outputs, WAITING_TYPE, WAITING_TASKS, 1_000);
    const stopped = await first.env.stop();
    environment = undefined;
    expect(stopped, JSON.stringify(stopped.problems)).toMatchObject({ saved: true });
    expect(existsSync(path.join(stateDir, SAVE_RECORD_FILE))).toBe(true);

    // WHEN the swarm starts again from its saved state
    const second = await start();
    console.log(
      `[restart e2e] second start, nothing changed: ready in ${second.seconds.toFixed(1)}s, smoke task ${second.env.smoke?.latencyMs} ms`,
    );
    expect(second.env.origin).toMatchObject({ kind: "restored" });
    expect(second.env.deploy.skipped).toBe(true);
    const { outputs: restored } = second.env;
    expect(restored.HttpApiUrl).toBe(outputs.HttpApiUrl);

    // THEN every waiting task has a work message again; those relayed before the stop have two (the one that survived, and the resent one)
    const queued = await depth(restored, restored.WorkQueueUrls[WAITING_TYPE].normal);
    const survived = queued - WAITING_TASKS;
    console.log(
      `[restart e2e] ${queued} work messages for ${WAITING_TASKS} waiting tasks after the restart: ${survived} survived it, and every task's was sent again`,
    );
    expect(survived, "every waiting task has at least one message").toBeGreaterThanOrEqual(0);
    // How many lost theirs is the race between the relay and the save: since the relay sends in
    // batches it often wins, and none is stranded. Stranded tasks are made on purpose by the
    // sweeper e2e (relay mapping off); here the guarantee is that each completes exactly once.
    expect(survived, "no task has more than its two messages").toBeLessThanOrEqual(WAITING_TASKS);

    // ... and with an agent for them, and new tasks after the restart, all of them complete, each on its first and only attempt
    const after = await submitBatch(restored, "data-quality", 10, 2_000);
    await setAgentCounts(restored, { [WAITING_TYPE]: 1 });
    const all = [...before, ...waiting, ...after];
    const tasks = await eventually(
      () => tasksOf(restored, all),
      (read) => read.every((t) => t.status === "completed"),
      240_000,
      "every task submitted before and after the restart",
    );
    expect(
      tasks.filter((t) => t.attempt !== 1).map((t) => t.taskId),
      "tasks run more than once",
    ).toEqual([]);
    // The duplicate messages are refused by the claim, one per task that kept its message: nothing ran twice.
    await eventually(
      () => depth(restored, restored.WorkQueueUrls[WAITING_TYPE].normal),
      (n) => n === 0,
      60_000,
      "the duplicates consumed",
    );
    const refused = agentLogLines(WAITING_TYPE, "not claiming: the task has moved on").filter((line) =>
      waiting.includes(line.taskId ?? ""),
    );
    expect(refused).toHaveLength(survived);
  }, 600_000);
});
