import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { Context, DynamoDBRecord, DynamoDBStreamEvent, AttributeValue as StreamAttributeValue } from "aws-lambda";
import { fromItem as contributionFromItem } from "#coordination/adapters/dynamodb-insight-store";
import { fromItem as lockFromItem } from "#coordination/adapters/dynamodb-lock-store";
import { insightEvent, lockEvents } from "#coordination/domain/coordination-events";
import { synthesize } from "#coordination/domain/insights";
import { instrumented } from "#shared/instrumented";
import { eventStore, insightStore } from "./wiring";

const processor = new BatchProcessor(EventType.DynamoDBStreams);

const image = (raw: Record<string, StreamAttributeValue> | undefined) =>
  raw ? unmarshall(raw as Record<string, AttributeValue>) : undefined;

/**
 * The outbox of the locks and insights tables: each change becomes coordination events, recorded
 * once each in the `coordination_events` table (whose own stream puts them on the bus). Lock rows
 * say what happened to their leases (acquired, released, expired, stolen); an insight row whose
 * value changed says so, with the key's synthesis after the change.
 */
async function record(entry: DynamoDBRecord): Promise<void> {
  const after = image(entry.dynamodb?.NewImage);
  if (!after) return;
  const before = image(entry.dynamodb?.OldImage);
  if (typeof after.resource === "string") {
    for (const event of lockEvents(before && lockFromItem(before), lockFromItem(after))) await eventStore().record(event);
    return;
  }
  if (typeof after.shard !== "string" || after.shard.startsWith("#")) return;
  const contribution = contributionFromItem(after);
  const insight = synthesize(await insightStore().key(contribution.topic, contribution.key), new Date());
  const event = insightEvent(before && contributionFromItem(before), contribution, insight);
  if (event) await eventStore().record(event);
}

export const handler = instrumented(
  (event: DynamoDBStreamEvent, context: Context) => processPartialResponse(event, record, processor, { context }),
  (response) => ({ failedRecords: response.batchItemFailures.length }),
);
