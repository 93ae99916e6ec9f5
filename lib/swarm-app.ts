import { type App, Tags, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import type { StageConfig } from "./config/stage-config";
import { AgentsStack } from "./stacks/agents-stack";
import { AuthStack } from "./stacks/auth-stack";
import { DashboardStack } from "./stacks/dashboard-stack";
import { MonitoringStack } from "./stacks/monitoring-stack";
import { PlatformStack } from "./stacks/platform-stack";
import { TasksStack } from "./stacks/tasks-stack";
import { WebStack } from "./stacks/web-stack";

export interface SwarmStacks {
  readonly auth: AuthStack;
  readonly platform: PlatformStack;
  readonly tasks: TasksStack;
  readonly agents: AgentsStack;
  readonly dashboard: DashboardStack;
  readonly monitoring: MonitoringStack;
  /** The dashboard page on CloudFront; absent in the local stage. */
  readonly web?: WebStack;
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
  const agents = new AgentsStack(app, name("agents"), {
    ...common,
    description: "TGE Swarm agent fleet on ECS Fargate",
    bus: platform.bus,
    http: platform.http,
    tasksTable: tasks.table,
    taskStats: tasks.stats,
    workQueues: tasks.workQueues,
  });
  const dashboard = new DashboardStack(app, name("dashboard"), {
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
    connectionsTable: dashboard.connectionsTable,
    workQueues: tasks.workQueues,
  });

  // The local stage has no CloudFront: scripts/local/dashboard-server.ts serves the page there.
  const web =
    config.stage === "local"
      ? undefined
      : new WebStack(app, name("web"), {
          ...common,
          description: "TGE Swarm live dashboard page",
          httpApiUrl: platform.http.api.apiEndpoint,
          webSocketUrl: dashboard.webSocketStage.url,
          userPoolClientId: auth.userPoolClient.userPoolClientId,
        });

  Tags.of(app).add("project", "tge-swarm");
  Tags.of(app).add("stage", config.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { auth, platform, tasks, agents, dashboard, monitoring, web };
}
