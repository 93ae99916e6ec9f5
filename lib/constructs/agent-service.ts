import { Duration, RemovalPolicy, Stack, Token, Validations } from "aws-cdk-lib";
import type * as ec2 from "aws-cdk-lib/aws-ec2";
import * as ecs from "aws-cdk-lib/aws-ecs";
import * as iam from "aws-cdk-lib/aws-iam";
import * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { AgentEnvironment } from "#agents/published/agent-environment";
import { SubmitterEnvironment } from "#tasks/published/task-submitter";
import { AGENT_TYPE_SPECS, type AgentType, concurrencyOf } from "#kernel/agent-catalog";
import type { StageConfig } from "../config/stage-config";
import { LEASE_HEARTBEATS, retryPolicyOf } from "../config/stage-config";
import type { PriorityQueues } from "./priority-queues";
import { VISIBILITY_TO_CONSUMER_TIMEOUT } from "./priority-queues";
import type { SwarmTable } from "./swarm-table";

/** ECS sends SIGKILL this long after SIGTERM; the agent drains within STOP_GRACE_SECONDS of it. */
export const AGENT_STOP_TIMEOUT_SECONDS = 30;
const STOP_GRACE_SECONDS = AGENT_STOP_TIMEOUT_SECONDS - 5;
/** A long poll holds an SQS connection open this long; the agent wakes on the first queue to answer. */
const LONG_POLL_SECONDS = 5;

/**
 * What a specialist needs on top of every agent's settings: the variables it reads and the
 * grants its task role needs. The stack of the specialist's context defines them; the agents
 * stack applies them to the type's service.
 */
export interface SpecialistResources {
  /** Variables the specialist reads, added to its container's environment. */
  readonly environment: Readonly<Record<string, string>>;
  /** Grants the type's task role what the specialist touches. */
  grant(taskRole: iam.IGrantable): void;
  /** The specialist reads the fleet's figures (the agent registry). @default false */
  readonly readsFleet?: boolean;
}

export interface AgentServiceProps {
  readonly config: StageConfig;
  readonly agentType: AgentType;
  readonly cluster: ecs.ICluster;
  /** The cluster's name as a plain string (task ARNs are scoped by it). */
  readonly clusterName: string;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly image: ecs.ContainerImage;
  readonly agentsTable: SwarmTable;
  readonly tasksTable: SwarmTable;
  readonly taskStats: SwarmTable;
  readonly queues: PriorityQueues;
  /** What this type's specialty needs (tables, the bus, feeds). */
  readonly specialist: SpecialistResources;
}

/**
 * One agent type on Fargate: its task definition (size from the type's spec, arm64, logs with
 * retention), a task role that can consume only this type's queues and write only agent and
 * task rows, and a service with the deployment circuit breaker. It starts at the type's
 * minimum; the scaler and the API size it from there.
 */
export class AgentService extends Construct {
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly taskRole: iam.IRole;

  constructor(scope: Construct, id: string, props: AgentServiceProps) {
    super(scope, id);
    const { config, agentType } = props;
    const spec = AGENT_TYPE_SPECS[agentType];
    const policy = retryPolicyOf(config);

    this.taskDefinition = new ecs.FargateTaskDefinition(this, "Task", {
      family: `tge-swarm-${config.stage}-${agentType}`,
      cpu: spec.cpuUnits,
      memoryLimitMiB: spec.memoryMiB,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    this.taskRole = this.taskDefinition.taskRole;
    const logGroup = new logs.LogGroup(this, "Logs", {
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.taskDefinition.addContainer("agent", {
      image: props.image,
      essential: true,
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: agentType }),
      stopTimeout: Duration.seconds(AGENT_STOP_TIMEOUT_SECONDS),
      readonlyRootFilesystem: true,
      environment: {
        ...AgentEnvironment.and(SubmitterEnvironment).toEnvironment({
          AGENT_TYPE: agentType,
          AGENTS_TABLE: props.agentsTable.tableName,
          TASKS_TABLE: props.tasksTable.tableName,
          WORK_QUEUE_URLS: props.queues.urls,
          MAX_CONCURRENT_TASKS: concurrencyOf(agentType, config.maxConcurrentTasksPerAgent),
          HEARTBEAT_INTERVAL_SECONDS: config.healthCheckInterval,
          VISIBILITY_TIMEOUT_SECONDS: config.healthCheckInterval * VISIBILITY_TO_CONSUMER_TIMEOUT,
          LONG_POLL_SECONDS,
          LEASE_SECONDS: config.healthCheckInterval * LEASE_HEARTBEATS,
          MAX_RECEIVE_COUNT: config.maxReceiveCount,
          RETRY_BASE_DELAY_SECONDS: policy.baseDelaySeconds,
          RETRY_MAX_DELAY_SECONDS: policy.maxDelaySeconds,
          QUEUED_TTL_SECONDS: policy.queuedTtlSeconds,
          STOP_GRACE_SECONDS,
          // Agents that hand work on submit it as POST /api/tasks would, with the stage's strategy.
          TASK_STATS_TABLE: props.taskStats.tableName,
          MAX_QUEUE_DEPTH: config.maxQueueDepth,
          SCHEDULING_STRATEGY: config.schedulingStrategy,
        }),
        POWERTOOLS_SERVICE_NAME: "tge-swarm-agent",
        POWERTOOLS_LOG_LEVEL: config.logLevel,
        POWERTOOLS_METRICS_NAMESPACE: "TgeSwarm",
        ...props.specialist.environment,
      },
    });

    props.queues.grantConsume(this.taskRole);
    props.specialist.grant(this.taskRole);
    if (props.specialist.readsFleet) props.agentsTable.grant(this.taskRole, "Query");
    props.agentsTable.grant(this.taskRole, "PutItem", "UpdateItem");
    // Claim, heartbeat and settle tasks, and submit follow-up work (the pipeline hands items on).
    props.tasksTable.grant(this.taskRole, "GetItem", "PutItem", "UpdateItem");
    // Submitting checks the queue depth and picks a type from the counters.
    props.taskStats.grant(this.taskRole, "GetItem", "BatchGetItem", "UpdateItem");
    const stack = Stack.of(this);
    const taskArns = stack.formatArn({ service: "ecs", resource: "task", resourceName: `${props.clusterName}/*` });
    const account = Token.isUnresolved(stack.account) ? "<AWS::AccountId>" : stack.account;
    // Busy agents protect their task from scale-in through the ECS agent endpoint.
    this.taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["ecs:UpdateTaskProtection", "ecs:GetTaskProtection"],
        resources: [taskArns],
      }),
    );

    this.service = new ecs.FargateService(this, "Service", {
      serviceName: `tge-swarm-${config.stage}-${agentType}`,
      cluster: props.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: spec.minAgents,
      // Public subnets without NAT: the agent reaches AWS APIs and feeds directly; nothing reaches it (no ingress).
      assignPublicIp: true,
      securityGroups: [props.securityGroup],
      circuitBreaker: { enable: true, rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      enableECSManagedTags: true,
    });

    Validations.of(this.taskDefinition).acknowledge({
      id: "AwsSolutions-ECS2",
      reason: "The variables name tables, queues, the bus and tuning values; no secret is passed to the agent.",
    });
    if (this.taskDefinition.executionRole) {
      Validations.of(this.taskDefinition.executionRole).acknowledge({
        id: "AwsSolutions-IAM5[Resource::*]",
        reason: "ecr:GetAuthorizationToken, which pulls the agent image, supports no resource-level permissions.",
      });
    }
    Validations.of(this.taskRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:${stack.region}:${account}:task/${props.clusterName}/*]`,
      reason: "Task protection is set by the running task on itself; task ids are not known in advance.",
    });
  }
}
