import { Match, Template } from "aws-cdk-lib/assertions";
import type { CfnQueue } from "aws-cdk-lib/aws-sqs";
import { beforeAll, describe, expect, it } from "vitest";
import { AGENT_TYPES } from "#kernel/agent-catalog";
import { deadLetterAlarmName } from "#monitoring/domain/alarm-alerts";
import type { SwarmStacks } from "../../lib/swarm-app";
import { actionsOf, grantsOf, type Statement, statementsOf as statementsIn } from "./support/policies";
import { synthesize } from "./support/synth";
import { PRIORITIES } from "#kernel/task-vocabulary";

type Resource = { Type: string; Properties?: Record<string, unknown> };

let stacks: SwarmStacks;
let monitoring: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  stacks = synthesize("dev").stacks;
  monitoring = Template.fromStack(stacks.monitoring);
  resources = monitoring.toJSON().Resources as Record<string, Resource>;
});

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
/** The work queues' dead-letter alarms, by their names (the failure alarms of ADR 0017 are tested in reliability.test.ts). */
const deadLetterAlarms = () =>
  ofType("AWS::CloudWatch::Alarm").filter(([, r]) => String(r.Properties?.AlarmName ?? "").includes("-dead-letters-"));
/** The logical id of the function whose id starts with `prefix` (e.g. "PublishMetricsSnapshot"). */
const functionId = (prefix: string) => {
  const found = ofType("AWS::Lambda::Function").filter(([id]) => id.startsWith(prefix));
  expect(found, prefix).toHaveLength(1);
  return found[0]?.[0] ?? "";
};
const statementsOf = (prefix: string) => statementsIn(stacks.monitoring, prefix);
/** How the consuming stack names a resource of the tasks stack: its export carries the producer's logical id. */
const tasksLogicalId = (queue: { node: { defaultChild?: unknown } }) =>
  stacks.tasks.getLogicalId(queue.node.defaultChild as CfnQueue);

describe("metrics snapshot", () => {
  it("runs every minute, without retries (the next minute's snapshot supersedes a missed one)", () => {
    const id = functionId("PublishMetricsSnapshot");
    const rules = ofType("AWS::Events::Rule").filter(([, r]) => JSON.stringify(r.Properties?.Targets).includes(`"${id}"`));
    expect(rules).toHaveLength(1);
    expect(rules[0]?.[1].Properties).toMatchObject({
      ScheduleExpression: "rate(1 minute)",
      State: "ENABLED",
      Targets: [expect.objectContaining({ RetryPolicy: expect.objectContaining({ MaximumRetryAttempts: 0 }) })],
    });
  });

  it("reads only (counters, the queued, by-type and connections' by-sk indexes, queue attributes) and writes nothing but PutEvents (and its failures)", () => {
    const statements = statementsOf("PublishMetricsSnapshot");
    expect(actionsOf(statements)).toEqual([
      "dynamodb:BatchGetItem",
      "dynamodb:Query",
      "events:PutEvents",
      // Its own log group only (test/infra/resources.test.ts).
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "sqs:GetQueueAttributes",
      "sqs:GetQueueUrl",
      // A failed run goes to its failure queue (ADR 0017).
      "sqs:SendMessage",
      "xray:PutTelemetryRecords",
      "xray:PutTraceSegments",
    ]);
    // Query reaches the two indexes it reads, never a table or another index.
    const queried = JSON.stringify(grantsOf(statements, "dynamodb:Query").map((s) => s.Resource));
    expect(queried.match(/\/index\/[a-z-]+/g)?.sort()).toEqual(["/index/by-sk", "/index/by-type", "/index/queued"]);
    // PutEvents on the swarm bus only.
    expect(JSON.stringify(grantsOf(statements, "events:PutEvents").map((s) => s.Resource))).toMatch(/SwarmBus/);
  });

  it("keeps each snapshot on the bus as a point: a recorder that may only PutItem on the metrics history, whose rows expire", () => {
    const statements = statementsOf("RecordMetricsPoint");
    const dynamo = actionsOf(statements).filter((action) => action.startsWith("dynamodb:"));
    expect(dynamo).toEqual(["dynamodb:PutItem"]);
    expect(JSON.stringify(grantsOf(statements, "dynamodb:PutItem").map((s) => s.Resource))).toMatch(/MetricsHistory/);
    monitoring.hasResourceProperties("AWS::DynamoDB::GlobalTable", {
      KeySchema: [
        { AttributeName: "series", KeyType: "HASH" },
        { AttributeName: "at", KeyType: "RANGE" },
      ],
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
    });
    monitoring.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: { source: ["tge-swarm.monitoring"], "detail-type": ["MetricsSnapshot"] },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue() })],
    });
    // The system view reads the history with Query and nothing else (its other grants are the per-user request budget's).
    const view = statementsOf("GetSystemMetrics");
    const onHistory = view.filter((statement) => JSON.stringify(statement.Resource).includes("MetricsHistory"));
    expect(onHistory.flatMap((statement) => [statement.Action].flat())).toEqual(["dynamodb:Query"]);
  });

  it("may read the attributes of every work queue and of its dead-letter queue", () => {
    const readable = JSON.stringify(grantsOf(statementsOf("PublishMetricsSnapshot"), "sqs:GetQueueAttributes"));
    for (const type of AGENT_TYPES) {
      for (const priority of PRIORITIES) {
        const queues = stacks.tasks.workQueues[type];
        expect(readable, `${type}/${priority}`).toContain(`FnGetAtt${tasksLogicalId(queues.queues[priority])}Arn`);
        expect(readable, `${type}/${priority} DLQ`).toContain(`FnGetAtt${tasksLogicalId(queues.deadLetterQueues[priority])}Arn`);
      }
    }
  });

  it("fits Lambda's 4 KB environment on AWS (the dead-letter URLs are found at run time)", () => {
    const variables = (
      resources[functionId("PublishMetricsSnapshot")]?.Properties?.Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
    expect(Object.keys(variables)).toContain("WORK_QUEUE_URLS");
    expect(Object.keys(variables)).not.toContain("DEAD_LETTER_QUEUE_URLS");
    // On AWS a queue URL is ~120 characters (https://sqs.<region>.amazonaws.com/<account>/<stack>-<id>-<suffix>)
    // and a table name ~64; the template holds references instead, so estimate what they resolve to.
    const queueUrlsJson = JSON.stringify(
      Object.fromEntries(AGENT_TYPES.map((t) => [t, Object.fromEntries(PRIORITIES.map((p) => [p, "x".repeat(120)]))])),
    );
    const size = Object.entries(variables)
      .map(
        ([name, value]) =>
          name.length + (name === "WORK_QUEUE_URLS" ? queueUrlsJson.length : typeof value === "string" ? value.length : 64),
      )
      .reduce((a, b) => a + b, 0);
    expect(size).toBeLessThan(4 * 1024);
    // The same estimate with the dead-letter URLs beside them would not fit: why they are looked up.
    expect(size + "DEAD_LETTER_QUEUE_URLS".length + queueUrlsJson.length).toBeGreaterThan(4 * 1024);
  });
});

describe("dead-letter alarms", () => {
  const topicId = () => {
    const topics = ofType("AWS::SNS::Topic");
    expect(topics).toHaveLength(1);
    return topics[0]?.[0] ?? "";
  };

  it("watch every work queue's dead-letter queue: one message visible is enough, no data is no alarm", () => {
    const alarms = deadLetterAlarms();
    expect(alarms).toHaveLength(AGENT_TYPES.length * PRIORITIES.length);
    for (const type of AGENT_TYPES) {
      for (const priority of PRIORITIES) {
        const dlq = tasksLogicalId(stacks.tasks.workQueues[type].deadLetterQueues[priority]);
        monitoring.hasResourceProperties("AWS::CloudWatch::Alarm", {
          AlarmName: deadLetterAlarmName("dev", type, priority),
          Namespace: "AWS/SQS",
          MetricName: "ApproximateNumberOfMessagesVisible",
          Dimensions: [{ Name: "QueueName", Value: { "Fn::ImportValue": Match.stringLikeRegexp(`FnGetAtt${dlq}QueueName`) } }],
          Statistic: "Maximum",
          ComparisonOperator: "GreaterThanOrEqualToThreshold",
          Threshold: 1,
          EvaluationPeriods: 1,
          TreatMissingData: "notBreaching",
        });
      }
    }
  });

  it("notify the alarm topic when they go to ALARM and when they are OK again", () => {
    for (const [id, alarm] of deadLetterAlarms()) {
      expect(alarm.Properties?.AlarmActions, id).toEqual([{ Ref: topicId() }]);
      expect(alarm.Properties?.OKActions, id).toEqual([{ Ref: topicId() }]);
      expect(alarm.Properties?.ActionsEnabled ?? true, id).toBe(true);
    }
  });

  it("go to a topic encrypted with a rotated customer managed key that CloudWatch may use, refusing requests without TLS", () => {
    const key = (resources[topicId()]?.Properties?.KmsMasterKeyId as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"];
    expect(resources[key[0]]).toMatchObject({ Type: "AWS::KMS::Key", Properties: { EnableKeyRotation: true } });
    const keyPolicy = (resources[key[0]]?.Properties?.KeyPolicy as { Statement: Statement[] }).Statement;
    expect(keyPolicy).toContainEqual(
      expect.objectContaining({
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      }),
    );
    const topicPolicy = ofType("AWS::SNS::TopicPolicy").find(([, p]) => JSON.stringify(p.Properties?.Topics).includes(topicId()));
    const statements = (topicPolicy?.[1].Properties?.PolicyDocument as { Statement: Statement[] }).Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
    );
    // CloudWatch may publish, for this account's alarms only.
    const cloudwatch = statements.find((s) => JSON.stringify(s.Principal).includes("cloudwatch.amazonaws.com"));
    expect(cloudwatch).toMatchObject({ Effect: "Allow", Action: "sns:Publish" });
    expect(JSON.stringify(cloudwatch?.Condition)).toContain("aws:SourceAccount");
    expect(JSON.stringify(cloudwatch?.Condition)).toContain(":alarm:*");
  });

  it("reach the relay, whose failures (and SNS's, delivering to it) are kept on a queue, never dropped", () => {
    const relay = functionId("RelayAlarm");
    const subscription = ofType("AWS::SNS::Subscription").find(([, s]) => JSON.stringify(s.Properties?.Endpoint).includes(relay));
    expect(subscription?.[1].Properties).toMatchObject({
      Protocol: "lambda",
      TopicArn: { Ref: topicId() },
      RedrivePolicy: { deadLetterTargetArn: { "Fn::GetAtt": [expect.stringMatching(/^AlarmRelayFailures/), "Arn"] } },
    });
    monitoring.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      FunctionName: { Ref: relay },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { "Fn::GetAtt": [Match.stringLikeRegexp("^AlarmRelayFailures"), "Arn"] } } },
    });
  });

  it("the relay may put events on the bus and keep its failures, nothing else", () => {
    const statements = statementsOf("RelayAlarm");
    expect(actionsOf(statements)).toEqual([
      "events:PutEvents",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "sqs:GetQueueAttributes",
      "sqs:GetQueueUrl",
      "sqs:SendMessage",
      "xray:PutTelemetryRecords",
      "xray:PutTraceSegments",
    ]);
    expect(JSON.stringify(grantsOf(statements, "sqs:SendMessage").map((s) => s.Resource))).toMatch(/AlarmRelayFailures/);
  });
});
