import { Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as sfn from "aws-cdk-lib/aws-stepfunctions";
import * as tasks from "aws-cdk-lib/aws-stepfunctions-tasks";
import { Construct } from "constructs";
import type { StageConfig } from "../config/stage-config";

/** The functions behind the pipeline's Task states, one per step. */
export interface PipelineSteps {
  readonly validate: lambda.IFunction;
  readonly assessRisk: lambda.IFunction;
  readonly awaitApproval: lambda.IFunction;
  readonly settleTimeout: lambda.IFunction;
  readonly acquireLock: lambda.IFunction;
  readonly checkStale: lambda.IFunction;
  readonly apply: lambda.IFunction;
  readonly verify: lambda.IFunction;
  readonly rollback: lambda.IFunction;
  readonly record: lambda.IFunction;
  readonly release: lambda.IFunction;
}

export interface OptimizationPipelineProps {
  readonly config: StageConfig;
  readonly steps: PipelineSteps;
}

/** Seconds between two requests for a lock someone else holds. */
export const LOCK_RETRY_SECONDS = 2;
/** A step function's own bound (its Lambda timeout is shorter). */
const STEP_TIMEOUT = Duration.seconds(60);

/**
 * The optimization pipeline as a Standard state machine: every Task state has a Retry (any
 * failure but a timeout, `States.TaskFailed`, and its own timeout) and a Catch that records the
 * recommendation as `failed` and releases what it holds; the approval wait has a TimeoutSeconds;
 * the machine has an overall timeout; every Choice branches on an outcome a step returned as a
 * value, never on an error name (locally every Lambda error arrives as `Runtime.HandlerError`).
 *
 *   Validate ─invalid────────────────────────────────────────────────────────────▶ Record
 *     └ AssessRisk ─approval─▶ AwaitApproval (task token, TimeoutSeconds) ─rejected/expired─▶ Record
 *          │                        └ States.Timeout ▶ SettleTimeout ─┘ approved
 *          └ auto ─▶ AcquireLock ◀─ WaitForLock ◀─ busy      (conflict after the lock wait ▶ Record)
 *                      └ acquired ▶ CheckStale ─stale─▶ Record
 *                                     └ Apply (fenced) ─stale/fenced─▶ Record
 *                                         └ WaitForVerification ▶ Verify ─passed─▶ Record (applied)
 *                                                                   └ failed ▶ Rollback ▶ Record
 *   Record ▶ Release ▶ Done                     any Task's failure ▶ Failed ▶ Record ▶ Release
 */
export class OptimizationPipeline extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: OptimizationPipelineProps) {
    super(scope, id);
    const { config, steps } = props;

    const retried = <T extends sfn.TaskStateBase>(task: T, timeouts = true): T => {
      task.addRetry({ errors: ["States.TaskFailed"], interval: Duration.seconds(1), maxAttempts: 2, backoffRate: 2 });
      if (timeouts) task.addRetry({ errors: ["States.Timeout"], interval: Duration.seconds(1), maxAttempts: 1 });
      return task;
    };
    const step = (name: string, fn: lambda.IFunction, resultPath: string, extra: Record<string, unknown> = {}) =>
      retried(
        new tasks.LambdaInvoke(this, name, {
          lambdaFunction: fn,
          payload: sfn.TaskInput.fromObject({ recommendationId: sfn.JsonPath.stringAt("$.recommendationId"), ...extra }),
          payloadResponseOnly: true,
          retryOnServiceExceptions: false,
          resultPath,
          taskTimeout: sfn.Timeout.duration(STEP_TIMEOUT),
        }),
      );
    const outcome = (name: string, value: string, reasonPath: string) =>
      new sfn.Pass(this, name, {
        parameters: { outcome: value, "reason.$": reasonPath },
        resultPath: "$.final",
      });
    const is = (path: string, value: string) => sfn.Condition.stringEquals(path, value);

    // Terminal bookkeeping: record the outcome once, then release the lock (if one was taken).
    const done = new sfn.Succeed(this, "Done");
    const releaseFailed = new sfn.Fail(this, "ReleaseFailed", {
      error: "ReleaseFailed",
      cause: "the lock could not be released; its lease ends by itself",
    });
    const release = step("Release", steps.release, "$.released").addCatch(releaseFailed, {
      errors: ["States.ALL"],
      resultPath: "$.releaseFailure",
    });
    release.next(done);
    const recordFailed = new sfn.Fail(this, "RecordFailed", {
      error: "RecordFailed",
      cause: "the outcome could not be recorded after its retries",
    });
    const releaseUnrecorded = step("ReleaseUnrecorded", steps.release, "$.released")
      .addCatch(recordFailed, { errors: ["States.ALL"], resultPath: "$.releaseFailure" })
      .next(recordFailed);
    const record = step("Record", steps.record, "$.recorded", { "final.$": "$.final" })
      .addCatch(releaseUnrecorded, { errors: ["States.ALL"], resultPath: "$.recordFailure" })
      .next(release);

    const failed = new sfn.Pass(this, "Failed", {
      parameters: { outcome: "failed", "reason.$": "$.failure.Cause" },
      resultPath: "$.final",
    }).next(record);
    const caught = <T extends sfn.TaskStateBase>(task: T): T =>
      task.addCatch(failed, { errors: ["States.ALL"], resultPath: "$.failure" }) as T;

    const validate = caught(step("Validate", steps.validate, "$.validation"));
    const assessRisk = caught(step("AssessRisk", steps.assessRisk, "$.risk"));
    const acquireLock = caught(step("AcquireLock", steps.acquireLock, "$.lock"));
    const checkStale = caught(step("CheckStale", steps.checkStale, "$.stale"));
    const apply = caught(step("Apply", steps.apply, "$.apply"));
    const verify = caught(step("Verify", steps.verify, "$.verification"));
    const rollback = caught(step("Rollback", steps.rollback, "$.rollback"));
    const settleTimeout = caught(step("SettleTimeout", steps.settleTimeout, "$.approval"));

    // The task token goes only to the function that keeps it beside the recommendation.
    const awaitApproval = retried(
      new tasks.LambdaInvoke(this, "AwaitApproval", {
        lambdaFunction: steps.awaitApproval,
        integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload: sfn.TaskInput.fromObject({
          recommendationId: sfn.JsonPath.stringAt("$.recommendationId"),
          token: sfn.JsonPath.taskToken,
          enteredAt: sfn.JsonPath.stringAt("$$.State.EnteredTime"),
        }),
        retryOnServiceExceptions: false,
        resultPath: "$.approval",
        taskTimeout: sfn.Timeout.duration(Duration.seconds(config.approvalTimeoutSeconds)),
      }),
      false,
    )
      .addCatch(settleTimeout, { errors: ["States.Timeout"], resultPath: "$.approvalTimeout" })
      .addCatch(failed, { errors: ["States.ALL"], resultPath: "$.failure" });

    const waitForLock = new sfn.Wait(this, "WaitForLock", {
      time: sfn.WaitTime.duration(Duration.seconds(LOCK_RETRY_SECONDS)),
    }).next(acquireLock);
    const waitForVerification = new sfn.Wait(this, "WaitForVerification", {
      time: sfn.WaitTime.duration(Duration.seconds(config.verificationWindowSeconds)),
    }).next(verify);

    validate.next(
      new sfn.Choice(this, "IsValid")
        .when(is("$.validation.outcome", "valid"), assessRisk)
        .otherwise(outcome("Invalid", "invalid", "$.validation.reason").next(record)),
    );
    assessRisk.next(
      new sfn.Choice(this, "NeedsApproval").when(is("$.risk.outcome", "approval"), awaitApproval).otherwise(acquireLock),
    );
    const decided = new sfn.Choice(this, "Decided")
      .when(is("$.approval.outcome", "approved"), acquireLock)
      .when(is("$.approval.outcome", "rejected"), outcome("Rejected", "rejected", "$.approval.reason").next(record))
      .otherwise(outcome("Expired", "expired", "$.approval.reason").next(record));
    awaitApproval.next(decided);
    settleTimeout.next(decided);
    acquireLock.next(
      new sfn.Choice(this, "LockAcquired")
        .when(is("$.lock.outcome", "acquired"), checkStale)
        .when(is("$.lock.outcome", "busy"), waitForLock)
        .otherwise(outcome("Conflict", "conflict", "$.lock.reason").next(record)),
    );
    checkStale.next(
      new sfn.Choice(this, "StillCurrent")
        .when(is("$.stale.outcome", "current"), apply)
        .otherwise(outcome("Stale", "stale", "$.stale.reason").next(record)),
    );
    apply.next(
      new sfn.Choice(this, "Applied")
        .when(is("$.apply.outcome", "applied"), waitForVerification)
        .when(is("$.apply.outcome", "fenced"), outcome("Fenced", "conflict", "$.apply.reason").next(record))
        .otherwise(outcome("StaleAtApply", "stale", "$.apply.reason").next(record)),
    );
    verify.next(
      new sfn.Choice(this, "Verified")
        .when(
          is("$.verification.outcome", "passed"),
          outcome("AppliedAndVerified", "applied", "$.verification.reason").next(record),
        )
        .otherwise(rollback),
    );
    rollback.next(
      new sfn.Choice(this, "RolledBack")
        .when(
          is("$.rollback.outcome", "rolled_back"),
          outcome("RolledBackOutcome", "rolled_back", "$.verification.reason").next(record),
        )
        .otherwise(outcome("NotRolledBack", "failed", "$.rollback.reason").next(record)),
    );

    this.stateMachine = new sfn.StateMachine(this, "StateMachine", {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(validate),
      // No state can hang: the approval wait has its own timeout; this bounds the whole run beyond it.
      timeout: Duration.seconds(
        config.approvalTimeoutSeconds + config.optimizationLockWaitSeconds + config.verificationWindowSeconds + 900,
      ),
      tracingEnabled: true,
      logs: {
        destination: new logs.LogGroup(this, "Logs", {
          retention: config.logRetentionDays as logs.RetentionDays,
          removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        }),
        // Every event, but never its data: the approval state's input carries the task token, which must appear in no log.
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
      },
    });
    const role = this.stateMachine.role;
    const stack = Stack.of(this);
    Validations.of(role).acknowledge(
      ...Object.values(steps).map((fn) => ({
        id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
        reason:
          "Step Functions' Lambda integration grants InvokeFunction on the step's function and its versions (ARN:*); the machine invokes only its own step functions.",
      })),
      {
        id: "AwsSolutions-IAM5[Resource::*]",
        reason:
          "X-Ray's PutTraceSegments/PutTelemetryRecords and CloudWatch Logs' log delivery actions (CreateLogDelivery and friends) support no resource-level permissions.",
      },
    );
  }
}
