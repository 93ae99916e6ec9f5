import { Duration, Validations } from "aws-cdk-lib";
import * as sqs from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";

export interface FailureQueueProps {
  /** What lands here, for the cdk-nag acknowledgement (it is a DLQ, so it has none of its own). */
  readonly holds: string;
}

/**
 * Where something that could not be delivered or processed is kept for two weeks: an
 * on-failure destination or a dead-letter queue, encrypted and TLS-only. It is itself the end
 * of the line, so it has no dead-letter queue; an alarm on its depth says it holds something.
 */
export class FailureQueue extends sqs.Queue {
  constructor(scope: Construct, id: string, props: FailureQueueProps) {
    super(scope, id, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const reason = `This queue is itself a failure destination: it holds ${props.holds}.`;
    Validations.of(this).acknowledge(
      { id: "AwsSolutions-SQS3", reason },
      // Serverless' name for the same finding; a failure queue of its own would only move failures further from their alarm.
      { id: "Serverless-SQSRedrivePolicy", reason: `${reason} Its depth is alarmed; it has no dead-letter queue of its own.` },
    );
  }
}
