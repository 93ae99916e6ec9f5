import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { Context, DynamoDBRecord, DynamoDBStreamEvent, AttributeValue as StreamAttributeValue } from "aws-lambda";
import { jobFromItem } from "#jobs/adapters/dynamodb-job-store";
import { jobEvents, wakesDispatcher } from "#jobs/domain/job-events";
import { dispatchQueued } from "#jobs/domain/lifecycle";
import { instrumented } from "#shared/instrumented";
import { logger, metrics } from "#shared/powertools";
import { clock, maxConcurrentJobs, publisher, store, tasks } from "./wiring";

const processor = new BatchProcessor(EventType.DynamoDBStreams);

const decode = (image: Record<string, StreamAttributeValue> | undefined) =>
  image ? jobFromItem(unmarshall(image as Record<string, AttributeValue>)) : undefined;

/**
 * The jobs table's outbox (ADR 0004): newer progress → `JobProgressed` (`job_progress`), the
 * move into a final status → `JobFinished` (`job_result`). A change that queued a job or freed
 * a slot also runs the dispatcher once per batch, after the events: it is idempotent (claims
 * are conditional), so a redelivered batch starts nothing twice.
 */
export const handler = instrumented(
  async (event: DynamoDBStreamEvent, context: Context) => {
    let wake = false;
    const relay = async (record: DynamoDBRecord) => {
      const after = decode(record.dynamodb?.NewImage);
      if (!after) return;
      const before = decode(record.dynamodb?.OldImage);
      const events = jobEvents(before, after);
      if (events.length > 0) await publisher().publish(events);
      if (wakesDispatcher(before, after)) wake = true;
    };
    const response = await processPartialResponse(event, relay, processor, { context });
    if (wake) {
      // A failed dispatch must not re-deliver the batch (its events went out): the schedule's check dispatches again within a minute.
      try {
        const outcome = await dispatchQueued({ store: store(), tasks: tasks(), clock, maxRunning: maxConcurrentJobs() });
        if (outcome.started.length + outcome.failed.length > 0) logger.info("dispatched jobs", { ...outcome });
      } catch (error) {
        logger.error("dispatching queued jobs failed; the scheduled check retries", { error });
        metrics.addMetric("JobDispatchFailures", "Count", 1);
      }
    }
    return response;
  },
  (response) => ({ failedRecords: response.batchItemFailures.length }),
);
