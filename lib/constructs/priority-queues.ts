import { Duration } from "aws-cdk-lib";
import type * as iam from "aws-cdk-lib/aws-iam";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { PRIORITIES, type Priority } from "#core/tasks/domain/task";

export interface PriorityQueuesProps {
  /**
   * The longest a consumer may hold a message before it must extend or release it. The
   * visibility timeout is six times this, so a slow consumer's message is not redelivered
   * to another while it still works on it.
   */
  readonly consumerTimeout: Duration;
  /** Deliveries before a message moves to its dead-letter queue. */
  readonly maxReceiveCount: number;
  /** @default Duration.days(4) */
  readonly retentionPeriod?: Duration;
}

/** The visibility timeout is this multiple of the consumer's timeout. */
export const VISIBILITY_TO_CONSUMER_TIMEOUT = 6;

/**
 * One queue per priority (critical, high, normal, low), each with its own dead-letter queue.
 * Secure defaults cannot be turned off: SSE, TLS-only access, and a DLQ on every queue.
 */
export class PriorityQueues extends Construct {
  readonly queues: Readonly<Record<Priority, sqs.Queue>>;
  readonly deadLetterQueues: Readonly<Record<Priority, sqs.Queue>>;
  readonly consumerTimeout: Duration;

  constructor(scope: Construct, id: string, props: PriorityQueuesProps) {
    super(scope, id);
    this.consumerTimeout = props.consumerTimeout;
    const queues = {} as Record<Priority, sqs.Queue>;
    const deadLetterQueues = {} as Record<Priority, sqs.Queue>;
    for (const priority of PRIORITIES) {
      const deadLetterQueue = new sqs.Queue(this, `${priority}-dlq`, {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      deadLetterQueues[priority] = deadLetterQueue;
      queues[priority] = new sqs.Queue(this, priority, {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * VISIBILITY_TO_CONSUMER_TIMEOUT),
        retentionPeriod: props.retentionPeriod ?? Duration.days(4),
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
      });
    }
    this.queues = queues;
    this.deadLetterQueues = deadLetterQueues;
  }

  /** Queue URLs by priority. */
  get urls(): Record<Priority, string> {
    return Object.fromEntries(PRIORITIES.map((p) => [p, this.queues[p].queueUrl])) as Record<Priority, string>;
  }

  grantSend(grantee: iam.IGrantable): void {
    for (const priority of PRIORITIES) this.queues[priority].grantSendMessages(grantee);
  }

  /** Receive, delete and change visibility on every priority's queue. */
  grantConsume(grantee: iam.IGrantable): void {
    for (const priority of PRIORITIES) this.queues[priority].grantConsumeMessages(grantee);
  }

  /** Read queue depth and age (for views and health). */
  grantReadAttributes(grantee: iam.IGrantable): void {
    for (const priority of PRIORITIES) {
      for (const queue of [this.queues[priority], this.deadLetterQueues[priority]]) {
        queue.grant(grantee, "sqs:GetQueueAttributes", "sqs:GetQueueUrl");
      }
    }
  }
}
