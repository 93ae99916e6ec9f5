import { Duration, Validations } from "aws-cdk-lib";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";

/** The visibility timeout is this multiple of the consumer's timeout. */
export const VISIBILITY_TO_CONSUMER_TIMEOUT = 6;

export interface GuardedQueueProps {
  /**
   * The longest a consumer holds a message before it must extend or release it (a Lambda
   * consumer's timeout). The visibility timeout is six times this, so a slow consumer's message
   * is not handed to another while it still works on it.
   */
  readonly consumerTimeout: Duration;
  /** Deliveries before a message moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** @default Duration.days(4) */
  readonly retentionPeriod?: Duration;
}

/**
 * An SQS queue with the secure defaults every queue here needs, which cannot be turned off:
 * a dead-letter queue, server-side encryption, TLS-only access, and a visibility timeout
 * derived from its consumer's timeout.
 */
export class GuardedQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: GuardedQueueProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, "Dlq", {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: "Serverless-SQSRedrivePolicy",
      reason: `The dead-letter queue of ${this.node.path}: the end of the line for messages its consumers could not process, alarmed on depth.`,
    });
    this.queue = new sqs.Queue(this, "Queue", {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * VISIBILITY_TO_CONSUMER_TIMEOUT),
      retentionPeriod: props.retentionPeriod ?? Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });
  }
}
