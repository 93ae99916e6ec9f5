import { CfnOutput, DefaultStackSynthesizer, Duration, Fn, RemovalPolicy, Stack, Token, Validations } from "aws-cdk-lib";
import * as cloudfront from "aws-cdk-lib/aws-cloudfront";
import * as origins from "aws-cdk-lib/aws-cloudfront-origins";
import * as logs from "aws-cdk-lib/aws-logs";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as s3deploy from "aws-cdk-lib/aws-s3-deployment";
import * as wafv2 from "aws-cdk-lib/aws-wafv2";
import type { Construct } from "constructs";
import { buildDashboardForDeploy } from "../../web/build";
import type { DashboardConfig } from "../../web/src/config";
import type { SwarmStackProps } from "./swarm-stack-props";

/** The window `wafRateLimit` counts requests in. */
const RATE_WINDOW_SECONDS = 300;

/**
 * `/api/*` passed through to the HTTP API uncached, with every viewer header but `Host` (API
 * Gateway routes by its own host name; `Authorization` goes through because nothing is cached).
 */
function httpApiBehavior(httpApiUrl: string): cloudfront.BehaviorOptions {
  // `https://<id>.execute-api.<region>.amazonaws.com` → its host name
  const host = Fn.select(2, Fn.split("/", httpApiUrl));
  return {
    origin: new origins.HttpOrigin(host, { protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY }),
    viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
    allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
    cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
    originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
  };
}

export interface WebStackProps extends SwarmStackProps {
  /** The HTTP API's base URL, e.g. `https://<id>.execute-api.<region>.amazonaws.com`. */
  readonly httpApiUrl: string;
  /** The WebSocket stage URL, e.g. `wss://<id>.execute-api.<region>.amazonaws.com/<stage>`. */
  readonly webSocketUrl: string;
  /** The Cognito user pool and app client the page signs users in with. */
  readonly userPoolId: string;
  readonly userPoolClientId: string;
}

/**
 * The dashboard page on AWS: a private, encrypted S3 bucket that only CloudFront may read
 * (Origin Access Control), served over HTTPS only, with the page built from `web/` at
 * synth time and its `config.json` written from this stage's API, WebSocket and app client.
 * Access logs of both the bucket and the distribution go to a logs bucket.
 *
 * With a `wafRateLimit` (prod), the distribution also carries the HTTP API at `/api/*` and an
 * AWS WAF web ACL guards both: a rate-based rule per client address and AWS's managed rules for
 * known bad inputs and addresses (ADR 0023). WAF attaches to CloudFront, not to HTTP APIs.
 */
export class WebStack extends Stack {
  readonly siteBucket: s3.Bucket;
  readonly logsBucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  /** `https://<id>.cloudfront.net/` */
  readonly dashboardUrl: string;
  /** What the page reads from `/config.json`. */
  readonly pageConfig: DashboardConfig;
  /** The web ACL in front of the distribution; absent when the stage's `wafRateLimit` is 0. */
  readonly webAcl?: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: WebStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.logsBucket = new s3.Bucket(this, "AccessLogs", {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // CloudFront standard logging writes with an ACL, so this bucket keeps ACLs on (only for its log writers).
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(config.retainData ? 365 : 30) }],
      // Logs are the record of who fetched what; they outlive the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.siteBucket = new s3.Bucket(this, "Site", {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logsBucket,
      serverAccessLogsPrefix: "s3/",
      // The page is rebuilt from the repo on every deploy; nothing in the bucket is worth keeping.
      removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    // `/docs` (the API reference) is a folder in the bucket; S3 origins serve no index for folders.
    const folderIndexes = new cloudfront.Function(this, "FolderIndexes", {
      comment: "Serves /docs and /docs/ from docs/index.html",
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(
        'function handler(event) { var r = event.request; if (r.uri === "/docs" || r.uri === "/docs/") r.uri = "/docs/index.html"; return r; }',
      ),
    });
    this.webAcl = config.wafRateLimit > 0 ? this.rateLimitedWebAcl(config.stage, config.wafRateLimit) : undefined;
    this.distribution = new cloudfront.Distribution(this, "Distribution", {
      comment: `TGE Swarm dashboard (${config.stage})`,
      defaultRootObject: "index.html",
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.siteBucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
        compress: true,
        functionAssociations: [{ function: folderIndexes, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      ...(this.webAcl
        ? { webAclId: this.webAcl.attrArn, additionalBehaviors: { "/api/*": httpApiBehavior(props.httpApiUrl) } }
        : {}),
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logsBucket,
      logFilePrefix: "cloudfront/",
    });
    this.dashboardUrl = `https://${this.distribution.distributionDomainName}/`;

    this.pageConfig = {
      // Behind the web ACL the page calls the API through its own origin, so WAF sees every call.
      httpApiUrl: this.webAcl ? `https://${this.distribution.distributionDomainName}` : props.httpApiUrl,
      webSocketUrl: props.webSocketUrl,
      userPoolId: props.userPoolId,
      userPoolClientId: props.userPoolClientId,
      cognitoEndpoint: `https://cognito-idp.${config.region}.amazonaws.com/`,
      region: config.region,
    };
    const deployment = new s3deploy.BucketDeployment(this, "Page", {
      destinationBucket: this.siteBucket,
      sources: [s3deploy.Source.asset(buildDashboardForDeploy()), s3deploy.Source.jsonData("config.json", this.pageConfig)],
      // File names are not content-hashed, so browsers revalidate, and a deploy invalidates CloudFront's copies.
      cacheControl: [s3deploy.CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: ["/*"],
      retainOnDelete: config.retainData,
      logGroup: new logs.LogGroup(this, "PageDeploymentLogs", {
        retention: config.logRetentionDays as logs.RetentionDays,
        removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      }),
    });

    new CfnOutput(this, "DashboardUrl", { value: this.dashboardUrl, description: "The live dashboard page" });

    Validations.of(this.logsBucket).acknowledge({
      id: "AwsSolutions-S1",
      reason: "This bucket receives the site bucket's and CloudFront's access logs; logging it to itself would loop.",
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: "AwsSolutions-CFR1",
        reason:
          "The page is public by nature (HTML, one script, one stylesheet, config.json) and operators sign in from anywhere; all data sits behind Cognito-authorized APIs.",
      },
      {
        id: "AwsSolutions-CFR4",
        reason:
          "The distribution uses the default *.cloudfront.net certificate, whose minimum protocol CloudFront fixes; a stage with its own domain and ACM certificate sets TLSv1.2_2021.",
      },
    );
    if (!this.webAcl)
      Validations.of(this.distribution).acknowledge({
        id: "AwsSolutions-CFR2",
        reason:
          "This stage sets wafRateLimit 0: the distribution serves only the static page with GET and HEAD, and the APIs that hold data answer on their own endpoints with JWT authorizers and per-user budgets.",
      });
    this.acknowledgeDeploymentHandler(deployment, config.region);
  }

  /**
   * A web ACL for CloudFront: blocks a client address past `limit` requests in 5 minutes with the
   * API's own 429 and a `Retry-After`, then AWS's managed rules for known bad inputs (Log4Shell
   * and the like) and for addresses AWS's threat intelligence reports. The common rule set is left
   * out: its 8 KB body limit would refuse task payloads the API accepts (up to `maxTaskPayloadBytes`).
   */
  private rateLimitedWebAcl(stage: string, limit: number): wafv2.CfnWebACL {
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      metricName: `tge-swarm-${stage}-${metricName}`,
      sampledRequestsEnabled: true,
    });
    const managed = (priority: number, name: string, metricName: string): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: "AWS", name } },
      visibilityConfig: visibility(metricName),
    });
    return new wafv2.CfnWebACL(this, "WebAcl", {
      scope: "CLOUDFRONT",
      description: `TGE Swarm ${stage}: per-address rate limit and AWS managed rules in front of the page and the HTTP API`,
      defaultAction: { allow: {} },
      customResponseBodies: {
        TooManyRequests: {
          contentType: "APPLICATION_JSON",
          content: JSON.stringify({
            error: { code: "TooManyRequests", message: "Too many requests from this address; retry later." },
          }),
        },
      },
      rules: [
        {
          name: "RequestsPerAddress",
          priority: 0,
          action: {
            block: {
              customResponse: {
                responseCode: 429,
                customResponseBodyKey: "TooManyRequests",
                responseHeaders: [{ name: "Retry-After", value: String(RATE_WINDOW_SECONDS) }],
              },
            },
          },
          statement: { rateBasedStatement: { limit, aggregateKeyType: "IP", evaluationWindowSec: RATE_WINDOW_SECONDS } },
          visibilityConfig: visibility("requests-per-address"),
        },
        managed(1, "AWSManagedRulesKnownBadInputsRuleSet", "known-bad-inputs"),
        managed(2, "AWSManagedRulesAmazonIpReputationList", "ip-reputation"),
      ],
      visibilityConfig: visibility("web"),
    });
  }

  /**
   * The findings on CDK's own BucketDeployment handler, a Lambda function that runs only while
   * CloudFormation deploys this stack: it copies the page from the CDK assets bucket into the
   * site bucket and invalidates the distribution. Its policy and runtime are CDK's to set.
   */
  private acknowledgeDeploymentHandler(deployment: s3deploy.BucketDeployment, region: string): void {
    const handler = deployment.handlerRole.node.scope;
    if (!handler) throw new Error("BucketDeployment's handler role has no parent function");
    const account = Token.isUnresolved(this.account) ? "<AWS::AccountId>" : this.account;
    const qualifier = String(
      this.node.tryGetContext("@aws-cdk/core:bootstrapQualifier") ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER,
    );
    const assets = `arn:<AWS::Partition>:s3:::cdk-${qualifier}-assets-${account}-${region}/*`;
    const site = `<${this.getLogicalId(this.siteBucket.node.defaultChild as s3.CfnBucket)}.Arn>/*`;
    const readAssets = "It reads the page's zip from the CDK assets bucket; CDK grants read on that bucket's objects only.";
    const writeSite =
      "It syncs the page into the site bucket, deleting files a new build no longer has; the grant covers that one bucket's objects.";
    Validations.of(handler).acknowledge(
      {
        id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        reason: "AWSLambdaBasicExecutionRole only lets CDK's deployment handler write its own CloudWatch logs.",
      },
      { id: "AwsSolutions-IAM5[Action::s3:GetObject*]", reason: readAssets },
      { id: "AwsSolutions-IAM5[Action::s3:GetBucket*]", reason: readAssets },
      { id: "AwsSolutions-IAM5[Action::s3:List*]", reason: readAssets },
      { id: `AwsSolutions-IAM5[Resource::${assets}]`, reason: readAssets },
      { id: "AwsSolutions-IAM5[Action::s3:DeleteObject*]", reason: writeSite },
      { id: "AwsSolutions-IAM5[Action::s3:Abort*]", reason: writeSite },
      { id: `AwsSolutions-IAM5[Resource::${site}]`, reason: writeSite },
      {
        id: "AwsSolutions-IAM5[Resource::*]",
        reason: "cloudfront:CreateInvalidation and GetInvalidation are granted on * by CDK so a deploy can invalidate the page.",
      },
      {
        id: "Serverless-LambdaLatestVersion",
        reason:
          "CDK pins the Python runtime of its BucketDeployment handler, which runs only during deploys; it moves with aws-cdk-lib.",
      },
      {
        id: "Serverless-LambdaDLQ",
        reason: "CDK's BucketDeployment handler is called synchronously by CloudFormation, which fails the deploy on its error.",
      },
      {
        id: "Serverless-LambdaTracing",
        reason: "CDK's BucketDeployment handler runs only while a deploy copies the page; CDK offers no tracing setting for it.",
      },
      {
        id: "AwsSolutions-L1",
        reason:
          "CDK pins the Python runtime of its BucketDeployment handler, which runs only during deploys; it moves with aws-cdk-lib.",
      },
    );
  }
}
