import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { ReceivedWork, WorkSource } from "../domain/ports";
import type { Priority } from "#kernel/task-vocabulary";

/** SQS returns at most ten messages per receive. */
const MAX_BATCH = 10;

/** Receives from, and settles messages on, one agent type's four priority queues. */
export class SqsWorkSource implements WorkSource {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrls: Readonly<Record<Priority, string>>,
  ) {}

  async receive(
    priority: Priority,
    options: { max: number; waitSeconds: number; signal?: AbortSignal },
  ): Promise<ReceivedWork[]> {
    const { Messages } = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrls[priority],
        MaxNumberOfMessages: Math.max(1, Math.min(MAX_BATCH, options.max)),
        WaitTimeSeconds: options.waitSeconds,
        MessageSystemAttributeNames: ["ApproximateReceiveCount"],
      }),
      { abortSignal: options.signal },
    );
    return (Messages ?? []).flatMap((message) =>
      message.Body !== undefined && message.ReceiptHandle && message.MessageId
        ? [
            {
              messageId: message.MessageId,
              body: message.Body,
              receiptHandle: message.ReceiptHandle,
              priority,
              receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 1),
            },
          ]
        : [],
    );
  }

  async acknowledge(work: ReceivedWork): Promise<void> {
    await this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.queueUrls[work.priority], ReceiptHandle: work.receiptHandle }));
  }

  async release(work: ReceivedWork): Promise<void> {
    await this.setVisibility(work, 0);
  }

  async extend(work: ReceivedWork, seconds: number): Promise<void> {
    await this.setVisibility(work, seconds);
  }

  private async setVisibility(work: ReceivedWork, seconds: number): Promise<void> {
    await this.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrls[work.priority],
        ReceiptHandle: work.receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  }
}
