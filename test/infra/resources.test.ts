import { Stack, Validations } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import * as events from "aws-cdk-lib/aws-events";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as sqs from "aws-cdk-lib/aws-sqs";
import type { CfnQueue } from "aws-cdk-lib/aws-sqs";
import { beforeAll, describe, expect, it } from "vitest";
import { AGENT_TYPE_SPECS, AGENT_TYPES } from "#kernel/agent-catalog";
import { PUBLISHED_DETAIL_TYPES } from "#kernel/bus/catalog";
import { EVENT_SOURCES } from "#kernel/bus/domain-event";
import { loadStageConfig } from "../../lib/config/stage-config";
import { VISIBILITY_TO_CONSUMER_TIMEOUT } from "../../lib/constructs/priority-queues";
import { LOCAL_AGENT_IMAGE } from "../../lib/stacks/agents-stack";
import type { SwarmStacks } from "../../lib/swarm-app";
import { synthesize } from "./support/synth";
import { PRIORITIES } from "#kernel/task-vocabulary";
import { pathsOf, PUBLIC } from "#shared/routes";
import { ALL_ROUTES } from "../../scripts/openapi/route-tables";

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;
let stacks: SwarmStacks;
let templates: Template[];
const all = (type: string): [string, Record<string, unknown>][] =>
  templates.flatMap((template) =>
    Object.entries(template.findResources(type) as Resources).map(([id, r]): [string, Record<string, unknown>] => [
      id,
      r.Properties ?? {},
    ]),
  );

/** `{"Fn::GetAtt": [id, "Arn"]}`'s id, or nothing. */
const arnOf = (value: unknown): string | undefined => {
  const getAtt = (value as { "Fn::GetAtt"?: [string, string] } | undefined)?.["Fn::GetAtt"];
  return getAtt?.[1] === "Arn" ? getAtt[0] : undefined;
};

/** Each stack's template, with its name. */
const templatesOf = (all: SwarmStacks) =>
  Object.values(all).flatMap((stack) => (stack ? [{ name: stack.stackName, template: Template.fromStack(stack) }] : []));

/**
 * Queues (as "stack/logical id") that have no redrive policy and are not where failures go: not
 * another queue's dead-letter target, an event source mapping's or an async invoke's on-failure
 * destination, or a rule target's dead-letter queue, in the same template.
 */
function queuesWithoutDeadLetters(checked: readonly { name: string; template: Template }[]): string[] {
  return checked.flatMap(({ name, template }) => {
    const resources = template.toJSON().Resources as Resources;
    const destinations = new Set(
      Object.values(resources).flatMap((resource) => {
        const p = resource.Properties ?? {};
        const targets = (p.Targets ?? []) as { DeadLetterConfig?: { Arn?: unknown } }[];
        return [
          arnOf((p.RedrivePolicy as { deadLetterTargetArn?: unknown } | undefined)?.deadLetterTargetArn),
          arnOf((p.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure?.Destination),
          ...targets.map((target) => arnOf(target.DeadLetterConfig?.Arn)),
        ].filter((id): id is string => id !== undefined);
      }),
    );
    return Object.entries(resources)
      .filter(([id, r]) => r.Type === "AWS::SQS::Queue" && r.Properties?.RedrivePolicy === undefined && !destinations.has(id))
      .map(([id]) => `${name}/${id}`);
  });
}

beforeAll(() => {
  stacks = synthesize("dev").stacks;
  templates = Object.values(stacks).map((stack) => Template.fromStack(stack));
});

describe("queues", () => {
  it("every queue is encrypted at rest", () => {
    const queues = all("AWS::SQS::Queue");
    expect(queues.length).toBeGreaterThan(0);
    for (const [id, props] of queues) {
      expect(props.SqsManagedSseEnabled === true || props.KmsMasterKeyId !== undefined, id).toBe(true);
    }
  });

  it("every queue of every stack has a dead-letter queue, or is one (or a failure destination)", () => {
    const checked = templatesOf(stacks);
    const queuesOutsideTasks = checked
      .filter(({ name }) => name !== stacks.tasks.stackName)
      .flatMap(({ template }) => Object.keys(template.findResources("AWS::SQS::Queue")));
    // The agents relay's, the broadcaster's and the alarm relay's failure queues are outside the tasks stack.
    expect(queuesOutsideTasks.length).toBeGreaterThanOrEqual(3);
    expect(queuesWithoutDeadLetters(checked)).toEqual([]);

    // Every work queue has a dead-letter queue of its own.
    for (const type of AGENT_TYPES) {
      for (const priority of PRIORITIES) {
        const queues = stacks.tasks.workQueues[type];
        const redrive = stacks.tasks.resolve((queues.queues[priority].node.defaultChild as CfnQueue).redrivePolicy) as {
          deadLetterTargetArn: unknown;
        };
        expect(redrive.deadLetterTargetArn, `${type}/${priority}`).toEqual(
          stacks.tasks.resolve(queues.deadLetterQueues[priority].queueArn),
        );
      }
    }
  });

  it("reports a queue planted without a dead-letter queue in any stack (the control)", () => {
    // GIVEN the app with one bare queue added to the realtime stack, its cdk-nag finding silenced
    const planted = synthesize("dev", {
      extend: (s) => {
        const queue = new sqs.Queue(s.realtime, "PlantedBareQueue", {
          encryption: sqs.QueueEncryption.SQS_MANAGED,
          enforceSSL: true,
        });
        Validations.of(queue).acknowledge(
          { id: "AwsSolutions-SQS3", reason: "planted by the test" },
          { id: "Serverless-SQSRedrivePolicy", reason: "planted by the test" },
        );
      },
    }).stacks;

    // WHEN every stack is checked, THEN it is named
    expect(queuesWithoutDeadLetters(templatesOf(planted))).toEqual([
      expect.stringMatching(/^tge-swarm-dev-realtime\/PlantedBareQueue/),
    ]);
  });

  it("every queue refuses requests without TLS", () => {
    const policies = all("AWS::SQS::QueuePolicy");
    const guarded = policies.filter(([, props]) =>
      JSON.stringify(props.PolicyDocument).includes('"aws:SecureTransport":"false"'),
    );
    expect(guarded.length).toBe(all("AWS::SQS::Queue").length);
  });

  it("every visibility timeout is at least six times its consumer's timeout", () => {
    const config = loadStageConfig("dev", {});
    // Agents consume the work queues and must extend visibility every heartbeat interval.
    for (const type of AGENT_TYPES) {
      for (const priority of PRIORITIES) {
        const queue = stacks.tasks.workQueues[type].queues[priority];
        const visibility = Stack.of(queue).resolve((queue.node.defaultChild as { visibilityTimeout?: number }).visibilityTimeout);
        expect(visibility, `${type}/${priority}`).toBeGreaterThanOrEqual(
          VISIBILITY_TO_CONSUMER_TIMEOUT * config.healthCheckInterval,
        );
      }
    }
    // Lambda consumers of SQS: visibility ≥ 6 × the function's timeout.
    for (const template of templates) {
      const resources = template.toJSON().Resources as Resources;
      for (const [id, mapping] of Object.entries(template.findResources("AWS::Lambda::EventSourceMapping") as Resources)) {
        const source = (mapping.Properties?.EventSourceArn as { "Fn::GetAtt"?: [string, string] })?.["Fn::GetAtt"];
        const queue = source ? resources[source[0]] : undefined;
        if (queue?.Type !== "AWS::SQS::Queue") continue;
        const fnRef = (mapping.Properties?.FunctionName as { Ref?: string } | undefined)?.Ref ?? "";
        const fn = resources[fnRef];
        const timeout = Number(fn?.Properties?.Timeout ?? 3);
        expect(Number(queue.Properties?.VisibilityTimeout ?? 30), id).toBeGreaterThanOrEqual(
          VISIBILITY_TO_CONSUMER_TIMEOUT * timeout,
        );
      }
    }
  });
});

describe("HTTP API", () => {
  it("authorizes every route with the Cognito JWT authorizer, except those its route table makes public", () => {
    const routes = all("AWS::ApiGatewayV2::Route").filter(([, props]) =>
      /^(GET|POST|PUT|DELETE|PATCH) /.test(String(props.RouteKey)),
    );
    expect(routes.length).toBeGreaterThan(2);
    const open = routes.filter(([, props]) => props.AuthorizationType !== "JWT").map(([, props]) => props.RouteKey);
    expect(routes.every(([, props]) => ["JWT", "NONE"].includes(String(props.AuthorizationType)))).toBe(true);
    expect(open.sort()).toEqual(
      ALL_ROUTES.filter((route) => route.roles === PUBLIC)
        .flatMap((route) => pathsOf(route).map(({ path }) => `${route.method} ${path}`))
        .sort(),
    );
    expect(open).toContain("GET /api/health");
  });

  it("has one JWT authorizer, trusting only our user pool and app client", () => {
    Template.fromStack(stacks.platform).hasResourceProperties("AWS::ApiGatewayV2::Authorizer", {
      AuthorizerType: "JWT",
      JwtConfiguration: { Audience: [Match.anyValue()], Issuer: Match.anyValue() },
    });
  });

  it("writes access logs", () => {
    Template.fromStack(stacks.platform).hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      AccessLogSettings: { DestinationArn: Match.anyValue() },
    });
  });
});

describe("data at rest", () => {
  it("every table is encrypted, recoverable and on demand", () => {
    const tables = all("AWS::DynamoDB::GlobalTable");
    expect(tables.length).toBeGreaterThanOrEqual(4);
    for (const [id, props] of tables) {
      expect(props.SSESpecification, id).toMatchObject({ SSEEnabled: true });
      expect(JSON.stringify(props.Replicas), id).toContain('"PointInTimeRecoveryEnabled":true');
      expect(props.BillingMode, id).toBe("PAY_PER_REQUEST");
    }
  });

  it("connection rows expire", () => {
    Template.fromStack(stacks.realtime).hasResourceProperties("AWS::DynamoDB::GlobalTable", {
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: "by-sk" })],
    });
  });
});

/**
 * Actions granted on "*" besides X-Ray's tracing writes, each because its service has no
 * resource-level permission for it (the acknowledgement at each grant says so).
 */
const STAR_ACTIONS = Object.keys({
  "cloudfront:CreateInvalidation": "CDK's BucketDeployment (web stack), to invalidate the page on deploy",
  "cloudfront:GetInvalidation": "the same",
  "ecr:GetAuthorizationToken": "task execution roles, to pull images",
  "ecs:ListTasks": "the fleet functions, conditioned on ecs:cluster = the agents' cluster",
  "logs:CreateLogDelivery": "Step Functions' log delivery (the optimization pipeline)",
  "logs:DeleteLogDelivery": "the same",
  "logs:DescribeLogGroups": "the same",
  "logs:DescribeResourcePolicies": "the same",
  "logs:GetLogDelivery": "the same",
  "logs:ListLogDeliveries": "the same",
  "logs:PutResourcePolicy": "the same",
  "logs:UpdateLogDelivery": "the same",
  "xray:GetSamplingRules": "Step Functions' tracing",
  "xray:GetSamplingTargets": "the same",
}).sort();

describe("functions", () => {
  it("run on the newest Node.js runtime, traced, each with a log group that expires", () => {
    // CDK's own BucketDeployment handler (web stack) runs on Python during deploys only; CDK sets its runtime.
    const functions = all("AWS::Lambda::Function").filter(([id]) => !id.startsWith("CustomCDKBucketDeployment"));
    expect(functions.length).toBeGreaterThanOrEqual(8);
    for (const [id, props] of functions) {
      expect(props.Runtime, id).toBe(lambda.Runtime.NODEJS_24_X.name);
      expect(props.TracingConfig, id).toEqual({ Mode: "Active" });
      expect(props.LoggingConfig, id).toMatchObject({ LogGroup: expect.anything() });
    }
    for (const [id, props] of all("AWS::Logs::LogGroup")) expect(props.RetentionInDays, id).toBeGreaterThan(0);
  });

  it("may write logs to their own log group only: no AWSLambdaBasicExecutionRole, no log action on another group", () => {
    const functions = all("AWS::Lambda::Function").filter(([id]) => !id.startsWith("CustomCDKBucketDeployment"));
    const roles = new Map(all("AWS::IAM::Role"));
    const policies = all("AWS::IAM::Policy");
    for (const [id, props] of functions) {
      const roleId = arnOf(props.Role);
      const logGroupId = (props.LoggingConfig as { LogGroup?: { Ref?: string } } | undefined)?.LogGroup?.Ref;
      expect(roleId, id).toBeDefined();
      expect(JSON.stringify(roles.get(roleId ?? "")?.ManagedPolicyArns ?? []), id).not.toContain("AWSLambdaBasicExecutionRole");
      const logStatements = policies
        .filter(([, policy]) => JSON.stringify(policy.Roles).includes(`"${roleId}"`))
        .flatMap(([, policy]) => (policy.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement)
        .filter((statement) => [statement.Action].flat().some((action) => String(action).startsWith("logs:")));
      expect(logStatements.length, id).toBeGreaterThan(0);
      for (const statement of logStatements) expect(arnOf(statement.Resource), id).toBe(logGroupId);
    }
  });

  it("have '*' resources only where the service takes no other (what each role's IAM5 acknowledgement says)", () => {
    // Action → why it needs "*": the acknowledgements at these roles say the same.
    const starOnly = new Set(["xray:PutTraceSegments", "xray:PutTelemetryRecords"]);
    const found = new Map<string, Set<string>>();
    for (const [, policy] of all("AWS::IAM::Policy")) {
      for (const statement of (policy.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement) {
        if (![statement.Resource].flat().includes("*")) continue;
        for (const action of [statement.Action].flat().map(String)) {
          if (starOnly.has(action)) continue;
          found.set(action, (found.get(action) ?? new Set()).add(JSON.stringify(policy.Roles)));
        }
      }
    }
    expect([...found.keys()].sort()).toEqual(STAR_ACTIONS);
  });

  it("the relay reads the tasks stream in order, reporting partial failures, with a failure destination", () => {
    Template.fromStack(stacks.tasks).hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      StartingPosition: "TRIM_HORIZON",
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it("grants tables by exact ARN, never index/*", () => {
    const policies = JSON.stringify(all("AWS::IAM::Policy"));
    expect(policies).not.toMatch(/index\/\*/);
  });
});

describe("event bus", () => {
  it("archives swarm events for replay", () => {
    Template.fromStack(stacks.platform).hasResourceProperties("AWS::Events::Archive", {
      EventPattern: { source: [{ prefix: "tge-swarm." }] },
    });
  });

  /** Every PutEvents statement of a template, as "policy: its events:source values" ("any" without the condition). */
  const putEventsSources = (template: Template): string[] =>
    Object.entries(template.findResources("AWS::IAM::Policy") as Resources).flatMap(([id, policy]) =>
      (
        policy.Properties?.PolicyDocument as {
          Statement: { Action: unknown; Condition?: Record<string, Record<string, unknown>> }[];
        }
      ).Statement.filter((statement) => [statement.Action].flat().includes("events:PutEvents")).map(
        (statement) => `${id}: ${[statement.Condition?.StringEquals?.["events:source"] ?? "any"].flat().join(",")}`,
      ),
    );

  it("lets every publisher put entries of its own source only (events:source), never any source", () => {
    const grants = templates.flatMap(putEventsSources);
    expect(grants.length).toBeGreaterThanOrEqual(13);
    expect(grants.filter((grant) => !/: tge-swarm\.[a-z]+$/.test(grant))).toEqual([]);
    const sourceOf = (prefix: RegExp) => grants.filter((grant) => prefix.test(grant)).map((grant) => grant.split(": ")[1]);
    // The agents that publish speak for their contexts only: data-quality detections, the reviewers recommendations.
    expect(sourceOf(/^dataqualityagentsTaskTaskRole/)).toEqual(["tge-swarm.detection"]);
    expect(sourceOf(/^apireliabilityagentsTaskTaskRole/)).toEqual(["tge-swarm.optimization"]);
    expect(sourceOf(/^BroadcastMessage/)).toEqual(["tge-swarm.realtime"]);
    expect(sourceOf(/^PublishMetricsSnapshot/)).toEqual(["tge-swarm.monitoring"]);
    // The control: CDK's own grant, which this check exists to keep out, is flagged.
    const planted = new Stack();
    const bus = new events.EventBus(planted, "Bus");
    bus.grantPutEventsTo(new iam.Role(planted, "Role", { assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com") }));
    expect(putEventsSources(Template.fromStack(planted))).toEqual([expect.stringMatching(/: any$/)]);
  });

  it("lets every publisher put only the detail types its source announces (events:detail-type)", () => {
    const statements = templates.flatMap((template) =>
      Object.values(template.findResources("AWS::IAM::Policy") as Resources).flatMap((policy) =>
        (
          policy.Properties?.PolicyDocument as {
            Statement: { Action: unknown; Condition?: { StringEquals?: Record<string, unknown> } }[];
          }
        ).Statement.filter((statement) => [statement.Action].flat().includes("events:PutEvents")),
      ),
    );
    expect(statements.length).toBeGreaterThanOrEqual(13);
    for (const statement of statements) {
      const source = statement.Condition?.StringEquals?.["events:source"] as keyof typeof PUBLISHED_DETAIL_TYPES;
      expect(statement.Condition?.StringEquals?.["events:detail-type"], source).toEqual([...PUBLISHED_DETAIL_TYPES[source]]);
    }
    // The agents that only detect cannot put what the dashboard shows as an alert.
    const detection = statements.filter((s) => s.Condition?.StringEquals?.["events:source"] === EVENT_SOURCES.detection);
    expect(detection.length).toBeGreaterThan(0);
    for (const statement of detection)
      expect(statement.Condition?.StringEquals?.["events:detail-type"]).not.toContain("SystemAlert");
  });

  it("routes dashboard events to the broadcaster with retries and a dead-letter queue", () => {
    Template.fromStack(stacks.realtime).hasResourceProperties("AWS::Events::Rule", {
      EventPattern: Match.objectLike({ "detail-type": Match.arrayWith(["TaskUpdated"]) }),
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 2 }, DeadLetterConfig: Match.anyValue() })],
    });
  });
});

describe("tasks table indexes", () => {
  it("list by status, by agent type and all, sorted by creation, last change and priority — never carrying a payload or result", () => {
    const table = Object.values(Template.fromStack(stacks.tasks).findResources("AWS::DynamoDB::GlobalTable")).find((t) =>
      JSON.stringify(t).includes('"by-status"'),
    );
    const indexes = (
      table?.Properties as {
        GlobalSecondaryIndexes: { IndexName: string; Projection: { ProjectionType: string; NonKeyAttributes?: string[] } }[];
      }
    ).GlobalSecondaryIndexes;
    expect(indexes.map((i) => i.IndexName).sort()).toEqual([
      "by-agent-type",
      "by-priority",
      "by-status",
      "queued",
      "recent",
      "recent-updated",
    ]);
    for (const index of indexes) {
      expect(index.Projection.ProjectionType, index.IndexName).not.toBe("ALL");
      expect(index.Projection.NonKeyAttributes ?? [], index.IndexName).not.toContain("payload");
      expect(index.Projection.NonKeyAttributes ?? [], index.IndexName).not.toContain("result");
    }
  });
});

describe("agent fleet", () => {
  const fleet = () => Template.fromStack(stacks.agents);
  const policyOf = (roleLogicalIdPrefix: string) =>
    JSON.stringify(
      Object.entries(fleet().findResources("AWS::IAM::Policy") as Resources)
        .filter(([id]) => id.startsWith(roleLogicalIdPrefix))
        .map(([, policy]) => policy.Properties),
    );

  it("runs one Fargate service per agent type, at its minimum, behind the deployment circuit breaker", () => {
    const services = all("AWS::ECS::Service");
    expect(services).toHaveLength(AGENT_TYPES.length);
    for (const type of AGENT_TYPES) {
      fleet().hasResourceProperties("AWS::ECS::Service", {
        ServiceName: `tge-swarm-dev-${type}`,
        LaunchType: "FARGATE",
        DesiredCount: AGENT_TYPE_SPECS[type].minAgents,
        DeploymentConfiguration: Match.objectLike({ DeploymentCircuitBreaker: { Enable: true, Rollback: true } }),
        NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: "ENABLED" }) },
      });
    }
  });

  it("sizes each task from the agent type's spec, arm64, with logs and a stop timeout", () => {
    for (const type of AGENT_TYPES) {
      fleet().hasResourceProperties("AWS::ECS::TaskDefinition", {
        Family: `tge-swarm-dev-${type}`,
        Cpu: String(AGENT_TYPE_SPECS[type].cpuUnits),
        Memory: String(AGENT_TYPE_SPECS[type].memoryMiB),
        RuntimePlatform: { CpuArchitecture: "ARM64", OperatingSystemFamily: "LINUX" },
        ContainerDefinitions: [
          Match.objectLike({
            Name: "agent",
            StopTimeout: 30,
            ReadonlyRootFilesystem: true,
            LogConfiguration: Match.objectLike({ LogDriver: "awslogs" }),
            Environment: Match.arrayWith([{ Name: "AGENT_TYPE", Value: type }]),
          }),
        ],
      });
    }
  });

  it("turns Container Insights on and lets nothing in to the agents", () => {
    fleet().hasResourceProperties("AWS::ECS::Cluster", {
      ClusterSettings: [{ Name: "containerInsights", Value: "enabled" }],
    });
    for (const [id, props] of all("AWS::EC2::SecurityGroup")) {
      expect(props.SecurityGroupIngress, id).toBeUndefined();
    }
    expect(all("AWS::EC2::FlowLog")).toHaveLength(1);
  });

  it("gives each agent type's task role only its own queues", () => {
    for (const type of AGENT_TYPES) {
      const prefix = `${type.replace(/-/g, "")}agentsTaskTaskRoleDefaultPolicy`;
      const policy = policyOf(prefix);
      expect(policy, type).toContain("sqs:ReceiveMessage");
      expect(policy, type).toContain(`${type.replace(/-/g, "")}queues`);
      for (const other of AGENT_TYPES.filter((t) => t !== type)) {
        // Queue references name the producing construct, which carries the type in its id.
        expect(policy, `${type} may read ${other}'s queues`).not.toContain(`${other.replace(/-/g, "")}queues`);
      }
    }
  });

  it("lets only data-quality and the reviewers publish to the bus, and only data-quality write detections", () => {
    const publishers = AGENT_TYPES.filter((type) =>
      policyOf(`${type.replace(/-/g, "")}agentsTaskTaskRoleDefaultPolicy`).includes("events:PutEvents"),
    );
    expect(publishers.sort()).toEqual(["api-reliability", "data-quality", "performance-optimizer"]);
    const detectionWriters = AGENT_TYPES.filter((type) =>
      /Detections[A-Za-z0-9]*Table/.test(policyOf(`${type.replace(/-/g, "")}agentsTaskTaskRoleDefaultPolicy`)),
    );
    expect(detectionWriters).toEqual(["data-quality"]);
  });

  it("runs the health monitor and the scaler every minute, and hears ECS when a task of its cluster stops", () => {
    const rules = fleet().findResources("AWS::Events::Rule") as Resources;
    const schedules = Object.values(rules).filter((rule) => rule.Properties?.ScheduleExpression === "rate(1 minute)");
    expect(schedules.map((rule) => rule.Properties?.State)).toEqual(["ENABLED", "ENABLED"]);
    fleet().hasResourceProperties("AWS::Events::Rule", {
      EventPattern: {
        source: ["aws.ecs"],
        "detail-type": ["ECS Task State Change"],
        detail: { clusterArn: [Match.anyValue()], lastStatus: ["STOPPED"] },
      },
    });
  });

  it("keeps the schedules defined but off when the stage turns automation off", () => {
    const { stacks: off } = synthesize("local", { env: { TGE_AUTO_SCALING: "false", TGE_AUTO_RECOVERY: "false" } });
    const rules = Template.fromStack(off.agents).findResources("AWS::Events::Rule") as Resources;
    const schedules = Object.values(rules).filter((rule) => rule.Properties?.ScheduleExpression === "rate(1 minute)");
    expect(schedules.map((rule) => rule.Properties?.State)).toEqual(["DISABLED", "DISABLED"]);
  });

  it("gives every submitter the stage's scheduling strategy: the task API, each agent type, the review schedule", () => {
    const { stacks: rr } = synthesize("dev", { env: { TGE_SCHEDULING_STRATEGY: "round_robin" } });
    const strategies = (stack: Stack) =>
      [
        ...Object.values(Template.fromStack(stack).findResources("AWS::Lambda::Function") as Resources).map(
          (f) => (f.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables,
        ),
        ...Object.values(Template.fromStack(stack).findResources("AWS::ECS::TaskDefinition") as Resources).map((d) =>
          Object.fromEntries(
            (
              (d.Properties?.ContainerDefinitions as { Environment?: { Name: string; Value: unknown }[] }[])[0]?.Environment ?? []
            ).map((v) => [v.Name, v.Value]),
          ),
        ),
      ].flatMap((variables) => (variables?.SCHEDULING_STRATEGY === undefined ? [] : [variables.SCHEDULING_STRATEGY]));

    expect(strategies(rr.tasks)).toEqual(["round_robin", "round_robin"]);
    expect(strategies(rr.agents)).toEqual(AGENT_TYPES.map(() => "round_robin"));
    expect(strategies(rr.optimization)).toEqual(["round_robin"]);
  });

  it("builds the agent image from containers/agent/Dockerfile on AWS, and needs no image build locally", () => {
    const images = (stage: SwarmStacks) =>
      Object.values(Template.fromStack(stage.agents).findResources("AWS::ECS::TaskDefinition") as Resources).map((definition) =>
        JSON.stringify((definition.Properties?.ContainerDefinitions as { Image: unknown }[])[0]?.Image),
      );
    for (const image of images(stacks)) expect(image).toContain("cdk-hnb659fds-container-assets");
    expect(new Set(images(synthesize("local").stacks))).toEqual(new Set([`"${LOCAL_AGENT_IMAGE}"`]));
  });
});

describe("functions", () => {
  it("every function's environment fits Lambda's 4 KB on AWS (estimating what each reference resolves to)", () => {
    // The emulator does not enforce the limit, so only this test stands between a variable too many and a failed deploy.
    const queueUrlsJson = JSON.stringify(
      Object.fromEntries(AGENT_TYPES.map((t) => [t, Object.fromEntries(PRIORITIES.map((p) => [p, "x".repeat(120)]))])),
    );
    const functions = all("AWS::Lambda::Function");
    expect(functions.length).toBeGreaterThan(20);
    for (const [id, props] of functions) {
      const variables = (props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      const size = Object.entries(variables)
        .map(([name, value]) => {
          if (typeof value === "string") return name.length + value.length;
          // A reference: a queue URL map is twenty ~120-character URLs; anything else (a URL, an ARN, a name) at most 200.
          return name.length + (name.endsWith("QUEUE_URLS") ? queueUrlsJson.length : 200);
        })
        .reduce((a, b) => a + b, 0);
      expect(size, id).toBeLessThan(4 * 1024);
    }
  });
});
