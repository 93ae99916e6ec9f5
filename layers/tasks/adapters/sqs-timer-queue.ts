import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { TimerQueue } from "../domain/ports";
import { delayUntil } from "../domain/task-events";
import type { TaskTimer } from "../domain/task-timers";

/**
 * Timers as delayed SQS messages. SQS delays 15 minutes at most; a timer due later arrives
 * early, and its checker sends it on again for the rest.
 */
export class SqsTimerQueue implements TimerQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async schedule(timer: TaskTimer, now: Date): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(timer),
        DelaySeconds: delayUntil(timer.dueAt, now),
      }),
    );
  }
}
