import { Duration, Validations } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { beforeAll, describe, expect, it } from "vitest";
import type { SwarmStacks } from "../../lib/swarm-app";
import { synthesize } from "./support/synth";

type Resource = { Type: string; Properties?: Record<string, unknown> };
type Resources = Record<string, Resource>;

/**
 * Rule targets owned by the optimization context (issue 11), merged in parallel with issue 14:
 * the lead moves them onto `guardedLambdaTarget` when merging, and deletes this entry.
 */

const getAttOf = (value: unknown): string | undefined => {
  const getAtt = (value as { "Fn::GetAtt"?: [string, string] } | undefined)?.["Fn::GetAtt"];
  return getAtt?.[0];
};
const refOf = (value: unknown): string | undefined => (value as { Ref?: string } | undefined)?.Ref;

const templatesOf = (all: SwarmStacks) =>
  Object.values(all).flatMap((stack) =>
    stack ? [{ name: stack.stackName, resources: Template.fromStack(stack).toJSON().Resources as Resources }] : [],
  );

/** The logical id of the rule a resource id belongs to, without CDK's hash. */
const pathOf = (name: string, id: string) => `${name}/${id.replace(/[0-9A-F]{8}$/, "")}`;

/**
 * Everything asynchronous that could drop an event without a trace, as "stack/rule or function:
 * what is missing": EventBridge → Lambda targets without a retry policy (attempts and event age)
 * or a dead-letter queue, and functions invoked asynchronously (rule targets, SNS subscribers)
 * without an EventInvokeConfig with retries and an on-failure destination.
 */
function untracedAsyncPaths(stacks: SwarmStacks): string[] {
  return templatesOf(stacks).flatMap(({ name, resources }) => {
    const functions = new Set(Object.entries(resources).flatMap(([id, r]) => (r.Type === "AWS::Lambda::Function" ? [id] : [])));
    const asyncInvoked = new Set<string>();
    const problems: string[] = [];
    for (const [id, r] of Object.entries(resources)) {
      if (r.Type === "AWS::Events::Rule") {
        const ruleTargets = (r.Properties?.Targets ?? []) as {
          Arn?: unknown;
          RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
          DeadLetterConfig?: { Arn?: unknown };
        }[];
        for (const target of ruleTargets) {
          const fn = getAttOf(target.Arn);
          if (!fn || !functions.has(fn)) continue;
          asyncInvoked.add(fn);
          if (target.RetryPolicy?.MaximumRetryAttempts === undefined || target.RetryPolicy.MaximumEventAgeInSeconds === undefined)
            problems.push(`${pathOf(name, id)}: target ${fn} has no explicit retry policy`);
          if (!target.DeadLetterConfig?.Arn) problems.push(`${pathOf(name, id)}: target ${fn} has no dead-letter queue`);
        }
      }
      if (r.Type === "AWS::SNS::Subscription" && r.Properties?.Protocol === "lambda") {
        const fn = getAttOf(r.Properties.Endpoint);
        if (fn) asyncInvoked.add(fn);
      }
    }
    const invokeConfigs = new Map(
      Object.values(resources)
        .filter((r) => r.Type === "AWS::Lambda::EventInvokeConfig")
        .map((r) => [refOf(r.Properties?.FunctionName), r.Properties ?? {}]),
    );
    for (const fn of asyncInvoked) {
      const config = invokeConfigs.get(fn) as
        { MaximumRetryAttempts?: number; DestinationConfig?: { OnFailure?: { Destination?: unknown } } } | undefined;
      if (!config) problems.push(`${name}/${fn}: invoked asynchronously with no EventInvokeConfig`);
      else {
        if (config.MaximumRetryAttempts === undefined) problems.push(`${name}/${fn}: no explicit async retries`);
        if (!config.DestinationConfig?.OnFailure?.Destination) problems.push(`${name}/${fn}: no on-failure destination`);
      }
    }
    return problems;
  });
}

type Alarm = {
  MetricName?: string;
  Namespace?: string;
  Dimensions?: { Name: string; Value: unknown }[];
  AlarmActions?: unknown[];
  OKActions?: unknown[];
};

/** Whether an alarm action names the stage's alarm topic. */
const notifiesTopic = (actions: unknown[] | undefined) => (actions ?? []).some((a) => JSON.stringify(a).includes("-alarms"));

/**
 * Failure paths without an alarm that notifies the alarm topic (on ALARM and OK), as
 * "stack/logical id: what": every queue that is no other queue's (it has no redrive policy: a
 * dead-letter or failure queue), every function's errors and throttles, every stream consumer's
 * iterator age.
 */
function unalarmed(stacks: SwarmStacks): string[] {
  return templatesOf(stacks).flatMap(({ name, resources }) => {
    const alarms = Object.values(resources)
      .filter((r) => r.Type === "AWS::CloudWatch::Alarm")
      .map((r) => r.Properties as Alarm)
      .filter((a) => notifiesTopic(a.AlarmActions) && notifiesTopic(a.OKActions));
    const has = (metricName: string, dimension: string, ref: (value: unknown) => string | undefined, id: string) =>
      alarms.some((a) => a.MetricName === metricName && a.Dimensions?.some((d) => d.Name === dimension && ref(d.Value) === id));
    const problems: string[] = [];
    for (const [id, r] of Object.entries(resources)) {
      // Work queues' dead letters are alarmed by the monitoring stack, by agent type and priority (monitoring.test.ts).
      const workDeadLetters = /queues(critical|high|normal|low)Dlq[0-9A-F]{8}$/.test(id);
      if (r.Type === "AWS::SQS::Queue" && r.Properties?.RedrivePolicy === undefined && !workDeadLetters) {
        if (!has("ApproximateNumberOfMessagesVisible", "QueueName", getAttOf, id)) problems.push(`${name}/${id}: queue depth`);
      }
      const isSwarmFunction =
        r.Type === "AWS::Lambda::Function" && JSON.stringify(r.Properties?.Environment ?? {}).includes("POWERTOOLS_SERVICE_NAME");
      if (isSwarmFunction) {
        for (const metric of ["Errors", "Throttles"])
          if (!has(metric, "FunctionName", refOf, id)) problems.push(`${name}/${id}: ${metric}`);
      }
      if (r.Type === "AWS::Lambda::EventSourceMapping" && r.Properties?.StartingPosition !== undefined) {
        const fn = refOf(r.Properties.FunctionName);
        if (fn && !has("IteratorAge", "FunctionName", refOf, fn)) problems.push(`${name}/${fn}: IteratorAge`);
      }
    }
    return problems;
  });
}

let stacks: SwarmStacks;
beforeAll(() => {
  stacks = synthesize("dev").stacks;
});

describe("events are not dropped without a trace (ADR 0017)", () => {
  it("every EventBridge → Lambda target and every async-invoked function has explicit retries and a failure destination", () => {
    const targetsChecked = templatesOf(stacks).flatMap(({ resources }) =>
      Object.values(resources).filter((r) => r.Type === "AWS::Events::Rule"),
    );
    // The fleet's two schedules and task-state rule, the reaper, the snapshot, the broadcaster, the sweeper.
    expect(targetsChecked.length).toBeGreaterThanOrEqual(7);
    expect(untracedAsyncPaths(stacks)).toEqual([]);
  });

  it("reports a rule target planted without retries or a dead-letter queue (the control)", () => {
    const planted = synthesize("dev", {
      extend: (s) => {
        const fn = new lambda.Function(s.tasks, "PlantedFunction", {
          runtime: lambda.Runtime.NODEJS_24_X,
          handler: "index.handler",
          code: lambda.Code.fromInline("export const handler = async () => {};"),
        });
        Validations.of(fn).acknowledge(
          {
            id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
            reason: "planted by the test",
          },
          ...[
            "Serverless-LambdaDLQ",
            "Serverless-LambdaTracing",
            "Serverless-LambdaDefaultMemorySize",
            "Serverless-LambdaAsyncFailureDestination",
            "Serverless-LambdaDefaultTimeout",
          ].map((id) => ({ id, reason: "planted by the test" })),
        );
        const rule = new events.Rule(s.tasks, "PlantedRule", {
          schedule: events.Schedule.rate(Duration.minutes(5)),
          targets: [new targets.LambdaFunction(fn)],
        });
        Validations.of(rule).acknowledge({ id: "Serverless-EventBusDLQ", reason: "planted by the test" });
      },
    }).stacks;

    const problems = untracedAsyncPaths(planted);

    expect(problems.some((p) => p.includes("PlantedRule") && p.includes("no explicit retry policy"))).toBe(true);
    expect(problems.some((p) => p.includes("PlantedRule") && p.includes("no dead-letter queue"))).toBe(true);
    expect(problems.some((p) => p.includes("PlantedFunction") && p.includes("no EventInvokeConfig"))).toBe(true);
  });

  it("alarms every failure and dead-letter queue, every function's errors and throttles, every stream's iterator age", () => {
    const all = templatesOf(stacks);
    const count = (type: string) => all.reduce((n, t) => n + Object.values(t.resources).filter((r) => r.Type === type).length, 0);
    expect(count("AWS::Lambda::Function")).toBeGreaterThan(40);
    expect(unalarmed(stacks)).toEqual([]);
  });

  it("alarms the HTTP API's 5xx and p95 latency and the WebSocket API's errors", () => {
    const alarms = templatesOf(stacks).flatMap(({ resources }) =>
      Object.values(resources)
        .filter((r) => r.Type === "AWS::CloudWatch::Alarm")
        .map((r) => r.Properties as Alarm & { ExtendedStatistic?: string }),
    );
    const apiGateway = alarms.filter((a) => a.Namespace === "AWS/ApiGateway" && notifiesTopic(a.AlarmActions));
    expect(apiGateway.map((a) => [a.MetricName, a.ExtendedStatistic ?? "Sum"]).sort()).toEqual(
      [
        ["5xx", "Sum"],
        ["ExecutionError", "Sum"],
        ["IntegrationError", "Sum"],
        ["Latency", "p95"],
      ].sort(),
    );
  });

  it("reports a queue and a function planted after the alarms were made (the control)", () => {
    const planted = synthesize("dev", {
      extend: (s) => {
        const queue = new sqs.Queue(s.tasks, "PlantedFailureQueue", {
          encryption: sqs.QueueEncryption.SQS_MANAGED,
          enforceSSL: true,
        });
        Validations.of(queue).acknowledge(
          { id: "AwsSolutions-SQS3", reason: "planted by the test" },
          { id: "Serverless-SQSRedrivePolicy", reason: "planted by the test" },
        );
      },
    }).stacks;

    expect(unalarmed(planted).filter((p) => p.includes("PlantedFailureQueue"))).toHaveLength(1);
  });

  it("runs each scheduled function that must not overlap one at a time: health monitor, scaler, sweeper", () => {
    const reserved = (stack: keyof SwarmStacks, prefix: string) => {
      const template = stacks[stack];
      if (!template) throw new Error(`no ${stack} stack`);
      const found = Object.entries(Template.fromStack(template).findResources("AWS::Lambda::Function") as Resources).filter(
        ([id]) => id.startsWith(prefix),
      );
      expect(found, prefix).toHaveLength(1);
      return found[0]?.[1].Properties?.ReservedConcurrentExecutions;
    };
    expect(reserved("agents", "MonitorFleetHealth")).toBe(1);
    expect(reserved("agents", "ScaleFleet")).toBe(1);
    expect(reserved("tasks", "SweepStrandedTasks")).toBe(1);
  });
});

describe("backups you can restore (seed 001)", () => {
  it("prod backs up every table daily and keeps each backup 30 days, in an encrypted vault; other stages have no plan", () => {
    const prod = synthesize("prod").stacks;
    if (!prod.backup) throw new Error("prod has a backup stack");
    const template = Template.fromStack(prod.backup);
    const [plan] = Object.values(template.findResources("AWS::Backup::BackupPlan") as Resources);
    expect(plan?.Properties?.BackupPlan).toMatchObject({
      BackupPlanRule: [{ ScheduleExpression: "cron(0 3 * * ? *)", Lifecycle: { DeleteAfterDays: 30 } }],
    });
    const [vault] = Object.values(template.findResources("AWS::Backup::BackupVault") as Resources);
    expect(vault?.Properties?.EncryptionKeyArn).toBeDefined();
    const tables = templatesOf(prod).reduce(
      (n, t) => n + Object.values(t.resources).filter((r) => r.Type === "AWS::DynamoDB::GlobalTable").length,
      0,
    );
    const selection = Object.values(template.findResources("AWS::Backup::BackupSelection") as Resources)[0];
    const selected = (selection?.Properties?.BackupSelection as { Resources: unknown[] }).Resources;
    expect(tables).toBeGreaterThan(5);
    expect(selected).toHaveLength(tables);
    expect(stacks.backup).toBeUndefined();
  });
});
