import { Match, Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import type { SwarmStacks } from "../../../lib/swarm-app";
import { synthesize } from "../support/synth";

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

let stacks: SwarmStacks;
let models: Template;
let optimization: Template;

beforeAll(() => {
  ({ stacks } = synthesize("dev"));
  models = Template.fromStack(stacks.models);
  optimization = Template.fromStack(stacks.optimization);
});

/** The statements of the policy of the function whose logical id starts with `prefix`. */
function statementsOf(template: Template, prefix: string): Statement[] {
  const resources = template.toJSON().Resources as Resources;
  const fn = Object.entries(resources).find(([id, r]) => r.Type === "AWS::Lambda::Function" && id.startsWith(prefix));
  if (!fn) throw new Error(`no function ${prefix}`);
  const role = (fn[1].Properties?.Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
  return Object.values(resources)
    .filter((r) => r.Type === "AWS::IAM::Policy" && JSON.stringify(r.Properties?.Roles).includes(role))
    .flatMap((r) => (r.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}
const actionsOf = (statements: Statement[]) =>
  statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort();

describe("the models stack", () => {
  it("keeps artifacts in a versioned, encrypted, TLS-only bucket with access logs, and versions in an encrypted table", () => {
    models.hasResourceProperties("AWS::S3::Bucket", {
      VersioningConfiguration: { Status: "Enabled" },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }] },
      PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true, RestrictPublicBuckets: true }),
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: "models/" }),
    });
    models.hasResourceProperties("AWS::S3::BucketPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ]),
      },
    });
    models.hasResourceProperties("AWS::DynamoDB::GlobalTable", {
      SSESpecification: { SSEEnabled: true },
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
    });
  });

  it("registers only succeeded scorer-training jobs, and follows optimization outcomes, each through a guarded target", () => {
    models.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: {
        source: ["tge-swarm.jobs"],
        "detail-type": ["JobFinished"],
        detail: { jobType: ["scorer-training"], status: ["succeeded"] },
      },
      Targets: [
        Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }) }),
      ],
    });
    models.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: { source: ["tge-swarm.optimization"], "detail-type": ["OptimizationCompleted"] },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue() })],
    });
    optimization.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: { source: ["tge-swarm.models"], "detail-type": ["SettingsChangeProposed"] },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue() })],
    });
  });

  it("grants each function what it touches: reads read, the export signs for object versions only, promotion reads one document", () => {
    // Reads only read the models table (the rate-limits table every route writes is another table).
    for (const read of ["ListModels", "ListModelVersions", "GetModelVersion", "ExportModelVersion"]) {
      const onModels = statementsOf(models, read).filter((st) => JSON.stringify(st.Resource).includes("ModelsTable"));
      expect(actionsOf(onModels)).toEqual(["dynamodb:GetItem", "dynamodb:Query"]);
    }
    const exporter = statementsOf(models, "ExportModelVersion");
    expect(actionsOf(exporter).filter((a) => a.startsWith("s3:"))).toEqual(["s3:GetObject", "s3:GetObjectVersion"]);
    expect(actionsOf(exporter)).not.toContain("s3:PutObject");
    const register = actionsOf(statementsOf(models, "RegisterModelVersion"));
    expect(register).toContain("s3:PutObject");
    expect(register).not.toContain("s3:DeleteObject");
    expect(register).not.toContain("dynamodb:DeleteItem");
    const promote = statementsOf(models, "PromoteModelVersion");
    expect(actionsOf(promote)).toContain("events:PutEvents");
    expect(actionsOf(promote)).not.toContain("s3:PutObject");
    // The settings grant names the detection-keywords document's object, not the bucket.
    expect(JSON.stringify(promote)).toContain("settings/detection-keywords.json");
  });

  it("serves its five routes", () => {
    const routes = Object.values(Template.fromStack(stacks.models).findResources("AWS::ApiGatewayV2::Route")).map(
      (r) => (r.Properties as { RouteKey: string }).RouteKey,
    );
    expect(routes.filter((key) => !key.includes("/api/v1/")).sort()).toEqual([
      "GET /api/models",
      "GET /api/models/{name}/versions",
      "GET /api/models/{name}/versions/{version}",
      "GET /api/models/{name}/versions/{version}/export",
      "POST /api/models/{name}/versions/{version}/promote",
    ]);
  });
});
