import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { LambdaClient, ListEventSourceMappingsCommand, UpdateEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, describe, expect, inject, it } from "vitest";
import { DynamoDbTaskStore } from "#tasks/adapters/dynamodb-task-store";
import type { SweepReport } from "#tasks/domain/sweeper";
import { planTransition } from "#tasks/domain/task-state-machine";
import { retryPolicyOf } from "../../../lib/config/stage-config";
import { cancelAllOf, eventually, outputs, submit, taskUntil } from "../support/api";
import { invokeFunction } from "../support/fleet";
import { UNATTENDED_AGENT_TYPE } from "../support/global-setup";

const lambda = new LambdaClient({ endpoint: outputs().endpoint });
const sqs = new SQSClient({});
const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
afterAll(async () => {
  await cancelAllOf(UNATTENDED_AGENT_TYPE);
  lambda.destroy();
  sqs.destroy();
  db.destroy();
});

/** The one event source mapping feeding `functionName`. */
async function mappingOf(functionName: string): Promise<string> {
  const { EventSourceMappings } = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: functionName }));
  const [mapping, ...others] = (EventSourceMappings ?? []).filter((m) => m.FunctionArn?.endsWith(`:${functionName}`));
  if (!mapping?.UUID || others.length > 0) throw new Error(`expected one event source mapping for ${functionName}`);
  return mapping.UUID;
}

/** Runs `body` with the mapping feeding `functionName` turned off, and turns it back on whatever happens. */
async function withMappingOff<T>(functionName: string, body: () => Promise<T>): Promise<T> {
  const uuid = await mappingOf(functionName);
  await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: false }));
  try {
    return await body();
  } finally {
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: true }));
  }
}

const sweep = () => invokeFunction<SweepReport>(outputs().SweeperFunctionName);

/**
 * Sweeps until a run reports `taskId` under `field`, as the schedule would but a run a second
 * rather than a minute (the e2e stage turns the schedule off); fails after `timeoutMs`.
 */
const sweepUntil = (field: "redispatched" | "timedOut" | "recovered", taskId: string, timeoutMs: number) =>
  eventually(
    async () => {
      const report = await sweep();
      if (!report[field].includes(taskId)) await new Promise((resolve) => setTimeout(resolve, 1_000));
      return report;
    },
    (report) => report[field].includes(taskId),
    timeoutMs,
    `the sweeper to report ${taskId} ${field}`,
  );

const messagesFor = async (taskId: string, priority: "high" | "low") => {
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: outputs().WorkQueueUrls[UNATTENDED_AGENT_TYPE][priority],
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 0,
      WaitTimeSeconds: 1,
    }),
  );
  return (Messages ?? []).filter((m) => m.Body?.includes(taskId));
};

describe("the sweeper (no task stranded)", () => {
  it("re-dispatches a queued task the relay never saw", { timeout: 120_000 }, async () => {
    const task = await withMappingOff(outputs().RelayFunctionName, async () => {
      // GIVEN a task stored while the tasks stream's relay is off: no work message, no timer
      const stored = await submit({ type: "diagnostics.echo", agentType: UNATTENDED_AGENT_TYPE, priority: "high" });
      expect(await messagesFor(stored.taskId, "high")).toEqual([]);
      // (the control: a run before `strandedAfterSeconds` leaves it alone, as it would a task the relay is about to send)
      expect((await sweep()).redispatched).not.toContain(stored.taskId);

      // WHEN the sweeper runs once the task has waited `strandedAfterSeconds`
      await sweepUntil("redispatched", stored.taskId, 60_000);

      // THEN its work message is on its queue, though the relay is still off, and a later run does not send it again
      const messages = await eventually(
        () => messagesFor(stored.taskId, "high"),
        (found) => found.length > 0,
        15_000,
        "the re-dispatched work message",
      );
      expect(messages).toHaveLength(1);
      expect((await sweep()).redispatched).not.toContain(stored.taskId);
      return stored;
    });
    expect((await taskUntil(task.taskId, (t) => t.status === "queued")).attempt).toBe(1);
  });

  it("times out and retries a running task whose agent died while its timers were lost", { timeout: 150_000 }, async () => {
    await withMappingOff(outputs().TimerCheckerFunctionName, async () => {
      // GIVEN a task claimed by an agent that then died (a 1-second lease it never renews), with the timers checker off
      const task = await submit({ type: "diagnostics.echo", agentType: UNATTENDED_AGENT_TYPE, priority: "low", maxRetries: 1 });
      const store = new DynamoDbTaskStore(db, outputs().TasksTableName);
      await store.apply(
        task.taskId,
        planTransition(
          { kind: "claim", agentId: "e2e-dead-agent", attempt: 1, leaseSeconds: 1 },
          { now: new Date(), policy: retryPolicyOf(inject("config")) },
        ),
      );
      // (the control: within the lease's grace a run leaves it running; nothing else would move it now)
      expect((await sweep()).timedOut).not.toContain(task.taskId);
      expect((await store.get(task.taskId))?.status).toBe("running");

      // WHEN the sweeper runs past lease + grace, and again past the grace after the timeout
      await sweepUntil("timedOut", task.taskId, 60_000);
      await sweepUntil("recovered", task.taskId, 60_000);

      // THEN the task is queued again as its second attempt, and the relay sent that attempt's work message
      expect(await store.get(task.taskId)).toMatchObject({ status: "queued", attempt: 2 });
      await eventually(
        () => messagesFor(task.taskId, "low"),
        (found) => found.some((m) => m.Body?.includes('"attempt":2')),
        15_000,
        "the second attempt's work message",
      );
    });
  });
});
