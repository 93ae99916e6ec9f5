import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { AttributeValue as StreamAttributeValue, Context, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import * as z from "zod";
import { QUEUE_URLS } from "#core/tasks/adapters/queue-urls";
import { eventBridgeClient, sqsClient } from "#core/shared/adapters/aws-clients";
import { EventBridgePublisher } from "#core/shared/adapters/eventbridge-publisher";
import { jsonEnv, readEnv } from "#core/shared/env";
import { instrumented } from "#core/shared/instrumented";
import { metrics } from "#core/shared/powertools";
import { fromItem } from "#core/tasks/adapters/dynamodb-task-store";
import { SqsWorkQueue } from "#core/tasks/adapters/sqs-work-queue";
import { dispatchFor, taskUpdatedEvent } from "#core/tasks/domain/task-events";

const env = readEnv(z.object({ EVENT_BUS_NAME: z.string().min(1), WORK_QUEUE_URLS: jsonEnv(QUEUE_URLS) }));
const queue = new SqsWorkQueue(sqsClient(), env.WORK_QUEUE_URLS);
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

/**
 * The outbox of the tasks table. Each stored change is turned into what it implies: a work
 * message when a task enters `queued`, and a `TaskUpdated` event when its status changes.
 * Because these follow from the write itself, no change is stored without being announced.
 */
async function relay(record: DynamoDBRecord): Promise<void> {
  if (earlierRecordFailed) throw new Error("an earlier record of this batch failed; retrying from it, in order");
  try {
    await relayOne(record);
  } catch (error) {
    earlierRecordFailed = true;
    throw error;
  }
}

async function relayOne(record: DynamoDBRecord): Promise<void> {
  const current = decode(record.dynamodb?.NewImage);
  if (!current) return;
  const previous = decode(record.dynamodb?.OldImage);
  const message = dispatchFor(previous, current);
  if (message) {
    await queue.send(message);
    metrics.addMetric("TasksDispatched", "Count", 1);
  }
  const event = taskUpdatedEvent(previous, current);
  if (event) await publisher.publish([event]);
}

export const handler = instrumented(
  (event: DynamoDBStreamEvent, context: Context) => {
    earlierRecordFailed = false;
    // In order, one record at a time: a task's changes must be announced in the order they happened.
    return processPartialResponse(event, relay, processor, { context, processInParallel: false });
  },
  (response) => ({ failedRecords: response.batchItemFailures.length }),
);
