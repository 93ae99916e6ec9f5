import { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { submitterFor } from "../../../containers/agent/src/runtime/task-submission";
import type { SchedulingStrategy } from "#tasks/domain/scheduling";
import { countKey } from "#tasks/domain/task-stats";
import { systemCaller, systemSubmitter } from "#tasks/published/task-submitter";

const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1" }));
const mock = mockClient(db);
let tick = 0;

beforeEach(() => {
  mock.reset();
  tick = 0;
  // api-reliability is the busier of the two reviewers; performance-optimizer has nothing queued.
  mock.on(BatchGetCommand).resolves({
    Responses: { stats: [{ pk: "TYPE#api-reliability", [countKey("low", "queued")]: 2 }] },
  });
  mock.on(GetCommand).resolves({});
  mock.on(PutCommand).resolves({});
  mock.on(UpdateCommand).callsFake(async () => ({ Attributes: { value: ++tick } }));
});

const submitter = (schedulingStrategy: SchedulingStrategy) =>
  systemSubmitter(db, systemCaller("test-schedule"), {
    tasksTable: "tasks",
    statsTable: "stats",
    maxQueueDepth: 100,
    queuedTtlSeconds: 600,
    schedulingStrategy,
  });
const reviewByCapability = { type: "metrics.review", capability: "metrics-review", priority: "low", payload: {} };

describe("systemSubmitter", () => {
  it("places a task that names a capability with the strategy it was given: round_robin takes turns", async () => {
    const submit = submitter("round_robin");

    const chosen = [];
    for (let i = 0; i < 4; i++) chosen.push((await submit(reviewByCapability)).task.agentType);

    // A hard-coded least_loaded would have sent all four to the idle performance-optimizer.
    expect(chosen).toEqual(["performance-optimizer", "api-reliability", "performance-optimizer", "api-reliability"]);
    expect(mock.commandCalls(UpdateCommand).map((c) => c.args[0].input.Key)).toEqual(
      Array(4).fill({ pk: "TICK#rr-metrics-review" }),
    );
  });

  it("least_loaded sends it to the less loaded type, without a round-robin turn", async () => {
    const submit = submitter("least_loaded");

    const { task } = await submit(reviewByCapability);

    expect(task).toMatchObject({
      agentType: "performance-optimizer",
      capability: "metrics-review",
      submittedBy: "system:test-schedule",
    });
    expect(mock.commandCalls(UpdateCommand)).toHaveLength(0);
  });
});

describe("submitterFor (agents that hand work on)", () => {
  const context = (env: Record<string, string>) => ({
    agentId: "agent-1",
    agentType: "keyword-precision" as const,
    env,
    db,
    logger: new Logger({ logLevel: "SILENT" }),
    s3: new S3Client({ region: "us-east-1" }),
    // submitterFor reads neither the bucket nor the runtime settings.
    runtimeSettings: { current: () => Promise.reject(new Error("runtime settings are not read by submitterFor")) },
  });
  const env = { TASKS_TABLE: "tasks", TASK_STATS_TABLE: "stats", MAX_QUEUE_DEPTH: "100", QUEUED_TTL_SECONDS: "600" };

  it("takes the stage's strategy from SCHEDULING_STRATEGY", async () => {
    const submit = submitterFor(context({ ...env, SCHEDULING_STRATEGY: "round_robin" }));

    await submit(reviewByCapability);

    expect(mock.commandCalls(UpdateCommand).map((c) => c.args[0].input.Key)).toEqual([{ pk: "TICK#rr-metrics-review" }]);
  });

  it("fails at once, naming the variable, when the strategy is missing or not one", () => {
    expect(() => submitterFor(context(env))).toThrow(/SCHEDULING_STRATEGY/);
    expect(() => submitterFor(context({ ...env, SCHEDULING_STRATEGY: "fastest" }))).toThrow(/SCHEDULING_STRATEGY/);
  });
});
