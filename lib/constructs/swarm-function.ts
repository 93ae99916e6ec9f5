import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { StageEnvironment } from "#shared/stage-environment";
import type { StageConfig } from "../config/stage-config";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface SwarmFunctionProps {
  /** Handler file under `functions/`, e.g. `tasks/submit-task.ts`; it exports `handler`. */
  readonly entry: string;
  /** What the function does, shown in the console. */
  readonly description: string;
  /** The bounded context it belongs to (`tasks`, `dashboard`, ...), used as the Powertools service name. */
  readonly context: string;
  readonly config: StageConfig;
  /** Extra environment variables. @default none */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /**
   * Concurrent runs reserved (and allowed) at most; 1 for a scheduled function whose runs must
   * not overlap. @default none reserved
   */
  readonly reservedConcurrency?: number;
}

/**
 * A Lambda function as every TGE Swarm handler needs it: bundled ESM with the AWS SDK inside
 * (the local emulator's Node has none; on AWS it pins the SDK version we test), the newest
 * Node.js runtime, arm64, X-Ray tracing, Powertools settings, and its own log group with
 * retention — no log-retention custom resource. Its role may write to that log group only
 * (not `AWSLambdaBasicExecutionRole`, which allows any log group in the account).
 */
export class SwarmFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: SwarmFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: props.config.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      // IAM descriptions take Latin-1 only; the entry names the function plainly.
      description: `Execution role of functions/${props.entry}`,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: "OwnLogGroupOnly",
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        // The log group's ARN ends in `:*`, which is its streams.
        resources: [logGroup.logGroupArn],
      }),
    );
    super(scope, id, {
      role,
      entry: path.join(REPO_ROOT, "functions", props.entry),
      handler: "handler",
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: lambda.Tracing.ACTIVE,
      ...(props.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
      logGroup,
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, "package-lock.json"),
      environment: {
        ...StageEnvironment.toEnvironment({ STAGE: props.config.stage }),
        POWERTOOLS_SERVICE_NAME: `tge-swarm-${props.context}`,
        POWERTOOLS_LOG_LEVEL: props.config.logLevel,
        POWERTOOLS_METRICS_NAMESPACE: "TgeSwarm",
        NODE_OPTIONS: "--enable-source-maps",
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        // The emulator runs functions on the host's Node (20 in CI); AWS runs 24. Target the older.
        target: "node20",
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        mainFields: ["module", "main"],
        externalModules: [],
        // Some dependencies still call require(); give the ESM bundle one.
        banner:
          "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
      },
    });
    Validations.of(this).acknowledge({
      id: "Serverless-LambdaDLQ",
      reason:
        "No failure is dropped for want of a function DLQ: API routes answer their caller; stream and queue mappings keep failed batches on their on-failure destination or the queue's DLQ; every asynchronous invocation has an EventInvokeConfig on-failure destination (test/infra/reliability.test.ts checks each).",
    });
    // On the role, whose policy holds the statement (it is its own construct, beside the function).
    Validations.of(role).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason: "X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions.",
    });
  }
}
