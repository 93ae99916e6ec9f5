import { Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import * as iam from "aws-cdk-lib/aws-iam";
import type { Construct } from "constructs";
import { beforeAll, describe, expect, it } from "vitest";
import type { SwarmStacks } from "../../lib/swarm-app";
import { actionsOf, type Statement, statementsOf } from "./support/policies";
import { synthesize } from "./support/synth";

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

let local: SwarmStacks;
let prod: SwarmStacks;
let template: Template;
beforeAll(() => {
  local = synthesize("local").stacks;
  prod = synthesize("prod").stacks;
  template = Template.fromStack(local.files);
});

const filesBucketId = () =>
  Object.entries(template.findResources("AWS::S3::Bucket") as Resources).find(
    ([, r]) => (r.Properties?.VersioningConfiguration as { Status?: string } | undefined)?.Status === "Enabled",
  )?.[0] as string;

describe("the files bucket", () => {
  it("is versioned, encrypted, private, TLS only, logged, and cleans abandoned uploads", () => {
    template.hasResourceProperties("AWS::S3::Bucket", {
      VersioningConfiguration: { Status: "Enabled" },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: "files/" }),
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } })]),
      },
      // EventBridge notifications through the L1 property, never the custom resource the emulator cannot answer.
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
    });
    expect(template.findResources("Custom::S3BucketNotifications")).toEqual({});
    template.hasResourceProperties("AWS::S3::BucketPolicy", {
      Bucket: { Ref: filesBucketId() },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ]),
      },
    });
  });

  it("sends objects created under files/ in this bucket to validation, with retries and a failure queue", () => {
    template.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: {
        source: ["aws.s3"],
        "detail-type": ["Object Created"],
        detail: { bucket: { name: [{ Ref: filesBucketId() }] }, object: { key: [{ prefix: "files/" }] } },
      },
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 2 }, DeadLetterConfig: Match.anyValue() })],
    });
  });
});

describe("the files table", () => {
  it("is encrypted with point-in-time recovery and lists through two indexes (never a scan)", () => {
    template.hasResourceProperties("AWS::DynamoDB::GlobalTable", {
      SSESpecification: { SSEEnabled: true },
      Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
      GlobalSecondaryIndexes: Match.arrayWith([
        Match.objectLike({ IndexName: "by-time" }),
        Match.objectLike({ IndexName: "by-type" }),
      ]),
    });
    const reads = JSON.stringify(statementsOf(local.files, "ListFiles"));
    expect(reads).not.toContain("dynamodb:Scan");
  });
});

describe("grants are scoped", () => {
  it("lets the upload signer put objects under files/ and nothing else of the bucket", () => {
    const s3 = statementsOf(local.files, "RequestUploads").filter((s) => JSON.stringify(s.Action).includes("s3:"));
    expect(actionsOf(s3)).toEqual(["s3:PutObject"]);
    expect(JSON.stringify(s3[0]?.Resource)).toContain("/files/*");
  });

  it("lets validation read, tag and list only under files/", () => {
    const s3 = statementsOf(local.files, "ValidateUpload").filter((s) => JSON.stringify(s.Action).includes("s3:"));
    const list = s3.find((s) => [s.Action].flat().includes("s3:ListBucket"));
    expect(list?.Condition).toEqual({ StringLike: { "s3:prefix": ["files/*"] } });
    for (const statement of s3.filter((s) => s !== list)) expect(JSON.stringify(statement.Resource)).toContain("/files/*");
  });

  it("lets no reading route write, and no route delete", () => {
    for (const prefix of ["ListFiles", "GetFile", "GetFileStatistics", "DownloadFile"]) {
      const statements = statementsOf(local.files, prefix);
      // The rate-limits table (every route's budget) is not ours: only statements on the files table count.
      const onFiles = statements.filter((s) => JSON.stringify(s.Resource).includes("FilesTable"));
      expect(
        actionsOf(onFiles).filter((a) => /Put|Update|Delete/.test(a)),
        prefix,
      ).toEqual([]);
      const actions = actionsOf(statements);
      expect(
        actions.filter((a) => a.startsWith("s3:Put") || a.startsWith("s3:Delete")),
        prefix,
      ).toEqual([]);
    }
  });

  it("grants another stack's function valid datasets only: by prefix and by validation's tag", () => {
    // GIVEN a function's role in another stack, WHEN it is granted valid datasets
    let reader: Stack | undefined;
    const { violations } = synthesize("dev", {
      extend: (stacks) => {
        reader = new Stack(stacks.files.node.root as Construct, "ReaderStack", {
          env: { account: stacks.files.account, region: stacks.files.region },
        });
        const role = new iam.Role(reader, "Reader", { assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com") });
        stacks.files.grantReadValidDatasets(role);
      },
    });
    // THEN it may read the records, and dataset objects only while tagged valid
    const policies = Template.fromStack(reader as Stack).findResources("AWS::IAM::Policy") as Resources;
    const all = Object.values(policies).flatMap((p) => (p.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
    const s3 = all.find((s) => [s.Action].flat().includes("s3:GetObject"));
    expect(s3?.Condition).toEqual({ StringEquals: { "s3:ExistingObjectTag/tge-swarm:validation": "valid" } });
    expect(JSON.stringify(s3?.Resource)).toContain("/files/dataset/*");
    expect(actionsOf(all)).toEqual(["dynamodb:GetItem", "s3:GetObject", "s3:GetObjectVersion"]);
    // The grant's own acknowledgement covers the one pattern it names: cdk-nag finds nothing left.
    expect(violations).toEqual([]);
  });
});

describe("malware scanning", () => {
  it("is defined for prod only: a GuardDuty Malware Protection plan on files/, tagging its verdicts, whose results revalidate", () => {
    const prodFiles = Template.fromStack(prod.files);
    prodFiles.hasResourceProperties("AWS::GuardDuty::MalwareProtectionPlan", {
      ProtectedResource: { S3Bucket: { ObjectPrefixes: ["files/"] } },
      Actions: { Tagging: { Status: "ENABLED" } },
    });
    prodFiles.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: Match.objectLike({ source: ["aws.guardduty"] }),
    });
    prodFiles.hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: Match.objectLike({ MALWARE_SCAN: "guardduty" }) },
    });
    // The control: the local stage has neither the plan nor the scan wait.
    expect(template.findResources("AWS::GuardDuty::MalwareProtectionPlan")).toEqual({});
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: Match.objectLike({ MALWARE_SCAN: "none" }) },
    });
  });
});
