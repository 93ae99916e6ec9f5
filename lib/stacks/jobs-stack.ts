import * as path from "node:path";
import { CfnOutput, Duration, RemovalPolicy, Stack, Token, Validations } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import { Platform } from "aws-cdk-lib/aws-ecr-assets";
import * as ecs from "aws-cdk-lib/aws-ecs";
import * as events from "aws-cdk-lib/aws-events";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { JOB_INDEXES } from "#jobs/adapters/dynamodb-job-store";
import { JOB_LOG_STREAM_PREFIX } from "#jobs/domain/job";
import type { ExportTable } from "#jobs/domain/data-export";
import {
  DataExportEnvironment,
  JOB_CONTAINER,
  JobContainerEnvironment,
  JobLogGroupEnvironment,
  JobSlotsEnvironment,
  JobSweepEnvironment,
  JobsTableEnvironment,
  JobTasksEnvironment,
} from "#jobs/published/job-environment";
import { EventBusEnvironment } from "#shared/adapters/eventbridge-publisher";
import { JOB_ROUTES } from "#jobs/published/routes";
import { DATA_EXPORT_PREFIX, SCORER_TRAINING_ARTIFACTS_PREFIX } from "#jobs/published/artifacts";
import { DETECTION_DOCUMENTS } from "#detection/published/settings";
import { TaskStatsTableEnvironment } from "#tasks/published/tables-environment";
import { ArtifactBucket } from "../constructs/artifact-bucket";
import type { AuthorizedHttpApi } from "../constructs/authorized-http-api";
import { FailureQueue } from "../constructs/failure-queue";
import { guardedLambdaTarget } from "../constructs/guarded-lambda-target";
import { routeFunctions } from "../constructs/route-functions";
import { streamOutboxSource } from "../constructs/stream-outbox-source";
import { REPO_ROOT, SwarmFunction } from "../constructs/swarm-function";
import { SwarmTable } from "../constructs/swarm-table";
import type { FilesStack } from "./files-stack";
import type { SettingsAccess } from "./optimization-stack";
import type { SwarmStackProps } from "./swarm-stack-props";
import { grantPublish } from "../constructs/grant-publish";
import { EVENT_SOURCES } from "#kernel/bus/domain-event";
import { acknowledgeGrant } from "../constructs/acknowledge-grant";

export interface JobsStackProps extends SwarmStackProps {
  readonly bus: events.IEventBus;
  readonly http: AuthorizedHttpApi;
  /** The network job tasks run in: its public subnets (the agents' VPC: no NAT, no inbound traffic). */
  readonly vpc: ec2.IVpc;
  /** Where `file:<fileId>` datasets are read from (valid uploads only), and what `file-validation` judges (the files stack). */
  readonly uploads: Pick<FilesStack, "access" | "grantReadValidDatasets" | "grantValidateFiles">;
  /** The task counters `metrics-analysis` reads (the tasks stack's). */
  readonly taskStats: SwarmTable;
  /** Reading `detection-keywords`: `scorer-training` starts from the version agents run on (the optimization stack's). */
  readonly settings: SettingsAccess;
  /** Every table `data-export` exports but this stack's own jobs table, by its export name. */
  readonly exportTables: Readonly<Record<Exclude<ExportTable, "jobs">, SwarmTable>>;
}

/** Stands in for the job image on the local stage, where the local job runner runs job tasks as processes. */
export const LOCAL_JOB_IMAGE = "tge-swarm/job:local-job-runner";
/** ECS sends SIGKILL this long after SIGTERM; a job has nothing to drain (whoever stopped it ended it). */
export const JOB_STOP_TIMEOUT_SECONDS = 10;

/**
 * Jobs: the jobs table (its stream the outbox of `JobProgressed`/`JobFinished`, and the
 * dispatcher's wake-up), the artifacts bucket, a cluster of its own with the job task
 * definition (one Fargate task per job, started by RunTask), the API, and the dead-job check
 * (every minute, and on every job task's stop).
 */
export class JobsStack extends Stack {
  readonly jobsTable: SwarmTable;
  readonly artifacts: ArtifactBucket;
  readonly cluster: ecs.Cluster;
  readonly taskDefinition: ecs.FargateTaskDefinition;

  constructor(scope: Construct, id: string, props: JobsStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.jobsTable = new SwarmTable(this, "Jobs", {
      config,
      partitionKey: { name: "jobId", type: dynamodb.AttributeType.STRING },
      dynamoStream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      globalSecondaryIndexes: [
        { key: "listKey", index: JOB_INDEXES.byTime },
        { key: "status", index: JOB_INDEXES.byStatus },
        { key: "jobType", index: JOB_INDEXES.byType },
      ].map(({ key, index }) => ({
        indexName: index,
        partitionKey: { name: key, type: dynamodb.AttributeType.STRING },
        sortKey: { name: "createdAt", type: dynamodb.AttributeType.STRING },
      })),
    });
    const exportTables: Readonly<Record<ExportTable, SwarmTable>> = { ...props.exportTables, jobs: this.jobsTable };
    // A model version points at an exact version; overwritten ones are kept a year for audits.
    this.artifacts = new ArtifactBucket(this, "Artifacts", { config, logPrefix: "artifacts/", keepOverwrittenDays: 365 });

    const clusterName = `tge-swarm-${config.stage}-jobs`;
    this.cluster = new ecs.Cluster(this, "Cluster", {
      clusterName,
      vpc: props.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    const securityGroup = new ec2.SecurityGroup(this, "JobSecurityGroup", {
      vpc: props.vpc,
      description: "TGE Swarm job tasks: no inbound traffic, outbound to AWS APIs",
      allowAllOutbound: true,
    });
    const family = `tge-swarm-${config.stage}-job`;
    this.taskDefinition = new ecs.FargateTaskDefinition(this, "JobTask", {
      family,
      cpu: 512,
      memoryLimitMiB: 1024,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    const logGroup = new logs.LogGroup(this, "JobLogs", {
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.taskDefinition.addContainer(JOB_CONTAINER, {
      image:
        config.stage === "local"
          ? ecs.ContainerImage.fromRegistry(LOCAL_JOB_IMAGE)
          : ecs.ContainerImage.fromAsset(REPO_ROOT, {
              file: path.join("containers", "job", "Dockerfile"),
              platform: Platform.LINUX_ARM64,
            }),
      essential: true,
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: JOB_LOG_STREAM_PREFIX }),
      stopTimeout: Duration.seconds(JOB_STOP_TIMEOUT_SECONDS),
      readonlyRootFilesystem: true,
      environment: {
        ...JobContainerEnvironment.toEnvironment({
          JOBS_TABLE: this.jobsTable.tableName,
          ARTIFACTS_BUCKET: this.artifacts.bucketName,
          JOB_HEARTBEAT_SECONDS: config.jobHeartbeatSeconds,
        }),
        ...props.uploads.access.environment,
        ...props.uploads.access.validationEnvironment,
        ...TaskStatsTableEnvironment.toEnvironment({ TASK_STATS_TABLE: props.taskStats.tableName }),
        ...props.settings.environment,
        ...DataExportEnvironment.toEnvironment({
          EXPORT_TABLES: Object.fromEntries(
            Object.entries(exportTables).map(([name, table]) => [name, table.tableName]),
          ) as Record<ExportTable, string>,
        }),
        POWERTOOLS_SERVICE_NAME: "tge-swarm-job",
        POWERTOOLS_LOG_LEVEL: config.logLevel,
      },
    });
    const taskRole = this.taskDefinition.taskRole;
    // The job process reads its job, reports progress and heartbeats, and ends it (with the slot row, in one transaction).
    this.jobsTable.grant(taskRole, "GetItem", "UpdateItem", "ConditionCheckItem");
    this.artifacts.grantWrite(taskRole, SCORER_TRAINING_ARTIFACTS_PREFIX);
    props.uploads.grantReadValidDatasets(taskRole);
    props.settings.grantRead(taskRole, [DETECTION_DOCUMENTS.keywords]);
    // metrics-analysis reads the task counters; data-export scans whole tables; file-validation judges uploads again.
    props.taskStats.grant(taskRole, "GetItem", "BatchGetItem");
    for (const table of Object.values(exportTables)) table.grant(taskRole, "Scan");
    this.artifacts.grantWrite(taskRole, DATA_EXPORT_PREFIX);
    props.uploads.grantValidateFiles(taskRole);

    const stack = Stack.of(this);
    const account = Token.isUnresolved(stack.account) ? "<AWS::AccountId>" : stack.account;
    const taskArns = stack.formatArn({ service: "ecs", resource: "task", resourceName: `${clusterName}/*` });
    const familyArn = stack.formatArn({ service: "ecs", resource: "task-definition", resourceName: `${family}:*` });
    const startsTasks = (grantee: iam.IGrantable) => {
      iam.Grant.addToPrincipal({
        grantee,
        actions: ["ecs:RunTask"],
        resourceArns: [familyArn],
        conditions: { ArnEquals: { "ecs:cluster": this.cluster.clusterArn } },
      });
      iam.Grant.addToPrincipal({ grantee, actions: ["ecs:TagResource"], resourceArns: [taskArns] });
      const roles = [taskRole, this.taskDefinition.obtainExecutionRole()];
      iam.Grant.addToPrincipal({
        grantee,
        actions: ["iam:PassRole"],
        resourceArns: roles.map((role) => role.roleArn),
        conditions: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
      });
    };
    const stopsTasks = (grantee: iam.IGrantable) =>
      iam.Grant.addToPrincipal({ grantee, actions: ["ecs:StopTask", "ecs:DescribeTasks"], resourceArns: [taskArns] });

    const table = JobsTableEnvironment.toEnvironment({ JOBS_TABLE: this.jobsTable.tableName });
    const slots = JobSlotsEnvironment.toEnvironment({ MAX_CONCURRENT_JOBS: config.maxConcurrentJobs });
    const taskEnvironment = JobTasksEnvironment.toEnvironment({
      JOB_CLUSTER: clusterName,
      JOB_TASK_DEFINITION: family,
      JOB_SUBNETS: props.vpc.publicSubnets.map((subnet) => subnet.subnetId),
      JOB_SECURITY_GROUPS: [securityGroup.securityGroupId],
    });

    const api = routeFunctions(this, JOB_ROUTES, {
      config,
      context: "jobs",
      environment: { ...table, ...JobLogGroupEnvironment.toEnvironment({ JOB_LOG_GROUP: logGroup.logGroupName }) },
      environmentOf: { cancelJob: taskEnvironment, getJobStatistics: slots },
    });
    this.jobsTable.grant(api.submitJob, "PutItem");
    for (const read of [api.getJob, api.listJobs, api.getJobStatistics]) this.jobsTable.grant(read, "GetItem", "Query");
    this.jobsTable.grant(api.cancelJob, "GetItem", "UpdateItem");
    stopsTasks(api.cancelJob);
    props.http.addRoutes(this, JOB_ROUTES, api);

    const fn = (id: string, entry: string, description: string, environment: Record<string, string>, timeout = 30) =>
      new SwarmFunction(this, id, {
        entry: `jobs/${entry}.ts`,
        description,
        context: "jobs",
        config,
        environment,
        timeout: Duration.seconds(timeout),
      });
    // Both start queued jobs; both read and write the slot row and the jobs in transactions.
    const dispatcher = (f: lambda.Function) => {
      this.jobsTable.grant(f, "GetItem", "Query", "UpdateItem", "ConditionCheckItem");
      startsTasks(f);
      stopsTasks(f);
    };

    const relay = fn(
      "RelayJobChanges",
      "relay-job-changes",
      "Jobs stream: announce progress and results, start queued jobs in freed slots",
      {
        ...table,
        ...slots,
        ...taskEnvironment,
        ...EventBusEnvironment.toEnvironment({ EVENT_BUS_NAME: props.bus.eventBusName }),
      },
      60,
    );
    dispatcher(relay);
    grantPublish(props.bus, relay, EVENT_SOURCES.jobs);
    relay.addEventSource(
      streamOutboxSource(this.jobsTable, {
        failures: new FailureQueue(this, "JobRelayFailures", {
          holds: "pointers to jobs-stream records the relay could not process in 10 retries",
        }),
        // Progress is only worth relaying while it is fresh; a result is kept longer by the table itself.
        batchSize: 10,
      }),
    );

    const sweep = fn(
      "SweepJobs",
      "sweep-jobs",
      "Every minute and on each job task's stop: fail dead jobs, start queued ones",
      {
        ...table,
        ...slots,
        ...taskEnvironment,
        ...JobSweepEnvironment.toEnvironment({
          JOB_HEARTBEAT_SECONDS: config.jobHeartbeatSeconds,
          JOB_TIMEOUT_SECONDS: config.jobTimeoutSeconds,
        }),
      },
      50,
    );
    dispatcher(sweep);
    const sweepFailures = new FailureQueue(this, "JobCheckFailures", {
      holds: "dead-job checks (scheduled, or on a job task's stop) that failed or were never delivered",
    });
    // One target for both rules (a function has one async-invoke config): a missed run is made up by the next minute's.
    const checkTarget = guardedLambdaTarget(sweep, {
      failures: sweepFailures,
      retryAttempts: 2,
      maxEventAge: Duration.minutes(30),
    });
    new events.Rule(this, "JobCheckSchedule", {
      description: "Fails jobs whose heartbeat lapsed or that ran too long; starts queued jobs",
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [checkTarget],
    });
    new events.Rule(this, "JobTaskStopped", {
      description: "A job task stopped: fail its job if it had not ended, free its slot",
      eventPattern: {
        source: ["aws.ecs"],
        detailType: ["ECS Task State Change"],
        detail: { clusterArn: [this.cluster.clusterArn], lastStatus: ["STOPPED"] },
      },
      targets: [checkTarget],
    });

    Validations.of(this.taskDefinition).acknowledge({
      id: "AwsSolutions-ECS2",
      reason:
        "The variables name tables, buckets, the heartbeat interval and whether uploads are malware-scanned; no secret is passed to a job.",
    });
    Validations.of(this.taskDefinition.obtainExecutionRole()).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason: "ecr:GetAuthorizationToken, which pulls the job image, supports no resource-level permissions.",
    });
    for (const f of [relay, sweep, api.cancelJob]) {
      acknowledgeGrant(f, {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:${stack.region}:${account}:task/${clusterName}/*]`,
        reason: "Job tasks are stopped and described by ARN; task ids are not known in advance, the jobs cluster bounds them.",
      });
    }
    for (const f of [relay, sweep]) {
      acknowledgeGrant(f, {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:${stack.region}:${account}:task-definition/${family}:*]`,
        reason:
          "RunTask names the job family's newest revision; the revision changes with each deploy. Limited to the jobs cluster.",
      });
    }

    new CfnOutput(this, "JobsTableName", { value: this.jobsTable.tableName });
    new CfnOutput(this, "JobArtifactsBucketName", { value: this.artifacts.bucketName });
    new CfnOutput(this, "JobClusterName", { value: clusterName });
    new CfnOutput(this, "JobTaskFamily", { value: family });
    new CfnOutput(this, "JobCheckFunctionName", { value: sweep.functionName });
  }
}
