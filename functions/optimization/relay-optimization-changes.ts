import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { Context, DynamoDBRecord, DynamoDBStreamEvent, AttributeValue as StreamAttributeValue } from "aws-lambda";
import { fromItem, RECORD_SK } from "#optimization/adapters/dynamodb-optimization-store";
import { optimizationEvents } from "#optimization/domain/optimization-events";
import { instrumented } from "#shared/instrumented";
import { publisher } from "./wiring";

const processor = new BatchProcessor(EventType.DynamoDBStreams);

const decode = (image: Record<string, StreamAttributeValue> | undefined) => {
  if (!image) return undefined;
  const item = unmarshall(image as Record<string, AttributeValue>);
  // Steps, the ledger and the counters share the table; only recommendations announce anything.
  return item.sk === RECORD_SK ? fromItem(item) : undefined;
};

/**
 * The outbox of the optimizations table: a recommendation that starts waiting for a person
 * becomes `OptimizationAwaitingApproval` (`optimization_pending`), one whose outcome is
 * recorded `OptimizationCompleted` (`optimization_result`). Task tokens are in another table,
 * so no image this sees carries one.
 */
async function relay(record: DynamoDBRecord): Promise<void> {
  const current = decode(record.dynamodb?.NewImage);
  if (!current) return;
  const events = optimizationEvents(decode(record.dynamodb?.OldImage), current);
  if (events.length > 0) await publisher().publish(events);
}

export const handler = instrumented(
  (event: DynamoDBStreamEvent, context: Context) => processPartialResponse(event, relay, processor, { context }),
  (response) => ({ failedRecords: response.batchItemFailures.length }),
);
