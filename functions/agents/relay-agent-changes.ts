import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { Context, DynamoDBRecord, DynamoDBStreamEvent, AttributeValue as StreamAttributeValue } from "aws-lambda";
import { Agent } from "#agents/domain/agent";
import { agentStatusChangedEvent } from "#agents/domain/agent-events";
import { instrumented } from "#shared/instrumented";
import { publisher } from "./wiring";

const processor = new BatchProcessor(EventType.DynamoDBStreams);

const decode = (image: Record<string, StreamAttributeValue> | undefined) =>
  image ? Agent.parse(unmarshall(image as Record<string, AttributeValue>)) : undefined;

/**
 * The outbox of the agents table: a new agent or a changed status becomes `AgentStatusChanged`
 * (the dashboard's `agent_status`). Heartbeats that change nothing but the workload announce
 * nothing. Events carry the row's version, so consumers order an agent's changes themselves.
 */
async function relay(record: DynamoDBRecord): Promise<void> {
  const current = decode(record.dynamodb?.NewImage);
  if (!current) return;
  const event = agentStatusChangedEvent(decode(record.dynamodb?.OldImage), current);
  if (event) await publisher().publish([event]);
}

export const handler = instrumented(
  (event: DynamoDBStreamEvent, context: Context) => processPartialResponse(event, relay, processor, { context }),
  (response) => ({ failedRecords: response.batchItemFailures.length }),
);
