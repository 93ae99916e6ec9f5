import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { Context, DynamoDBRecord, DynamoDBStreamEvent, AttributeValue as StreamAttributeValue } from "aws-lambda";
import * as z from "zod";
import { eventBridgeClient, sqsClient } from "#shared/adapters/aws-clients";
import { EventBridgePublisher } from "#shared/adapters/eventbridge-publisher";
import { jsonEnv, readEnv } from "#shared/env";
import { instrumented } from "#shared/instrumented";
import { metrics } from "#shared/powertools";
import { fromItem } from "#tasks/adapters/dynamodb-task-store";
import { QUEUE_URLS } from "#tasks/published/queue-urls";
import { SqsTimerQueue } from "#tasks/adapters/sqs-timer-queue";
import { SqsWorkQueue } from "#tasks/adapters/sqs-work-queue";
import { dispatchFor, systemAlertFor, taskUpdatedEvent } from "#tasks/domain/task-events";
import { statsDelta } from "#tasks/domain/task-stats";
import { timersFor } from "#tasks/domain/task-timers";
import { taskStats } from "./wiring";
import type { DomainEvent } from "#kernel/bus/domain-event";

const env = readEnv(
  z.object({ EVENT_BUS_NAME: z.string().min(1), WORK_QUEUE_URLS: jsonEnv(QUEUE_URLS), TIMER_QUEUE_URL: z.url() }),
);
const sqs = sqsClient();
const queue = new SqsWorkQueue(sqs, env.WORK_QUEUE_URLS);
const timers = new SqsTimerQueue(sqs, env.TIMER_QUEUE_URL);
const publisher = new EventBridgePublisher(eventBridgeClient(), env.EVENT_BUS_NAME);
const processor = new BatchProcessor(EventType.DynamoDBStreams);

const decode = (image: Record<string, StreamAttributeValue> | undefined) =>
  image ? fromItem(unmarshall(image as Record<string, AttributeValue>)) : undefined;

/**
 * Set when a record of the current batch fails. The records after it are then failed too,
 * unprocessed, so Lambda retries from the first failure in order instead of announcing later
 * changes before earlier ones.
 */
let earlierRecordFailed = false;

async function relay(record: DynamoDBRecord): Promise<void> {
  if (earlierRecordFailed) throw new Error("an earlier record of this batch failed; retrying from it, in order");
  try {
    await relayOne(record);
  } catch (error) {
    earlierRecordFailed = true;
    throw error;
  }
}

/**
 * The outbox of the tasks table. Each stored change is turned into what it implies: a work
 * message when a task enters `queued` (delayed until a retry may start), the timers that watch
 * it (lease, recovery, expiry), a `TaskUpdated` event when its status changes (and a
 * `SystemAlert` when it is dead-lettered), and the counters behind the views. Because these
 * follow from the write itself, no change is stored without being acted on. Counters go last:
 * a retried record may repeat a message or an event (both are harmless to repeat), but its
 * counters are only added once it got that far.
 */
async function relayOne(record: DynamoDBRecord): Promise<void> {
  const current = decode(record.dynamodb?.NewImage);
  if (!current) return;
  const previous = decode(record.dynamodb?.OldImage);
  const now = new Date();
  const dispatch = dispatchFor(previous, current, now);
  if (dispatch) {
    await queue.send(dispatch.message, { delaySeconds: dispatch.delaySeconds });
    metrics.addMetric("TasksDispatched", "Count", 1);
  }
  for (const timer of timersFor(previous, current)) await timers.schedule(timer, now);
  const events: DomainEvent[] = [];
  const updated = taskUpdatedEvent(previous, current);
  if (updated) events.push(updated);
  const alert = systemAlertFor(previous, current);
  if (alert) events.push(alert);
  if (events.length > 0) await publisher.publish(events);
  const delta = statsDelta(previous, current);
  if (delta) await taskStats().apply(delta);
}

export const handler = instrumented(
  (event: DynamoDBStreamEvent, context: Context) => {
    earlierRecordFailed = false;
    // In order, one record at a time: a task's changes must be acted on in the order they happened.
    return processPartialResponse(event, relay, processor, { context, processInParallel: false });
  },
  (response) => ({ failedRecords: response.batchItemFailures.length }),
);
