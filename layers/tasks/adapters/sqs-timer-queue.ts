import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { sendMessageBatches } from "#shared/adapters/sqs-send-batch";
import type { TimerQueue } from "../domain/ports";
import type { BatchEntry, BatchTimerQueue, EntryFailure } from "../domain/relay-batch";
import { delayUntil } from "../domain/task-events";
import type { TaskTimer } from "../domain/task-timers";

/**
 * Timers as delayed SQS messages. SQS delays 15 minutes at most; a timer due later arrives
 * early, and its checker sends it on again for the rest.
 */
export class SqsTimerQueue implements TimerQueue, BatchTimerQueue {
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

  /** Many timers, ten per SendMessageBatch; answers those not scheduled. */
  scheduleEach(entries: readonly BatchEntry<TaskTimer>[], now: Date): Promise<EntryFailure[]> {
    return sendMessageBatches(
      this.sqs,
      entries.map(({ id, item }) => ({
        id,
        queueUrl: this.queueUrl,
        body: JSON.stringify(item),
        delaySeconds: delayUntil(item.dueAt, now),
      })),
    );
  }
}
