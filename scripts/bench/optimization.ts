import { CreateFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CreateStateMachineCommand, DescribeExecutionCommand, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { systemCaller, systemSubmitter } from "#tasks/published/task-submitter";
import { loadStageConfig } from "../../lib/config/stage-config";
import type { LocalOutputs } from "../local/outputs";
import { REPO_ROOT } from "../local/paths";
import { eventually } from "../local/eventually";
import { localToken } from "../local/users";
import { zip } from "../local/zip";
import { summarize } from "./stats";

/** Polled every 100 ms: the figures are latencies, so a coarser poll would blur them. */
const until = <T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, what: string) =>
  eventually(read, done, timeoutMs, what, 100);

interface View {
  readonly recommendationId: string;
  readonly status: string;
  readonly toVersion?: string;
  readonly appliedAt?: string;
  readonly reason?: string;
}

/**
 * The optimization pipeline's latency on the emulator (issue 11): recommendation → applied on the
 * auto path and approval → applied on the approval path, each over `runs` recommendations one after
 * another on one document; and how soon an agent scores with a new version of the keyword
 * config. The raw baseline, in the same run: a one-Lambda-task Standard execution, start to
 * SUCCEEDED. Every applied change waits out the stage's verification window, reported beside them.
 */
export async function optimizationBenchmark(outputs: LocalOutputs, options: { runs: number; verificationWindowSeconds: number }) {
  const operator = await localToken(outputs, "operator");
  const call = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${outputs.HttpApiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${operator}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  const view = async (id: string) => (await call<View>("GET", `/api/optimizations/${id}`)).body;
  const recommend = async (document: string, patch: unknown[], severity: string) => {
    const current = await call<{ version: string }>("GET", `/api/settings/${document}`);
    const answer = await call<View>("POST", "/api/optimizations", {
      type: "performance",
      severity,
      title: `bench ${severity} ${Date.now()}`,
      document,
      baseVersion: current.body.version,
      patch,
      confidence: 0.9,
    });
    if (answer.status !== 202)
      throw new Error(`the recommendation was refused (${answer.status}): ${JSON.stringify(answer.body)}`);
    return answer.body.recommendationId;
  };
  const settled = (id: string) =>
    until(
      () => view(id),
      (v) => !["received", "pending", "approved", "applying"].includes(v.status),
      120_000,
      `${id} to settle`,
    );

  // Auto path: low risk, alternating between two values so every run is a change.
  const auto: number[] = [];
  for (let run = 0; run < options.runs; run++) {
    const started = performance.now();
    const id = await recommend(
      "review-thresholds",
      [{ op: "replace", path: "/failureRate", value: run % 2 ? 0.1 : 0.11 }],
      "low",
    );
    const done = await settled(id);
    if (done.status !== "applied") throw new Error(`auto run ${run} ended ${done.status}: ${done.reason ?? ""}`);
    auto.push(performance.now() - started);
  }

  // Approval path: medium risk, approved as soon as it waits.
  const approval: number[] = [];
  for (let run = 0; run < options.runs; run++) {
    const id = await recommend(
      "review-thresholds",
      [{ op: "replace", path: "/failureRate", value: run % 2 ? 0.1 : 0.12 }],
      "medium",
    );
    await until(
      () => view(id),
      (v) => v.status === "pending",
      60_000,
      `${id} to wait for approval`,
    );
    const started = performance.now();
    const decided = await call<View>("POST", `/api/optimizations/${id}/approve`, { comment: "bench" });
    if (decided.status !== 200) throw new Error(`approve answered ${decided.status}`);
    const done = await settled(id);
    if (done.status !== "applied") throw new Error(`approval run ${run} ended ${done.status}: ${done.reason ?? ""}`);
    approval.push(performance.now() - started);
  }

  // A real TGE report from the shipped feed, scored again and again.
  const feed = JSON.parse(readFileSync(path.join(REPO_ROOT, "fixtures", "feeds", "tge-news.json"), "utf8")) as {
    items: unknown[];
  };
  const item = feed.items[0];
  const stage = loadStageConfig("local", process.env);
  const submitAsScraper = systemSubmitter(
    DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: process.env.AWS_ENDPOINT_URL })),
    systemCaller("scraping-efficiency"),
    {
      tasksTable: outputs.TasksTableName,
      statsTable: outputs.TaskStatsTableName,
      maxQueueDepth: stage.maxQueueDepth,
      queuedTtlSeconds: stage.queuedTaskTtlSeconds,
      schedulingStrategy: stage.schedulingStrategy,
    },
  );
  // Pickup: a new keyword config version, then tge.score tasks until one says it scored with it.
  const pickup: number[] = [];
  for (let run = 0; run < Math.min(5, options.runs); run++) {
    const id = await recommend(
      "detection-keywords",
      [{ op: "replace", path: "/bodyWeight", value: run % 2 ? 0.6 : 0.61 }],
      "low",
    );
    const done = await settled(id);
    if (done.status !== "applied" || !done.toVersion || !done.appliedAt)
      throw new Error(`pickup run ${run} ended ${done.status}`);
    const appliedAt = Date.parse(done.appliedAt);
    for (;;) {
      // tge.score is the pipeline's own type: submitted as the scrapers submit it, not through the API.
      const { task } = await submitAsScraper({
        type: "tge.score",
        agentType: "keyword-precision",
        priority: "critical",
        payload: {
          item,
          fingerprint: `bench-${Date.now()}-${Math.random()}`,
          feedUrl: "https://bench.example/feed.json",
        },
      });
      const finished = await until(
        () => call<{ status: string; result?: { settingsVersion?: string } }>("GET", `/api/tasks/${task.taskId}`),
        (t) => ["completed", "failed", "dead_lettered"].includes(t.body.status),
        30_000,
        "a tge.score",
      );
      if (finished.body.result?.settingsVersion === done.toVersion) {
        pickup.push(Date.now() - appliedAt);
        break;
      }
      if (Date.now() - appliedAt > 60_000) throw new Error("no agent picked up the new keyword config within 60 s");
    }
  }

  // Raw baseline: a Standard execution of one Lambda task that returns at once.
  const sfn = new SFNClient({ endpoint: process.env.AWS_ENDPOINT_URL });
  const lambda = new LambdaClient({ endpoint: process.env.AWS_ENDPOINT_URL });
  const stamp = Date.now().toString(36);
  const fn = await lambda.send(
    new CreateFunctionCommand({
      FunctionName: `bench-raw-step-${stamp}`,
      Runtime: "nodejs22.x",
      Role: "arn:aws:iam::000000000000:role/bench",
      Handler: "index.handler",
      Code: { ZipFile: zip({ "index.mjs": 'export const handler = async () => ({ outcome: "ok" });' }) },
    }),
  );
  const machine = await sfn.send(
    new CreateStateMachineCommand({
      name: `bench-raw-${stamp}`,
      roleArn: "arn:aws:iam::000000000000:role/bench",
      definition: JSON.stringify({ StartAt: "Step", States: { Step: { Type: "Task", Resource: fn.FunctionArn, End: true } } }),
    }),
  );
  const raw: number[] = [];
  for (let run = 0; run < options.runs; run++) {
    const started = performance.now();
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn, input: "{}" }));
    await until(
      () => sfn.send(new DescribeExecutionCommand({ executionArn })),
      (e) => e.status !== "RUNNING",
      60_000,
      "the raw execution",
    );
    raw.push(performance.now() - started);
  }
  sfn.destroy();
  lambda.destroy();

  const windowMs = options.verificationWindowSeconds * 1_000;
  const autoS = summarize(auto);
  const approvalS = summarize(approval);
  const rawS = summarize(raw);
  const ratio = (ms: number) => Math.round((ms / rawS.p50) * 10) / 10;
  return {
    runs: options.runs,
    verificationWindowMs: windowMs,
    recommendationToAppliedMs: autoS,
    approvalToAppliedMs: approvalS,
    newVersionToAgentScoringMs: summarize(pickup),
    rawOneStepExecutionMs: rawS,
    // What the pipeline adds beyond the verification window it must wait, as a multiple of one raw step.
    autoOverheadBeyondWindowP50Ms: Math.round(autoS.p50 - windowMs),
    autoOverheadBeyondWindowP50VsRawStep: ratio(autoS.p50 - windowMs),
    approvalOverheadBeyondWindowP50VsRawStep: ratio(approvalS.p50 - windowMs),
  };
}
