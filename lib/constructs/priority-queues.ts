import type { Duration } from "aws-cdk-lib";
import type * as iam from "aws-cdk-lib/aws-iam";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { GuardedQueue } from "./guarded-queue";
import { PRIORITIES, type Priority } from "#kernel/task-vocabulary";

export { VISIBILITY_TO_CONSUMER_TIMEOUT } from "./guarded-queue";

export interface PriorityQueuesProps {
  /** The longest an agent holds a message between heartbeats (see `GuardedQueue`). */
  readonly consumerTimeout: Duration;
  /** Deliveries before a message moves to its dead-letter queue. */
  readonly maxReceiveCount: number;
}

/** One guarded queue per priority (critical, high, normal, low), each with its own dead-letter queue. */
export class PriorityQueues extends Construct {
  readonly queues: Readonly<Record<Priority, sqs.Queue>>;
  readonly deadLetterQueues: Readonly<Record<Priority, sqs.Queue>>;
  readonly consumerTimeout: Duration;

  constructor(scope: Construct, id: string, props: PriorityQueuesProps) {
    super(scope, id);
    this.consumerTimeout = props.consumerTimeout;
    const guarded = Object.fromEntries(PRIORITIES.map((p) => [p, new GuardedQueue(this, p, props)])) as Record<
      Priority,
      GuardedQueue
    >;
    this.queues = Object.fromEntries(PRIORITIES.map((p) => [p, guarded[p].queue])) as Record<Priority, sqs.Queue>;
    this.deadLetterQueues = Object.fromEntries(PRIORITIES.map((p) => [p, guarded[p].deadLetterQueue])) as Record<
      Priority,
      sqs.Queue
    >;
  }

  /** Queue URLs by priority. */
  get urls(): Record<Priority, string> {
    return Object.fromEntries(PRIORITIES.map((p) => [p, this.queues[p].queueUrl])) as Record<Priority, string>;
  }

  /** Dead-letter queue URLs by priority. */
  get deadLetterUrls(): Record<Priority, string> {
    return Object.fromEntries(PRIORITIES.map((p) => [p, this.deadLetterQueues[p].queueUrl])) as Record<Priority, string>;
  }

  grantSend(grantee: iam.IGrantable): void {
    for (const priority of PRIORITIES) this.queues[priority].grantSendMessages(grantee);
  }

  /** Receive, delete and change visibility on every priority's queue. */
  grantConsume(grantee: iam.IGrantable): void {
    for (const priority of PRIORITIES) this.queues[priority].grantConsumeMessages(grantee);
  }

  /** Read queue depths (for views and health). */
  grantReadAttributes(grantee: iam.IGrantable): void {
    for (const priority of PRIORITIES) {
      for (const queue of [this.queues[priority], this.deadLetterQueues[priority]]) {
        queue.grant(grantee, "sqs:GetQueueAttributes", "sqs:GetQueueUrl");
      }
    }
  }
}
