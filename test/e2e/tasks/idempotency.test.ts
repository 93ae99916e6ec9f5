import { GetQueueAttributesCommand, PurgeQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, describe, expect, it } from "vitest";
import { api, eventually, outputs } from "../support/api";
import { UNATTENDED_AGENT_TYPE } from "../support/global-setup";

const sqs = new SQSClient({});
afterAll(() => sqs.destroy());

describe("idempotent submit", () => {
  it("the same idempotency key twice gives the same task and one message", async () => {
    // GIVEN a queue no agent consumes, so its messages can be counted
    const queueUrl = outputs().WorkQueueUrls[UNATTENDED_AGENT_TYPE].low;
    await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
    const body = {
      type: "diagnostics.echo",
      agentType: UNATTENDED_AGENT_TYPE,
      priority: "low",
      payload: { n: 1 },
      idempotencyKey: `key-${Date.now()}`,
    };

    // WHEN it is submitted twice, the second time concurrently with a third
    const first = await api<{ taskId: string }>("POST", "/api/tasks", { body });
    const [second, third] = await Promise.all([
      api<{ taskId: string }>("POST", "/api/tasks", { body }),
      api<{ taskId: string }>("POST", "/api/tasks", { body }),
    ]);

    // THEN every answer names the same task…
    expect(first.status).toBe(201);
    for (const replay of [second, third]) {
      expect(replay.status).toBe(200);
      expect(replay.headers.get("idempotent-replayed")).toBe("true");
      expect(replay.body.taskId).toBe(first.body.taskId);
    }
    // …and exactly one message reached the queue.
    const count = async () => {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
      );
      return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
    };
    await eventually(count, (n) => n >= 1, 15_000, "the work message");
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // time for a duplicate to show up, if one were sent
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 1 }),
    );
    expect(Messages.map((m) => JSON.parse(m.Body ?? "{}").taskId)).toEqual([first.body.taskId]);
  });

  it("refuses the same key with a different request (409)", async () => {
    const key = `reuse-${Date.now()}`;
    const base = { type: "diagnostics.echo", agentType: UNATTENDED_AGENT_TYPE, idempotencyKey: key };
    expect((await api("POST", "/api/tasks", { body: { ...base, payload: { n: 1 } } })).status).toBe(201);
    const reused = await api("POST", "/api/tasks", { body: { ...base, payload: { n: 2 } } });
    expect(reused.status).toBe(409);
    expect(reused.body).toMatchObject({ error: { code: "IdempotencyKeyReused" } });
  });
});
