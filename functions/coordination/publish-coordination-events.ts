import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { Context, DynamoDBRecord, DynamoDBStreamEvent, AttributeValue as StreamAttributeValue } from "aws-lambda";
import { toBusEvent } from "#coordination/domain/coordination-events";
import { CoordinationEvent } from "#kernel/bus/coordination-event";
import { instrumented } from "#shared/instrumented";
import { publisher } from "./wiring";

const processor = new BatchProcessor(EventType.DynamoDBStreams);

/** The outbox of the `coordination_events` table: each recorded event goes on the bus as `CoordinationEvent`, once it is stored. */
async function publish(entry: DynamoDBRecord): Promise<void> {
  if (entry.eventName !== "INSERT" || !entry.dynamodb?.NewImage) return;
  const row = unmarshall(entry.dynamodb.NewImage as Record<string, StreamAttributeValue> as Record<string, AttributeValue>);
  await publisher().publish([toBusEvent(CoordinationEvent.parse(JSON.parse(String(row.event))))]);
}

export const handler = instrumented(
  (event: DynamoDBStreamEvent, context: Context) => processPartialResponse(event, publish, processor, { context }),
  (response) => ({ failedRecords: response.batchItemFailures.length }),
);
