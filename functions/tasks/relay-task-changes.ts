import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { instrumented } from "#shared/instrumented";
import { logger, metrics } from "#shared/powertools";
import { taskChangeOf } from "#tasks/adapters/task-stream";
import { EarlierRecordFailedError, type RelayRecord, relayBatch } from "#tasks/domain/relay-batch";
import { relayBatchPorts } from "./wiring";

/** The stream names a record by its sequence number, which is also what a partial failure reports. */
function relayRecordOf(record: DynamoDBRecord, index: number): RelayRecord {
  const id = record.dynamodb?.SequenceNumber ?? `record-${index}`;
  try {
    return { id, change: taskChangeOf(record) };
  } catch (error) {
    return { id, unreadable: error };
  }
}

/**
 * The tasks table's outbox (ADR 0004), one batch at a time (ADR 0018): every work message,
 * timer and event of the batch goes out in calls of ten, in stream order per step, and exactly
 * the records from the first failure on are handed back to the stream.
 */
export const handler = instrumented(
  async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const outcome = await relayBatch(event.Records.map(relayRecordOf), relayBatchPorts(), new Date());
    metrics.addMetric("TasksDispatched", "Count", outcome.dispatched);
    for (const failure of outcome.failed) {
      const own = failure.causes.filter((cause) => !(cause instanceof EarlierRecordFailedError));
      if (own.length > 0) logger.error("a stream record was not relayed", { record: failure.id, causes: own });
    }
    return { batchItemFailures: outcome.failed.map((failure) => ({ itemIdentifier: failure.id })) };
  },
  (response) => ({ failedRecords: response.batchItemFailures.length }),
);
