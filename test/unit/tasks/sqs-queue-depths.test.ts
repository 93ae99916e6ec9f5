import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { AGENT_TYPES } from "#kernel/agent-catalog";
import { DeadLetterQueueNotFoundError, SqsQueueDepths } from "#tasks/adapters/sqs-queue-depths";
import type { QueueUrls } from "#tasks/published/queue-urls";
import { PRIORITIES } from "#kernel/task-vocabulary";

const base = "https://sqs.us-east-1.amazonaws.com/123456789012";
const urls = Object.fromEntries(
  AGENT_TYPES.map((type) => [type, Object.fromEntries(PRIORITIES.map((p) => [p, `${base}/${type}-${p}`]))]),
) as QueueUrls;
const workUrl = urls["data-quality"].high;
const deadLetterUrl = `${base}/data-quality-high-dlq`;

const client = new SQSClient({ region: "us-east-1" });
const mock = mockClient(client);

const redrive = {
  Attributes: {
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: "arn:aws:sqs:us-east-1:123456789012:data-quality-high-dlq",
      maxReceiveCount: 5,
    }),
  },
};
const askRedrive = { QueueUrl: workUrl, AttributeNames: ["RedrivePolicy" as const] };

beforeEach(() => {
  mock.reset();
  mock.on(GetQueueAttributesCommand, askRedrive).resolves(redrive);
  mock
    .on(GetQueueAttributesCommand, {
      QueueUrl: workUrl,
      AttributeNames: [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
      ],
    })
    .resolves({
      Attributes: {
        ApproximateNumberOfMessages: "4",
        ApproximateNumberOfMessagesNotVisible: "2",
        ApproximateNumberOfMessagesDelayed: "1",
      },
    });
  mock
    .on(GetQueueUrlCommand, { QueueName: "data-quality-high-dlq", QueueOwnerAWSAccountId: "123456789012" })
    .resolves({ QueueUrl: deadLetterUrl });
  mock.on(GetQueueAttributesCommand, { QueueUrl: deadLetterUrl }).resolves({ Attributes: { ApproximateNumberOfMessages: "3" } });
});

describe("SqsQueueDepths", () => {
  it("reads the work queue's depth and, through its redrive policy, its dead-letter queue's", async () => {
    const depths = new SqsQueueDepths(client, urls);
    expect(await depths.depth("data-quality", "high")).toEqual({ visible: 4, inFlight: 2, delayed: 1, deadLetters: 3 });
  });

  it("looks each dead-letter queue up once, however many snapshots follow", async () => {
    const depths = new SqsQueueDepths(client, urls);
    await depths.depth("data-quality", "high");
    await depths.depth("data-quality", "high");
    await depths.depth("data-quality", "high");
    expect(mock.commandCalls(GetQueueUrlCommand)).toHaveLength(1);
    expect(
      mock.commandCalls(GetQueueAttributesCommand).filter((call) => call.args[0].input.AttributeNames?.includes("RedrivePolicy")),
    ).toHaveLength(1);
  });

  it("fails, naming the queue, when a work queue has no dead-letter queue; and tries again next time", async () => {
    mock.on(GetQueueAttributesCommand, askRedrive).resolvesOnce({ Attributes: {} }).resolves(redrive);
    const depths = new SqsQueueDepths(client, urls);
    const failure = depths.depth("data-quality", "high");
    await expect(failure).rejects.toThrow(DeadLetterQueueNotFoundError);
    await expect(failure).rejects.toThrow(workUrl);
    expect(await depths.depth("data-quality", "high")).toMatchObject({ deadLetters: 3 });
  });
});
