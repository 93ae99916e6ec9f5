import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { sendMessageBatches } from "#shared/adapters/sqs-send-batch";
import type { WorkQueue } from "../domain/ports";
import type { BatchEntry, BatchWorkQueue, Dispatch, EntryFailure } from "../domain/relay-batch";
import type { WorkMessage } from "../domain/work-message";
import type { QueueUrls } from "../published/queue-urls";

/** SQS caps DelaySeconds at 15 minutes. */
const MAX_DELAY_SECONDS = 900;

const delayOf = (seconds: number | undefined) => Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.round(seconds ?? 0)));

/** Sends work to the queue for the task's agent type and priority. */
export class SqsWorkQueue implements WorkQueue, BatchWorkQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrls: QueueUrls,
  ) {}

  async send(message: WorkMessage, options: { delaySeconds?: number } = {}): Promise<void> {
    const queueUrl = this.queueUrls[message.agentType][message.priority];
    const delay = delayOf(options.delaySeconds);
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify(message),
        ...(delay > 0 ? { DelaySeconds: delay } : {}),
      }),
    );
  }

  /** Many messages, ten per SendMessageBatch per queue; answers those not sent. */
  sendEach(entries: readonly BatchEntry<Dispatch>[]): Promise<EntryFailure[]> {
    return sendMessageBatches(
      this.sqs,
      entries.map(({ id, item }) => ({
        id,
        queueUrl: this.queueUrls[item.message.agentType][item.message.priority],
        body: JSON.stringify(item.message),
        delaySeconds: delayOf(item.delaySeconds),
      })),
    );
  }
}
