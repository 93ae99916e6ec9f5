import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { instrumented } from "#shared/instrumented";
import { metrics } from "#shared/powertools";
import { taskChangeOf } from "#tasks/adapters/task-stream";
import { inStreamOrder, relayTaskChange } from "#tasks/domain/relay-task-change";
import { relayPorts } from "./wiring";

const processor = new BatchProcessor(EventType.DynamoDBStreams);

/** The tasks table's outbox (ADR 0004): each stored change is relayed in stream order. */
export const handler = instrumented(
  (event: DynamoDBStreamEvent, context: Context) => {
    // One guard per batch: after a failed record, the rest of this batch fails unprocessed.
    const relay = inStreamOrder(async (record: DynamoDBRecord) => {
      const outcome = await relayTaskChange(taskChangeOf(record), relayPorts(), new Date());
      if (outcome.dispatched) metrics.addMetric("TasksDispatched", "Count", 1);
    });
    // One record at a time: a task's changes must be acted on in the order they happened.
    return processPartialResponse(event, relay, processor, { context, processInParallel: false });
  },
  (response) => ({ failedRecords: response.batchItemFailures.length }),
);
