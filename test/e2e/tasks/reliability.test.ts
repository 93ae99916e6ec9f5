import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, describe, expect, inject, it } from "vitest";
import { DynamoDbTaskStore } from "#tasks/adapters/dynamodb-task-store";
import { IllegalTransitionError, planTransition } from "#tasks/domain/task-state-machine";
import { retryPolicyOf } from "../../../lib/config/stage-config";
import { UnconditionalTaskStore } from "../../support/unconditional-task-store";
import { logOf, startAgent } from "../support/agents";
import { api, cancelAllOf, eventually, outputs, submit, type TaskBody, taskUntil } from "../support/api";
import { UNATTENDED_AGENT_TYPE } from "../support/global-setup";

const sqs = new SQSClient({});
const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
afterAll(async () => {
  await cancelAllOf(UNATTENDED_AGENT_TYPE);
  sqs.destroy();
  db.destroy();
});

const queueUrl = (priority: "critical" | "high" | "normal" | "low") => outputs().WorkQueueUrls[UNATTENDED_AGENT_TYPE][priority];
const receiveAll = async (url: string) =>
  (
    await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 1 }),
    )
  ).Messages ?? [];

describe("reliability", () => {
  it("a message delivered twice runs its task once", async () => {
    // GIVEN a task whose message sits on a queue nobody consumes yet, and a duplicate of that message
    const task = await submit({
      type: "diagnostics.echo",
      agentType: UNATTENDED_AGENT_TYPE,
      priority: "critical",
      payload: { n: 1 },
    });
    const [original] = await eventually(
      () => receiveAll(queueUrl("critical")),
      (messages) => messages.some((m) => m.Body?.includes(task.taskId)),
      15_000,
      "the work message",
    );
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl("critical"), MessageBody: original?.Body ?? "" }));

    // WHEN an agent takes both
    const agent = startAgent(UNATTENDED_AGENT_TYPE, "e2e-duplicates");

    // THEN the task completed once: queued (1) → running (2) → completed (3), and the second delivery was refused
    const done = await taskUntil(task.taskId, (t) => t.status === "completed");
    await eventually(
      async () => logOf(agent.logFile),
      (log) => log.includes("not claiming: the task has moved on"),
      15_000,
      "the refused duplicate",
    );
    expect(done).toMatchObject({ version: 3, attempt: 1, agentId: "e2e-duplicates" });
    const refusals = logOf(agent)
      .split("\n")
      .filter((line) => line.includes("not claiming: the task has moved on") && line.includes(task.taskId));
    expect(refusals).toHaveLength(1);
    expect((await receiveAll(queueUrl("critical"))).filter((m) => m.Body?.includes(task.taskId))).toEqual([]);
  });

  it("50 concurrent claims of one task: one wins and nothing is lost; without the condition, updates are lost", async () => {
    // GIVEN a queued task no agent takes
    const task = await submit({ type: "diagnostics.echo", agentType: UNATTENDED_AGENT_TYPE, priority: "low" });
    const claim = (agentId: string) =>
      planTransition(
        { kind: "claim", agentId, attempt: 1, leaseSeconds: 600 },
        { now: new Date(), policy: retryPolicyOf(inject("config")) },
      );
    const race = async (store: { apply: DynamoDbTaskStore["apply"] }) =>
      Promise.allSettled(Array.from({ length: 50 }, (_, i) => store.apply(task.taskId, claim(`racer-${i}`))));

    // WHEN 50 agents claim it at once through the real, conditional store
    const results = await race(new DynamoDbTaskStore(db, outputs().TasksTableName));

    // THEN exactly one claim succeeds, the other 49 are refused, and the row holds the winner after one write
    const winners = results.filter((r) => r.status === "fulfilled");
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.status === "rejected" && r.reason instanceof IllegalTransitionError)).toHaveLength(49);
    const stored = (await api<TaskBody>("GET", `/api/tasks/${task.taskId}`)).body;
    expect(stored).toMatchObject({
      status: "running",
      version: 2,
      agentId: (winners[0] as PromiseFulfilledResult<TaskBody>).value.agentId,
    });

    // AND the control: the same race through a read-then-write store without a condition
    const control = await submit({ type: "diagnostics.echo", agentType: UNATTENDED_AGENT_TYPE, priority: "low" });
    const naive = new UnconditionalTaskStore(db, outputs().TasksTableName);
    const naiveResults = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => naive.apply(control.taskId, claim(`racer-${i}`))),
    );
    const naiveWinners = naiveResults.filter((r) => r.status === "fulfilled").length;
    const naiveRow = (await api<TaskBody>("GET", `/api/tasks/${control.taskId}`)).body;
    // Several racers believe they own the task, yet the row records one version step: updates were lost.
    expect(naiveWinners).toBeGreaterThan(1);
    expect(naiveRow.version).toBeLessThan(1 + naiveWinners);
  });

  it("a batch of 10 with 2 poison messages: 8 run once, 2 reach the DLQ after exactly maxReceiveCount deliveries", async () => {
    // GIVEN 8 tasks and 2 unreadable messages on one queue
    const { body } = await api<{ results: { status: number; task: TaskBody }[] }>("POST", "/api/tasks/batch", {
      body: {
        tasks: Array.from({ length: 8 }, (_, i) => ({
          type: "diagnostics.echo",
          agentType: UNATTENDED_AGENT_TYPE,
          priority: "normal",
          payload: { i },
        })),
      },
    });
    const taskIds = body.results.map((r) => r.task.taskId);
    const poison = [`poison-a-${Date.now()}`, `{"taskId":42,"poison":"b-${Date.now()}"}`];
    for (const p of poison) await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl("normal"), MessageBody: p }));

    // WHEN an agent works through the queue
    startAgent(UNATTENDED_AGENT_TYPE, "e2e-batch");

    // THEN the 8 complete, each in one run (version 3), and the 2 sit in the DLQ
    for (const taskId of taskIds)
      expect(await taskUntil(taskId, (t) => t.status === "completed")).toMatchObject({ version: 3, attempt: 1 });
    const dlq = outputs().DeadLetterQueueUrls[UNATTENDED_AGENT_TYPE].normal;
    const dead = await eventually(
      async () =>
        (
          await sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: dlq,
              MaxNumberOfMessages: 10,
              VisibilityTimeout: 60,
              WaitTimeSeconds: 1,
              MessageSystemAttributeNames: ["ApproximateReceiveCount"],
            }),
          )
        ).Messages ?? [],
      (messages) => poison.every((p) => messages.some((m) => m.Body === p)),
      30_000,
      "both poison messages in the DLQ",
    );
    const { maxReceiveCount } = inject("config");
    for (const p of poison) {
      // SQS moved it after maxReceiveCount deliveries; this receive from the DLQ is one more.
      expect(Number(dead.find((m) => m.Body === p)?.Attributes?.ApproximateReceiveCount)).toBe(maxReceiveCount + 1);
    }
  });

  it("an agent killed mid-task: its claim lapses, the task is retried on another agent and completes", async () => {
    // GIVEN a task running on an agent
    const doomed = startAgent(UNATTENDED_AGENT_TYPE, "e2e-doomed");
    const task = await submit({
      type: "diagnostics.sleep",
      agentType: UNATTENDED_AGENT_TYPE,
      priority: "high",
      payload: { ms: 4_000 },
      timeoutSeconds: 120,
    });
    await taskUntil(
      task.taskId,
      (t) => t.status === "running" && t.agentId === "e2e-doomed",
      15_000,
      "the first attempt to start",
    );

    // WHEN the agent dies without a word, and another agent is available
    doomed.child.kill("SIGKILL");
    await doomed.exited;
    startAgent(UNATTENDED_AGENT_TYPE, "e2e-survivor");

    // THEN the lapsed claim is timed out, the task retried, and completed by the survivor
    const done = await taskUntil(task.taskId, (t) => t.status === "completed", 60_000, "the retry to complete");
    expect(done).toMatchObject({ attempt: 2, agentId: "e2e-survivor", error: { code: "TaskTimedOut" } });
  });
});
