import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { WorkQueue } from "../domain/ports";
import type { WorkMessage } from "../domain/work-message";
import type { QueueUrls } from "../published/queue-urls";

/** SQS caps DelaySeconds at 15 minutes. */
const MAX_DELAY_SECONDS = 900;

/** Sends work to the queue for the task's agent type and priority. */
export class SqsWorkQueue implements WorkQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrls: QueueUrls,
  ) {}

  async send(message: WorkMessage, options: { delaySeconds?: number } = {}): Promise<void> {
    const queueUrl = this.queueUrls[message.agentType][message.priority];
    const delay = Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.round(options.delaySeconds ?? 0)));
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify(message),
        ...(delay > 0 ? { DelaySeconds: delay } : {}),
      }),
    );
  }
}
