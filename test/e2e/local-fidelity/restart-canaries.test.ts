/**
 * Canaries for what the emulator restores from a saved state, and what it does not, which
 * `npm start` works around (scripts/local/restore-repairs.ts, saved-state.ts, fleet-runner.ts).
 * They run on an emulator of their own that keeps its state in a temporary directory, and
 * restart it the way `npm start` does (SIGTERM, then a wait for its save).
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import {
  DescribeRuleCommand,
  EventBridgeClient,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { CreateEventSourceMappingCommand, CreateFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_AGENT_IMAGE } from "../../../lib/stacks/agents-stack";
import { freePort, type RunningEmulator, startEmulator } from "../../../scripts/local/emulator";
import { rewindStreamPositions, stopRestoredTasks } from "../../../scripts/local/restore-repairs";
import { inspectSavedState } from "../../../scripts/local/saved-state";
import { zip } from "../../../scripts/local/zip";
import { eventually } from "../support/api";

const stateDir = mkdtempSync(path.join(tmpdir(), "tge-restart-canaries-"));
let port: number;
let emulator: RunningEmulator;
let endpoint: string;

const config = () => ({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "000000000000", secretAccessKey: "test" },
  requestHandler: { requestTimeout: 10_000 },
});
const clients = () => ({
  dynamodb: new DynamoDBClient(config()),
  lambda: new LambdaClient(config()),
  logs: new CloudWatchLogsClient(config()),
  ecs: new ECSClient(config()),
  sqs: new SQSClient(config()),
  events: new EventBridgeClient(config()),
});
let aws: ReturnType<typeof clients>;

const start = async () => {
  emulator = await startEmulator({ port, stateDir, reuseExisting: false, log: () => undefined });
  endpoint = emulator.endpoint;
  aws = clients();
};
/** Stops the emulator as `npm start` does (it saves), applies `repair` to the saved files, and starts it again. */
const restart = async (repair: (dir: string) => void = () => undefined) => {
  for (const client of Object.values(aws)) client.destroy();
  const stopped = await emulator.stop();
  expect(stopped.exitedCleanly, stopped.stopLog).toBe(true);
  repair(stateDir);
  await start();
};

const TABLE = "canary-stream";
const FUNCTION = "canary-stream-reader";
const CLUSTER = "canary-restart";
const SERVICE = "canary-service";
const QUEUE = "canary-restart-queue";
const RULE = "canary-restart-rate";

/** The keys the stream reader has logged so far (it logs each record's key). */
async function keysRead(): Promise<string[]> {
  const { events = [] } = await aws.logs
    .send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${FUNCTION}` }))
    .catch(() => ({ events: [] }));
  return events.flatMap((event) => [...(event.message ?? "").matchAll(/read:(\w+)/g)].map((match) => match[1] as string));
}

const put = (...keys: string[]) =>
  Promise.all(keys.map((key) => aws.dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: key } } }))));

const running = async () => {
  const { taskArns = [] } = await aws.ecs.send(
    new ListTasksCommand({ cluster: CLUSTER, serviceName: SERVICE, desiredStatus: "RUNNING" }),
  );
  if (taskArns.length === 0) return [];
  const { tasks = [] } = await aws.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: taskArns }));
  return tasks.map((task) => ({
    taskArn: task.taskArn as string,
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
  }));
};

let firstTask: string;
let queueUrl: string;

beforeAll(async () => {
  port = await freePort();
  await start();
  // A table whose stream a function reads from the start (as relay-task-changes does), and three records read.
  await aws.dynamodb.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
    }),
  );
  const { FunctionArn } = await aws.lambda.send(
    new CreateFunctionCommand({
      FunctionName: FUNCTION,
      Runtime: "nodejs22.x",
      Role: "arn:aws:iam::000000000000:role/canary",
      Handler: "index.handler",
      Code: {
        ZipFile: zip({
          "index.mjs":
            "export const handler = async (event) => { for (const r of event.Records) console.log(`read:${r.dynamodb.Keys.pk.S}`); return {}; };",
        }),
      },
    }),
  );
  const { Table } = await aws.dynamodb.send(new DescribeTableCommand({ TableName: TABLE }));
  await aws.lambda.send(
    new CreateEventSourceMappingCommand({
      FunctionName: FunctionArn,
      EventSourceArn: Table?.LatestStreamArn,
      StartingPosition: "TRIM_HORIZON",
      BatchSize: 1,
    }),
  );
  await put("a1", "a2", "a3");
  await eventually(
    keysRead,
    (keys) => ["a1", "a2", "a3"].every((key) => keys.includes(key)),
    30_000,
    "a1..a3 read before the restart",
  );

  // A service with one task, as an agent service has.
  await aws.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  const { taskDefinition } = await aws.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "canary-restart",
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: "256",
      memory: "512",
      containerDefinitions: [{ name: "agent", image: LOCAL_AGENT_IMAGE, essential: true }],
    }),
  );
  await aws.ecs.send(
    new CreateServiceCommand({
      cluster: CLUSTER,
      serviceName: SERVICE,
      taskDefinition: taskDefinition?.taskDefinitionArn,
      desiredCount: 1,
      launchType: "FARGATE",
    }),
  );
  firstTask = (await eventually(running, (tasks) => tasks.length === 1, 10_000, "one RUNNING task"))[0]?.taskArn as string;

  // A message waiting on a queue, and a schedule.
  queueUrl = (await aws.sqs.send(new CreateQueueCommand({ QueueName: QUEUE }))).QueueUrl as string;
  await aws.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "waiting through the restart" }));
  const { Attributes } = await aws.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }));
  await aws.events.send(new PutRuleCommand({ Name: RULE, ScheduleExpression: "rate(1 hour)" }));
  await aws.events.send(new PutTargetsCommand({ Rule: RULE, Targets: [{ Id: "queue", Arn: Attributes?.QueueArn }] }));

  await restart();
}, 120_000);

afterAll(async () => {
  for (const client of Object.values(aws ?? {})) client.destroy();
  await emulator?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

describe("local fidelity canaries: what a restart restores", () => {
  it("DynamoDB stream mappings keep their read position but the stream records are gone, so the first new records are skipped (rewindStreamPositions)", async () => {
    // Three records were read before the restart, so the restored mapping stands at position 3 of a stream that restarts empty.
    await put("b1");
    await put("b2");
    await put("b3");
    await put("b4");
    const keys = await eventually(keysRead, (read) => read.includes("b4"), 30_000, "b4, the fourth record after the restart");
    expect(keys, "the emulator now resumes a restored stream mapping at its start: rewindStreamPositions can go").not.toContain(
      "b1",
    );
    expect(keys).not.toContain("b3");

    // The workaround: positions rewound in the saved state before the emulator loads it.
    await restart((dir) => expect(rewindStreamPositions(dir)).toBe(1));
    await put("c1");
    await eventually(keysRead, (read) => read.includes("c1"), 30_000, "c1, the first record after a rewound restart");
  });

  it("ECS tasks come back STOPPED yet still wanted (desiredStatus RUNNING), and the service starts new ones (stopRestoredTasks; the fleet runner follows lastStatus)", async () => {
    const tasks = await eventually(
      running,
      (listed) => listed.some((task) => task.lastStatus === "RUNNING"),
      20_000,
      "a new RUNNING task",
    );
    const restored = tasks.find((task) => task.taskArn === firstTask);
    expect(restored, "restored tasks are no longer listed as wanted: the runner's ghost handling can go").toMatchObject({
      lastStatus: "STOPPED",
      desiredStatus: "RUNNING",
    });
    expect(tasks.filter((task) => task.lastStatus === "RUNNING")).toHaveLength(1);

    // The workaround: every task running at the save is recorded stopped before the emulator loads it.
    let stopped: readonly string[] = [];
    await restart((dir) => ({ stopped } = stopRestoredTasks(dir)));
    expect(stopped).toContain(firstTask);
    const after = await eventually(
      running,
      (listed) => listed.length === 1 && listed[0]?.lastStatus === "RUNNING",
      20_000,
      "one RUNNING task",
    );
    expect(after.map((task) => task.taskArn)).not.toContain(firstTask);
  });

  it("queued SQS messages, rules and their targets are restored (work on its queue survives a restart)", async () => {
    const { Messages = [] } = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 2 }));
    expect(Messages.map((message) => message.Body)).toEqual(["waiting through the restart"]);
    const rule = await aws.events.send(new DescribeRuleCommand({ Name: RULE }));
    expect(rule).toMatchObject({ ScheduleExpression: "rate(1 hour)", State: "ENABLED" });
    const { Targets = [] } = await aws.events.send(new ListTargetsByRuleCommand({ Rule: RULE }));
    expect(Targets.map((target) => target.Id)).toEqual(["queue"]);
  });

  it("a save is written one service file at a time, each as .tmp then renamed, so a kill mid-save leaves a half-saved state (inspectSavedState refuses it)", async () => {
    // Enough items (40 MB) that the DynamoDB file takes a second or two to write.
    const pad = "x".repeat(1_000);
    const batches = Array.from({ length: 1_600 }, (_, b) =>
      Array.from({ length: 25 }, (_, j) => ({ PutRequest: { Item: { pk: { S: `bulk${b * 25 + j}` }, v: { S: pad } } } })),
    );
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < batches.length) {
          const batch = batches[next++] ?? [];
          await aws.dynamodb.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: batch } }));
        }
      }),
    );
    for (const client of Object.values(aws)) client.destroy();
    const pid = emulator.pid as number;
    process.kill(-pid, "SIGTERM");
    await eventually(
      async () => readdirSync(stateDir).filter((name) => name.endsWith(".tmp")),
      (partial) => partial.length > 0,
      30_000,
      "a .tmp file while the emulator saves",
    );
    process.kill(-pid, "SIGKILL");
    await emulator.stop();
    expect(
      readdirSync(stateDir).some((name) => name.endsWith(".tmp")),
      "a killed save leaves no .tmp now: revisit saved-state.ts",
    ).toBe(true);
    const verdict = inspectSavedState(stateDir);
    expect(verdict.kind).toBe("incomplete");
    expect(verdict.kind === "incomplete" && verdict.problems.join("; ")).toMatch(/a save was cut off while writing \S+\.tmp/);
  }, 120_000);
});
