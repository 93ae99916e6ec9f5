import type { Duration } from "aws-cdk-lib";
import * as targets from "aws-cdk-lib/aws-events-targets";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import { SqsDestination } from "aws-cdk-lib/aws-lambda-destinations";
import type * as sqs from "aws-cdk-lib/aws-sqs";

export interface GuardedLambdaTargetProps {
  /** Where an event goes when it could not be delivered, or its invocations all failed. */
  readonly failures: sqs.IQueue;
  /** Retries, both of delivery (EventBridge) and of a failed invocation (Lambda's async retries). */
  readonly retryAttempts: number;
  /** The oldest an event may be and still be delivered or retried. */
  readonly maxEventAge: Duration;
}

/**
 * An EventBridge → Lambda target that drops nothing without a trace (ADR 0017). Two layers
 * can lose an event: EventBridge failing to invoke the function (the rule target's retries and
 * dead-letter queue), and the function failing once invoked (Lambda's asynchronous retries and
 * on-failure destination). This sets both, with the same retries and the same queue.
 *
 * @example
 * new events.Rule(this, "Schedule", { schedule, targets: [guardedLambdaTarget(fn, { failures, retryAttempts: 0, maxEventAge: Duration.minutes(5) })] });
 */
export function guardedLambdaTarget(fn: lambda.Function, props: GuardedLambdaTargetProps): targets.LambdaFunction {
  fn.configureAsyncInvoke({
    retryAttempts: props.retryAttempts,
    maxEventAge: props.maxEventAge,
    onFailure: new SqsDestination(props.failures),
  });
  return new targets.LambdaFunction(fn, {
    retryAttempts: props.retryAttempts,
    maxEventAge: props.maxEventAge,
    deadLetterQueue: props.failures,
  });
}
