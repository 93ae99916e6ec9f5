import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { buildDashboardForDeploy } from "../../web/build";
import { loadStageConfig } from "../../lib/config/stage-config";
import { buildSwarm, type SwarmStacks } from "../../lib/swarm-app";
import { WebStack } from "../../lib/stacks/web-stack";
import { synthesize } from "./support/synth";

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;
let stacks: SwarmStacks;
let web: WebStack;
let template: Template;

beforeAll(() => {
  stacks = synthesize("dev").stacks;
  if (!stacks.web) throw new Error("the dev stage has no web stack");
  web = stacks.web;
  template = Template.fromStack(web);
});

describe("web stack: the dashboard page on S3 and CloudFront", () => {
  it("keeps the site bucket private: every public access block on, encrypted, TLS only, access logs on", () => {
    template.hasResourceProperties("AWS::S3::Bucket", {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }] },
      LoggingConfiguration: { DestinationBucketName: { Ref: web.getLogicalId(web.logsBucket.node.defaultChild as never) } },
      OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] },
    });
    // No website hosting, and no bucket that could be public.
    for (const [id, bucket] of Object.entries(template.findResources("AWS::S3::Bucket") as Resources)) {
      expect(bucket.Properties?.WebsiteConfiguration, id).toBeUndefined();
      expect(bucket.Properties?.PublicAccessBlockConfiguration, id).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
  });

  it("lets only this distribution read the site bucket (Origin Access Control), and nobody without TLS", () => {
    const policy = template.findResources("AWS::S3::BucketPolicy", {
      Properties: { Bucket: { Ref: web.getLogicalId(web.siteBucket.node.defaultChild as never) } },
    }) as Resources;
    const statements = Object.values(policy).flatMap(
      (p) => (p.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
    );
    const allows = statements.filter((s) => s.Effect === "Allow");
    expect(allows).toEqual([
      expect.objectContaining({
        Principal: { Service: "cloudfront.amazonaws.com" },
        Action: "s3:GetObject",
        Condition: { StringEquals: { "AWS:SourceArn": expect.anything() } },
      }),
    ]);
    expect(JSON.stringify(allows[0]?.Condition)).toContain(web.getLogicalId(web.distribution.node.defaultChild as never));
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
    );
    template.hasResourceProperties("AWS::CloudFront::OriginAccessControl", {
      OriginAccessControlConfig: { OriginAccessControlOriginType: "s3", SigningBehavior: "always", SigningProtocol: "sigv4" },
    });
    template.resourceCountIs("AWS::CloudFront::CloudFrontOriginAccessIdentity", 0);
  });

  it("serves index.html over HTTPS only, from the OAC-signed S3 origin, with access logs", () => {
    template.hasResourceProperties("AWS::CloudFront::Distribution", {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: "index.html",
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: "redirect-to-https", AllowedMethods: ["GET", "HEAD"] }),
        Origins: [Match.objectLike({ OriginAccessControlId: Match.anyValue(), S3OriginConfig: { OriginAccessIdentity: "" } })],
        Logging: Match.objectLike({ Bucket: Match.anyValue() }),
      }),
    });
    const [distribution] = Object.values(template.findResources("AWS::CloudFront::Distribution") as Resources);
    const behaviors = (distribution?.Properties?.DistributionConfig as { CacheBehaviors?: { ViewerProtocolPolicy: string }[] })
      .CacheBehaviors;
    for (const behavior of behaviors ?? []) expect(behavior.ViewerProtocolPolicy).not.toBe("allow-all");
  });

  it("deploys the built page and a config.json naming this stage's API, WebSocket, user pool, app client and Cognito", () => {
    template.hasResourceProperties("Custom::CDKBucketDeployment", {
      DestinationBucketName: { Ref: web.getLogicalId(web.siteBucket.node.defaultChild as never) },
      Prune: true,
      DistributionPaths: ["/*"],
    });
    expect(web.resolve(web.pageConfig)).toEqual({
      httpApiUrl: { "Fn::ImportValue": expect.stringMatching(/^tge-swarm-dev-platform:.*ApiEndpoint/) },
      webSocketUrl: expect.anything(),
      userPoolId: { "Fn::ImportValue": expect.stringMatching(/^tge-swarm-dev-auth:.*Users/) },
      userPoolClientId: { "Fn::ImportValue": expect.stringMatching(/^tge-swarm-dev-auth:.*WebClient/) },
      cognitoEndpoint: "https://cognito-idp.us-east-1.amazonaws.com/",
      region: "us-east-1",
    });
    expect(JSON.stringify(web.resolve(web.pageConfig.webSocketUrl))).toMatch(/wss:\/\/.*tge-swarm-dev-realtime:/);
    // The page itself is built at synth time, from the sources, into the folder the deployment ships.
    const site = buildDashboardForDeploy();
    expect(readdirSync(site).sort()).toEqual(["docs", "docs.js", "index.html", "main.css", "main.js"]);
    expect(readdirSync(path.join(site, "docs")).sort()).toEqual(["index.html", "swagger-ui-bundle.js", "swagger-ui.css"]);
    expect(readFileSync(path.join(site, "index.html"), "utf8")).toContain('<script type="module" src="main.js">');
  });

  it("serves the API reference at /docs: a viewer-request function maps the folder to its index page", () => {
    const [fn] = Object.values(template.findResources("AWS::CloudFront::Function") as Resources);
    const code = String((fn?.Properties as { FunctionCode: string }).FunctionCode);
    // Run the function's code as CloudFront would, on the URIs it must and must not rewrite.
    const handler = new Function(`${code}; return handler;`)() as (e: { request: { uri: string } }) => { uri: string };
    expect(["/docs", "/docs/", "/docs/swagger-ui.css", "/", "/main.js"].map((uri) => handler({ request: { uri } }).uri)).toEqual([
      "/docs/index.html",
      "/docs/index.html",
      "/docs/swagger-ui.css",
      "/",
      "/main.js",
    ]);
    template.hasResourceProperties("AWS::CloudFront::Distribution", {
      DistributionConfig: Match.objectLike({
        DefaultCacheBehavior: Match.objectLike({
          FunctionAssociations: [Match.objectLike({ EventType: "viewer-request" })],
        }),
      }),
    });
  });

  it("outputs the dashboard's URL", () => {
    template.hasOutput("DashboardUrl", {
      Value: {
        "Fn::Join": [
          "",
          ["https://", { "Fn::GetAtt": [web.getLogicalId(web.distribution.node.defaultChild as never), "DomainName"] }, "/"],
        ],
      },
    });
  });

  it("is not part of the local stage, which serves the page from scripts/local/web-server.ts", () => {
    // Building the tree is enough to tell; no need to synthesize it.
    const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
    const local = buildSwarm(app, loadStageConfig("local", {}));
    expect(local.web).toBeUndefined();
    expect(app.node.findAll().filter((c) => c instanceof WebStack)).toEqual([]);
    expect(app.node.tryFindChild("tge-swarm-local-web")).toBeUndefined();
  });
});

describe("web stack in prod: AWS WAF in front of the page and the HTTP API", () => {
  let prod: WebStack;
  let prodTemplate: Template;
  beforeAll(() => {
    const built = synthesize("prod").stacks.web;
    if (!built) throw new Error("the prod stage has no web stack");
    prod = built;
    prodTemplate = Template.fromStack(prod);
  });

  it("has no web ACL in dev, whose wafRateLimit is 0 (so the checks below can fail)", () => {
    template.resourceCountIs("AWS::WAFv2::WebACL", 0);
    expect(web.webAcl).toBeUndefined();
    const [distribution] = Object.values(template.findResources("AWS::CloudFront::Distribution") as Resources);
    expect((distribution?.Properties?.DistributionConfig as { WebACLId?: unknown }).WebACLId).toBeUndefined();
  });

  it("blocks a client address past prod's wafRateLimit in 5 minutes with 429 and Retry-After, then AWS's managed rules", () => {
    prodTemplate.resourceCountIs("AWS::WAFv2::WebACL", 1);
    prodTemplate.hasResourceProperties("AWS::WAFv2::WebACL", {
      Scope: "CLOUDFRONT",
      DefaultAction: { Allow: {} },
      Rules: [
        Match.objectLike({
          Priority: 0,
          Statement: { RateBasedStatement: { Limit: 2_000, AggregateKeyType: "IP", EvaluationWindowSec: 300 } },
          Action: {
            Block: {
              CustomResponse: Match.objectLike({
                ResponseCode: 429,
                ResponseHeaders: [{ Name: "Retry-After", Value: "300" }],
              }),
            },
          },
        }),
        Match.objectLike({
          Statement: { ManagedRuleGroupStatement: { VendorName: "AWS", Name: "AWSManagedRulesKnownBadInputsRuleSet" } },
          OverrideAction: { None: {} },
        }),
        Match.objectLike({
          Statement: { ManagedRuleGroupStatement: { VendorName: "AWS", Name: "AWSManagedRulesAmazonIpReputationList" } },
          OverrideAction: { None: {} },
        }),
      ],
      VisibilityConfig: Match.objectLike({ CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true }),
    });
  });

  it("attaches the web ACL and carries /api/* to the HTTP API uncached, with the caller's token, over HTTPS only", () => {
    const [distribution] = Object.values(prodTemplate.findResources("AWS::CloudFront::Distribution") as Resources);
    const config = distribution?.Properties?.DistributionConfig as {
      WebACLId: unknown;
      CacheBehaviors: Record<string, unknown>[];
      Origins: { Id: string; DomainName: unknown; CustomOriginConfig?: { OriginProtocolPolicy: string } }[];
    };
    expect(config.WebACLId).toEqual({ "Fn::GetAtt": [prod.getLogicalId(prod.webAcl as never), "Arn"] });
    expect(config.CacheBehaviors).toEqual([
      expect.objectContaining({
        PathPattern: "/api/*",
        ViewerProtocolPolicy: "https-only",
        AllowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"],
        // AWS's managed CachingDisabled and AllViewerExceptHostHeader policies.
        CachePolicyId: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
        OriginRequestPolicyId: "b689b0a8-53d0-40ab-baf2-68738e2966ac",
      }),
    ]);
    const apiOrigin = config.Origins.find((origin) => origin.Id === config.CacheBehaviors[0]?.TargetOriginId);
    expect(apiOrigin?.CustomOriginConfig?.OriginProtocolPolicy).toBe("https-only");
    expect(JSON.stringify(apiOrigin?.DomainName)).toMatch(/tge-swarm-prod-platform:.*ApiEndpoint/);
  });

  it("points the page at the API through the distribution, so no call of its own bypasses the web ACL", () => {
    expect(prod.resolve(prod.pageConfig.httpApiUrl)).toEqual({
      "Fn::Join": [
        "",
        ["https://", { "Fn::GetAtt": [prod.getLogicalId(prod.distribution.node.defaultChild as never), "DomainName"] }],
      ],
    });
  });

  it("refuses a web ACL outside us-east-1, where CloudFront takes them from, naming the key", () => {
    expect(() => loadStageConfig("prod", { TGE_REGION: "eu-west-1" })).toThrow(
      /wafRateLimit \(TGE_WAF_RATE_LIMIT\): needs region us-east-1/,
    );
    expect(loadStageConfig("prod", { TGE_REGION: "eu-west-1", TGE_WAF_RATE_LIMIT: "0" }).wafRateLimit).toBe(0);
    expect(() => loadStageConfig("prod", { TGE_WAF_RATE_LIMIT: "5" })).toThrow(/TGE_WAF_RATE_LIMIT/);
  });
});
