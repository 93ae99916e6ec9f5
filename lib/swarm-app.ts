import { type App, Tags, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks, ServerlessChecks } from "cdk-nag";
import type { StageConfig } from "./config/stage-config";
import { FailureAlarms } from "./constructs/failure-alarms";
import { AgentsStack } from "./stacks/agents-stack";
import { AuthStack } from "./stacks/auth-stack";
import { BackupStack } from "./stacks/backup-stack";
import { SwarmTable } from "./constructs/swarm-table";
import { CoordinationStack } from "./stacks/coordination-stack";
import { DetectionStack } from "./stacks/detection-stack";
import { JobsStack } from "./stacks/jobs-stack";
import { FilesStack } from "./stacks/files-stack";
import { RealtimeStack } from "./stacks/realtime-stack";
import { ModelsStack } from "./stacks/models-stack";
import { MonitoringStack } from "./stacks/monitoring-stack";
import { OptimizationStack } from "./stacks/optimization-stack";
import { PlatformStack } from "./stacks/platform-stack";
import { TasksStack } from "./stacks/tasks-stack";
import { WebStack } from "./stacks/web-stack";

export interface SwarmStacks {
  readonly auth: AuthStack;
  readonly platform: PlatformStack;
  readonly tasks: TasksStack;
  readonly detection: DetectionStack;
  readonly coordination: CoordinationStack;
  readonly optimization: OptimizationStack;
  readonly models: ModelsStack;
  readonly agents: AgentsStack;
  readonly realtime: RealtimeStack;
  readonly monitoring: MonitoringStack;
  readonly jobs: JobsStack;
  readonly files: FilesStack;
  /** The dashboard page on CloudFront; absent in the local stage. */
  readonly web?: WebStack;
  /** The daily AWS Backup plan of every table; `prod` only (ADR 0017). */
  readonly backup?: BackupStack;
}

/**
 * The whole swarm for one stage, one stack per concern, checked by cdk-nag's AwsSolutions pack.
 *
 * @example
 * const stacks = buildSwarm(new App(), loadStageConfig("dev", process.env));
 */
export function buildSwarm(app: App, config: StageConfig): SwarmStacks {
  const env = { account: config.account ?? process.env.CDK_DEFAULT_ACCOUNT, region: config.region };
  const name = (concern: string) => `tge-swarm-${config.stage}-${concern}`;
  const common = { config, env };

  const auth = new AuthStack(app, name("auth"), { ...common, description: "TGE Swarm users and groups" });
  const platform = new PlatformStack(app, name("platform"), {
    ...common,
    description: "TGE Swarm event bus and HTTP API",
    userPool: auth.userPool,
    userPoolClient: auth.userPoolClient,
  });
  const tasks = new TasksStack(app, name("tasks"), {
    ...common,
    description: "TGE Swarm task orchestration",
    bus: platform.bus,
    http: platform.http,
  });
  const detection = new DetectionStack(app, name("detection"), {
    ...common,
    description: "TGE Swarm detection: feed items, detections",
    bus: platform.bus,
    http: platform.http,
  });
  const coordination = new CoordinationStack(app, name("coordination"), {
    ...common,
    description: "TGE Swarm coordination: resource locks, coordination events, shared insights",
    bus: platform.bus,
    http: platform.http,
  });
  const optimization = new OptimizationStack(app, name("optimization"), {
    ...common,
    description: "TGE Swarm optimization: settings documents, the optimization pipeline, metrics reviews",
    bus: platform.bus,
    http: platform.http,
    tasksTable: tasks.table,
    taskStats: tasks.stats,
    coordination,
  });
  const agents = new AgentsStack(app, name("agents"), {
    ...common,
    description: "TGE Swarm agent fleet on ECS Fargate",
    bus: platform.bus,
    http: platform.http,
    tasksTable: tasks.table,
    taskStats: tasks.stats,
    workQueues: tasks.workQueues,
    specialists: optimization.forAgents(coordination.forAgents({ ...detection.specialists, ...optimization.specialists })),
    settings: optimization.settings,
  });
  const realtime = new RealtimeStack(app, name("realtime"), {
    ...common,
    description: "TGE Swarm live dashboard back end",
    bus: platform.bus,
    http: platform.http,
    issuer: platform.http.issuer,
    userPoolClientId: auth.userPoolClient.userPoolClientId,
  });
  const monitoring = new MonitoringStack(app, name("monitoring"), {
    ...common,
    description: "TGE Swarm health and monitoring",
    http: platform.http,
    bus: platform.bus,
    tasksTable: tasks.table,
    taskStats: tasks.stats,
    agentsTable: agents.agentsTable,
    connectionsTable: realtime.connectionsTable,
    workQueues: tasks.workQueues,
  });

  const files = new FilesStack(app, name("files"), {
    ...common,
    description: "TGE Swarm files: uploads with validation",
    http: platform.http,
  });
  const jobs = new JobsStack(app, name("jobs"), {
    ...common,
    description: "TGE Swarm jobs: long-running jobs as Fargate tasks, with live progress",
    bus: platform.bus,
    http: platform.http,
    vpc: agents.cluster.vpc,
    uploads: files,
    taskStats: tasks.stats,
    settings: optimization.settings,
    exportTables: {
      tasks: tasks.table,
      "task-stats": tasks.stats,
      agents: agents.agentsTable,
      detections: detection.detectionsTable,
      "feed-items": detection.feedItemsTable,
      locks: coordination.locksTable,
      "coordination-events": coordination.eventsTable,
      insights: coordination.insightsTable,
      optimizations: optimization.optimizationsTable,
      files: files.filesTable,
    },
  });
  const models = new ModelsStack(app, name("models"), {
    ...common,
    description: "TGE Swarm model registry: model versions, exports, promotion through the optimization pipeline",
    bus: platform.bus,
    http: platform.http,
    settings: optimization.settings,
    jobArtifacts: jobs.artifacts,
  });

  // The local stage has no CloudFront: scripts/local/web-server.ts serves the page there.
  const web =
    config.stage === "local"
      ? undefined
      : new WebStack(app, name("web"), {
          ...common,
          description: "TGE Swarm live dashboard page",
          httpApiUrl: platform.http.api.apiEndpoint,
          webSocketUrl: realtime.webSocketStage.url,
          userPoolId: auth.userPool.userPoolId,
          userPoolClientId: auth.userPoolClient.userPoolClientId,
        });

  // Seed 001's daily backups, on AWS's prod only (the emulator refuses backup selections).
  const backup =
    config.stage === "prod"
      ? new BackupStack(app, name("backup"), {
          ...common,
          description: "TGE Swarm daily backups of every table",
          tables: [
            auth,
            platform,
            tasks,
            detection,
            coordination,
            optimization,
            models,
            agents,
            realtime,
            monitoring,
            jobs,
            files,
          ].flatMap((stack) => stack.node.findAll().filter((c): c is SwarmTable => c instanceof SwarmTable)),
        })
      : undefined;

  // Alarms on every failure path, once each stack is complete (ADR 0017).
  const alarmed = {
    auth,
    platform,
    tasks,
    detection,
    coordination,
    optimization,
    models,
    agents,
    realtime,
    monitoring,
    jobs,
    files,
  };
  const alarms = Object.fromEntries(
    Object.entries(alarmed).map(([concern, stack]) => [
      concern,
      new FailureAlarms(stack, "FailureAlarms", { stage: config.stage }),
    ]),
  ) as Record<keyof typeof alarmed, FailureAlarms>;
  alarms.platform.watchHttpApi(platform.http.api);
  alarms.realtime.watchWebSocketApi(realtime.webSocketApi, realtime.webSocketStage);

  Tags.of(app).add("project", "tge-swarm");
  Tags.of(app).add("stage", config.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }), new ServerlessChecks(app, { verbose: true }));
  return {
    auth,
    platform,
    tasks,
    detection,
    coordination,
    optimization,
    models,
    agents,
    realtime,
    monitoring,
    jobs,
    files,
    web,
    ...(backup ? { backup } : {}),
  };
}
