import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, describe, expect, it } from "vitest";
import { loadStageConfig } from "../../../lib/config/stage-config";
import { eventually, outputs } from "../support/api";

const sqs = new SQSClient({});
afterAll(() => sqs.destroy());

describe("poison messages", () => {
  it("a message no agent can read ends in the dead-letter queue after maxReceiveCount deliveries", async () => {
    // GIVEN an agent consuming data-quality work, and a message it cannot read
    const queueUrl = outputs().WorkQueueUrls["data-quality"].low;
    const deadLetterUrl = outputs().DeadLetterQueueUrls["data-quality"].low;
    const poison = `not a work message ${Date.now()}`;

    // WHEN it is put on the queue
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: poison }));

    // THEN it lands in the DLQ, having been delivered exactly maxReceiveCount times
    const { maxReceiveCount } = loadStageConfig("local", {});
    const landed = await eventually(
      async () =>
        (
          await sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: deadLetterUrl,
              MaxNumberOfMessages: 10,
              MessageSystemAttributeNames: ["ApproximateReceiveCount"],
              VisibilityTimeout: 30,
            }),
          )
        ).Messages ?? [],
      (messages) => messages.some((m) => m.Body === poison),
      30_000,
      "the poison message in the DLQ",
    );
    const message = landed.find((m) => m.Body === poison);
    // The DLQ keeps the count; our own receive from the DLQ adds one.
    expect(Number(message?.Attributes?.ApproximateReceiveCount)).toBe(maxReceiveCount + 1);
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
    );
    expect(Number(Attributes?.ApproximateNumberOfMessages)).toBe(0);
  });
});
