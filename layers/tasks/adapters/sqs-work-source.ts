import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { EntryRefusedError, MAX_BATCH_ENTRIES } from "#shared/adapters/batch-entries";
import { CoalescingBatcher, type CoalescingBatcherOptions } from "#shared/adapters/coalescing-batcher";
import type { ReceivedWork, WorkSource } from "../domain/ports";
import type { Priority } from "#kernel/task-vocabulary";

/** SQS returns at most ten messages per receive. */
const MAX_BATCH = MAX_BATCH_ENTRIES;

/** Per entry of a batch answer, in the order sent: its error, or `undefined` when it went through. */
function entryErrors(
  count: number,
  response: { Failed?: { Id?: string; Code?: string; Message?: string }[] },
): (EntryRefusedError | undefined)[] {
  const failed = new Map((response.Failed ?? []).map((entry) => [entry.Id, entry]));
  return Array.from({ length: count }, (_, index) => {
    const entry = failed.get(String(index));
    return entry ? new EntryRefusedError(entry.Code, entry.Message) : undefined;
  });
}

/**
 * Receives from, and settles messages on, one agent type's four priority queues. Settling is
 * batched (ADR 0018): acknowledgements made within a few milliseconds of each other go out as
 * one DeleteMessageBatch per queue, releases and extensions as one ChangeMessageVisibilityBatch,
 * while each caller still learns its own message's outcome.
 */
export class SqsWorkSource implements WorkSource {
  private readonly deletes: CoalescingBatcher<string>;
  private readonly visibility: CoalescingBatcher<{ receiptHandle: string; seconds: number }>;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrls: Readonly<Record<Priority, string>>,
    settling: CoalescingBatcherOptions = {},
  ) {
    this.deletes = new CoalescingBatcher(async (queueUrl, handles) => {
      const response = await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: handles.map((ReceiptHandle, index) => ({ Id: String(index), ReceiptHandle })),
        }),
      );
      return entryErrors(handles.length, response);
    }, settling);
    this.visibility = new CoalescingBatcher(async (queueUrl, changes) => {
      const response = await this.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: changes.map(({ receiptHandle, seconds }, index) => ({
            Id: String(index),
            ReceiptHandle: receiptHandle,
            VisibilityTimeout: seconds,
          })),
        }),
      );
      return entryErrors(changes.length, response);
    }, settling);
  }

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
    await this.deletes.submit(this.queueUrls[work.priority], work.receiptHandle);
  }

  async release(work: ReceivedWork): Promise<void> {
    await this.setVisibility(work, 0);
  }

  async extend(work: ReceivedWork, seconds: number): Promise<void> {
    await this.setVisibility(work, seconds);
  }

  private async setVisibility(work: ReceivedWork, seconds: number): Promise<void> {
    await this.visibility.submit(this.queueUrls[work.priority], { receiptHandle: work.receiptHandle, seconds });
  }
}
