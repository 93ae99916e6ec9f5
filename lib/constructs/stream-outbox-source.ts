import { Duration } from "aws-cdk-lib";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { DynamoEventSource, SqsDlq } from "aws-cdk-lib/aws-lambda-event-sources";
import type { FailureQueue } from "./failure-queue";
import type { SwarmTable } from "./swarm-table";

export interface StreamOutboxSourceProps {
  /** Where pointers to records that failed every retry go. */
  readonly failures: FailureQueue;
  /** @default 25 */
  readonly batchSize?: number;
  /** @default 6 hours */
  readonly maxRecordAge?: Duration;
}

/**
 * A table's stream as an outbox (ADR 0004): from the oldest record, in order, retried with the
 * failing half bisected and only the failed records reported, then kept in `failures`.
 */
export const streamOutboxSource = (table: SwarmTable, props: StreamOutboxSourceProps): DynamoEventSource =>
  new DynamoEventSource(table.table, {
    startingPosition: lambda.StartingPosition.TRIM_HORIZON,
    batchSize: props.batchSize ?? 25,
    bisectBatchOnError: true,
    reportBatchItemFailures: true,
    retryAttempts: 10,
    maxRecordAge: props.maxRecordAge ?? Duration.hours(6),
    onFailure: new SqsDlq(props.failures),
  });
