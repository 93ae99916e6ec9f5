import { Match, Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { JOB_ROUTES } from "#jobs/published/routes";
import { synthesize } from "../support/synth";

describe("the jobs stack", () => {
  let template: Template;
  beforeAll(() => {
    template = Template.fromStack(synthesize("dev", { env: { TGE_MAX_CONCURRENT_JOBS: "4" } }).stacks.jobs);
  });

  it("keeps jobs in an encrypted table whose stream is the outbox, with an index per list", () => {
    template.hasResourceProperties("AWS::DynamoDB::GlobalTable", {
      StreamSpecification: { StreamViewType: "NEW_AND_OLD_IMAGES" },
      SSESpecification: Match.objectLike({ SSEEnabled: true }),
      GlobalSecondaryIndexes: Match.arrayWith(
        ["by-time", "by-status", "by-type"].map((name) => Match.objectLike({ IndexName: name })),
      ),
    });
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      StartingPosition: "TRIM_HORIZON",
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
  });

  it("writes artifacts to a versioned, encrypted, TLS-only bucket", () => {
    template.hasResourceProperties("AWS::S3::Bucket", {
      VersioningConfiguration: { Status: "Enabled" },
      BucketEncryption: Match.objectLike({ ServerSideEncryptionConfiguration: Match.anyValue() }),
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: "artifacts/" }),
    });
  });

  it("runs each job as a Fargate task whose container is told the table, the bucket and the heartbeat", () => {
    template.hasResourceProperties("AWS::ECS::TaskDefinition", {
      Family: "tge-swarm-dev-job",
      RequiresCompatibilities: ["FARGATE"],
      ContainerDefinitions: [
        Match.objectLike({
          Name: "job",
          ReadonlyRootFilesystem: true,
          Environment: Match.arrayWith([
            Match.objectLike({ Name: "JOBS_TABLE" }),
            Match.objectLike({ Name: "ARTIFACTS_BUCKET" }),
            Match.objectLike({ Name: "JOB_HEARTBEAT_SECONDS", Value: "30" }),
            // scorer-training starts from the detection-keywords version agents run on.
            Match.objectLike({ Name: "SETTINGS_BUCKET" }),
          ]),
        }),
      ],
    });
  });

  it("lets the job task read the detection-keywords document and no other settings", () => {
    const policies = Object.values(template.findResources("AWS::IAM::Policy")).map((p) => JSON.stringify(p));
    const reads = policies.filter((p) => p.includes("detection-keywords"));
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatch(/JobTaskTaskRole/);
    expect(policies.filter((p) => /runtime-settings|review-thresholds/.test(p))).toEqual([]);
  });

  it("lets only the dispatchers start job tasks, in the jobs cluster, with the job family", () => {
    const policies = template.findResources("AWS::IAM::Policy");
    const runTask = Object.entries(policies).filter(([, p]) => JSON.stringify(p).includes('"ecs:RunTask"'));
    expect(runTask.map(([id]) => id).sort()).toEqual([
      expect.stringMatching(/^RelayJobChanges/),
      expect.stringMatching(/^SweepJobs/),
    ]);
    for (const [, policy] of runTask) {
      expect(JSON.stringify(policy)).toMatch(/"ecs:cluster"/);
      expect(JSON.stringify(policy)).toMatch(/task-definition\/tge-swarm-dev-job:\*/);
      expect(JSON.stringify(policy)).toMatch(/"iam:PassedToService":"ecs-tasks.amazonaws.com"/);
    }
  });

  it("gives the dispatchers the stage's slot count", () => {
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: Match.objectLike({ MAX_CONCURRENT_JOBS: "4" }) },
    });
  });

  it("checks for dead jobs every minute and on every job task's stop, keeping failed deliveries", () => {
    template.hasResourceProperties("AWS::Events::Rule", { ScheduleExpression: "rate(1 minute)", State: "ENABLED" });
    template.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: Match.objectLike({ source: ["aws.ecs"], "detail-type": ["ECS Task State Change"] }),
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.anyValue() })],
    });
  });

  it("has one function per route of the route table", () => {
    for (const route of Object.values(JOB_ROUTES)) {
      template.hasResourceProperties("AWS::Lambda::Function", {
        Description: Match.stringLikeRegexp(`^${route.method} ${route.path.replace(/[{}]/g, ".")}:`),
      });
    }
  });
});
