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
import { AGENT_INDEXES } from "#agents/adapters/dynamodb-agent-registry";
import { FleetLedgerEnvironment, FleetServicesEnvironment, ScalerEnvironment } from "#agents/adapters/function-environments";
import { AgentsTableEnvironment } from "#agents/published/agent-environment";
import { AGENT_ROUTES } from "#agents/published/routes";
import { AGENT_TYPES, type AgentType } from "#kernel/agent-catalog";
import { streamOutboxSource } from "../constructs/stream-outbox-source";
import { AgentService, type SpecialistResources } from "../constructs/agent-service";
import { FailureQueue } from "../constructs/failure-queue";
import { guardedLambdaTarget } from "../constructs/guarded-lambda-target";
import type { AuthorizedHttpApi } from "../constructs/authorized-http-api";
import type { PriorityQueues } from "../constructs/priority-queues";
import { routeFunctions } from "../constructs/route-functions";
import { REPO_ROOT, SwarmFunction } from "../constructs/swarm-function";
import { SwarmTable } from "../constructs/swarm-table";
import { RUNTIME_SETTINGS_DOCUMENT } from "#optimization/published/runtime-settings";
import { EventBusEnvironment } from "#shared/adapters/eventbridge-publisher";
import { TaskStatsTableEnvironment } from "#tasks/published/tables-environment";
import type { SettingsAccess } from "./optimization-stack";
import type { SwarmStackProps } from "./swarm-stack-props";
import { grantPublish } from "../constructs/grant-publish";
import { EVENT_SOURCES } from "#kernel/bus/domain-event";
import { acknowledgeGrant } from "../constructs/acknowledge-grant";

export interface AgentsStackProps extends SwarmStackProps {
  readonly bus: events.IEventBus;
  readonly http: AuthorizedHttpApi;
  readonly tasksTable: SwarmTable;
  readonly taskStats: SwarmTable;
  readonly workQueues: Readonly<Record<AgentType, PriorityQueues>>;
  /** What each type's specialty needs, from the stack of its context (detection, optimization). */
  readonly specialists: Readonly<Record<AgentType, SpecialistResources>>;
  /** Reading the settings documents: the scaler, the health monitor and the agent API read the fleet's size from them. */
  readonly settings: SettingsAccess;
}

/** Stands in for the agent image on the local stage, where the fleet runner runs agents as processes. */
export const LOCAL_AGENT_IMAGE = "tge-swarm/agent:local-fleet-runner";

/**
 * The agent fleet: a cluster with one Fargate service per specialist, the registry agents
 * report to (its stream announces every status change), the health monitor and scaler that
 * run every minute, and the agent API. What each specialty needs comes from its own context's
 * stack (`specialists`).
 */
export class AgentsStack extends Stack {
  readonly agentsTable: SwarmTable;
  readonly cluster: ecs.Cluster;
  readonly services: Readonly<Record<AgentType, AgentService>>;

  constructor(scope: Construct, id: string, props: AgentsStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.agentsTable = new SwarmTable(this, "Agents", {
      config,
      partitionKey: { name: "agentId", type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: "expiresAt",
      dynamoStream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      globalSecondaryIndexes: [
        {
          indexName: AGENT_INDEXES.byType,
          partitionKey: { name: "agentType", type: dynamodb.AttributeType.STRING },
          sortKey: { name: "registeredAt", type: dynamodb.AttributeType.STRING },
        },
        // Keys and the filtered attributes only: a heartbeat rewrites the workload, not these.
        {
          indexName: AGENT_INDEXES.byStatus,
          partitionKey: { name: "status", type: dynamodb.AttributeType.STRING },
          sortKey: { name: "registeredAt", type: dynamodb.AttributeType.STRING },
          projectionType: dynamodb.ProjectionType.INCLUDE,
          nonKeyAttributes: ["agentType"],
        },
        {
          indexName: AGENT_INDEXES.all,
          partitionKey: { name: "listKey", type: dynamodb.AttributeType.STRING },
          sortKey: { name: "registeredAt", type: dynamodb.AttributeType.STRING },
          projectionType: dynamodb.ProjectionType.INCLUDE,
          nonKeyAttributes: ["agentType", "status"],
        },
      ],
    });
    const ledger = new SwarmTable(this, "FleetLedger", {
      config,
      partitionKey: { name: "pk", type: dynamodb.AttributeType.STRING },
    });

    // Public subnets only, no NAT gateway: agents take no inbound traffic and reach AWS and feeds directly.
    const vpc = new ec2.Vpc(this, "Vpc", {
      // Named, not looked up: synthesis stays deterministic and needs no credentials.
      availabilityZones: [`${config.region}a`, `${config.region}b`],
      natGateways: 0,
      subnetConfiguration: [{ name: "agents", subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
    });
    vpc.addFlowLog("FlowLogs", {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(
        new logs.LogGroup(this, "FlowLogGroup", {
          retention: config.logRetentionDays as logs.RetentionDays,
          removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        }),
      ),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });
    const securityGroup = new ec2.SecurityGroup(this, "AgentSecurityGroup", {
      vpc,
      description: "TGE Swarm agents: no inbound traffic, outbound to AWS APIs and news feeds",
      allowAllOutbound: true,
    });
    const clusterName = `tge-swarm-${config.stage}`;
    this.cluster = new ecs.Cluster(this, "Cluster", {
      clusterName,
      vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    const image =
      config.stage === "local"
        ? ecs.ContainerImage.fromRegistry(LOCAL_AGENT_IMAGE)
        : ecs.ContainerImage.fromAsset(REPO_ROOT, {
            file: path.join("containers", "agent", "Dockerfile"),
            platform: Platform.LINUX_ARM64,
          });

    const eventBus = EventBusEnvironment.toEnvironment({ EVENT_BUS_NAME: props.bus.eventBusName });
    this.services = Object.fromEntries(
      AGENT_TYPES.map((agentType) => [
        agentType,
        new AgentService(this, `${agentType}-agents`, {
          config,
          agentType,
          cluster: this.cluster,
          clusterName,
          securityGroup,
          image,
          agentsTable: this.agentsTable,
          tasksTable: props.tasksTable,
          taskStats: props.taskStats,
          queues: props.workQueues[agentType],
          specialist: props.specialists[agentType],
        }),
      ]),
    ) as Record<AgentType, AgentService>;
    const serviceNameOf = Object.fromEntries(
      AGENT_TYPES.map((type) => [type, this.services[type].service.serviceName]),
    ) as Record<AgentType, string>;
    const serviceNames = this.toJsonString(serviceNameOf);
    const fleetEnvironment = {
      ...AgentsTableEnvironment.toEnvironment({ AGENTS_TABLE: this.agentsTable.tableName }),
      ...FleetLedgerEnvironment.toEnvironment({ FLEET_LEDGER_TABLE: ledger.tableName }),
      ...FleetServicesEnvironment.toEnvironment({ CLUSTER_NAME: clusterName, SERVICE_NAMES: serviceNameOf }),
      ...props.settings.environment,
    };
    const readsFleetSize = (grantee: iam.IGrantable) => props.settings.grantRead(grantee, [RUNTIME_SETTINGS_DOCUMENT]);
    const fn = (id: string, entry: string, description: string, extra: Record<string, string> = {}, timeout?: Duration) =>
      new SwarmFunction(this, id, {
        entry: `agents/${entry}`,
        description,
        context: "agents",
        config,
        timeout,
        environment: { ...fleetEnvironment, ...extra },
      });
    const ecsRead = (grantee: iam.IGrantable) => {
      iam.Grant.addToPrincipal({
        grantee,
        actions: ["ecs:DescribeServices"],
        resourceArns: AGENT_TYPES.map((type) => this.services[type].service.serviceArn),
      });
      iam.Grant.addToPrincipal({
        grantee,
        actions: ["ecs:ListTasks"],
        resourceArns: ["*"],
        conditions: { ArnEquals: { "ecs:cluster": this.cluster.clusterArn } },
      });
      acknowledgeGrant(grantee, {
        id: "AwsSolutions-IAM5[Resource::*]",
        reason:
          "ecs:ListTasks has no resource-level permission (only the ecs:cluster condition, set to the agents' cluster); X-Ray's PutTraceSegments and PutTelemetryRecords have none either.",
      });
    };
    const ecsScale = (grantee: iam.IGrantable) =>
      iam.Grant.addToPrincipal({
        grantee,
        actions: ["ecs:UpdateService"],
        resourceArns: AGENT_TYPES.map((type) => this.services[type].service.serviceArn),
      });
    const stack = Stack.of(this);
    const taskArns = stack.formatArn({ service: "ecs", resource: "task", resourceName: `${clusterName}/*` });
    const ecsStopTask = (grantee: iam.IGrantable) =>
      iam.Grant.addToPrincipal({ grantee, actions: ["ecs:StopTask"], resourceArns: [taskArns] });

    const api = routeFunctions(this, AGENT_ROUTES, { config, context: "agents", environment: fleetEnvironment });
    for (const f of [api.getFleetStatus, api.getAgent]) this.agentsTable.grant(f, "Query", "GetItem");
    this.agentsTable.grant(api.listAgents, "Query", "BatchGetItem");
    ecsRead(api.getFleetStatus);
    for (const f of [api.agentAction, api.bulkAgentAction, api.deployAgentType, api.scaleAgentType]) {
      readsFleetSize(f);
      this.agentsTable.grant(f, "GetItem", "UpdateItem");
      ledger.grant(f, "GetItem", "UpdateItem");
      ecsRead(f);
      ecsScale(f);
    }
    ecsStopTask(api.agentAction);
    ecsStopTask(api.bulkAgentAction);
    props.http.addRoutes(this, AGENT_ROUTES, api);

    const monitor = fn(
      "MonitorFleetHealth",
      "monitor-fleet-health.ts",
      "Every minute: judge agent health and apply the recovery policy",
      eventBus,
      Duration.seconds(50),
    );
    this.agentsTable.grant(monitor, "Query", "UpdateItem");
    readsFleetSize(monitor);
    ledger.grant(monitor, "GetItem", "UpdateItem");
    ecsRead(monitor);
    ecsScale(monitor);
    ecsStopTask(monitor);
    grantPublish(props.bus, monitor, EVENT_SOURCES.agents);

    const scaler = fn(
      "ScaleFleet",
      "scale-fleet.ts",
      "Every minute: size each agent type to its backlog and the seed triggers",
      {
        ...TaskStatsTableEnvironment.toEnvironment({ TASK_STATS_TABLE: props.taskStats.tableName }),
        ...ScalerEnvironment.toEnvironment({
          TARGET_LATENCY_SECONDS: config.targetLatencySeconds,
          IDLE_MINUTES: config.idleMinutes,
          SCALE_IN_COOLDOWN_MINUTES: config.scaleInCooldownMinutes,
        }),
      },
      Duration.seconds(50),
    );
    this.agentsTable.grant(scaler, "Query");
    readsFleetSize(scaler);
    ledger.grant(scaler, "GetItem", "UpdateItem");
    props.taskStats.grant(scaler, "BatchGetItem", "GetItem");
    ecsRead(scaler);
    ecsScale(scaler);

    // Runs must not overlap (ADR 0017): two monitors would restart one agent twice, two scalers race on a count.
    for (const f of [monitor, scaler]) (f.node.defaultChild as lambda.CfnFunction).reservedConcurrentExecutions = 1;
    const eventFailures = new FailureQueue(this, "EventFailures", {
      holds: "schedule runs and ECS task-state events the fleet's functions failed on or never got",
    });
    // A failed run is retried by the next one a minute later; the failure is kept and alarmed.
    const scheduled = (f: lambda.Function) =>
      guardedLambdaTarget(f, { failures: eventFailures, retryAttempts: 0, maxEventAge: Duration.minutes(5) });
    const everyMinute = events.Schedule.rate(Duration.minutes(1));
    new events.Rule(this, "HealthMonitorSchedule", {
      description: "Runs the fleet health monitor",
      schedule: everyMinute,
      enabled: config.autoRecovery,
      targets: [scheduled(monitor)],
    });
    new events.Rule(this, "ScalerSchedule", {
      description: "Runs the fleet scaler",
      schedule: everyMinute,
      enabled: config.autoScaling,
      targets: [scheduled(scaler)],
    });

    const recordTaskState = fn(
      "RecordAgentTaskState",
      "record-agent-task-state.ts",
      "ECS task state changes: a stopped task's agent is marked stopped",
    );
    this.agentsTable.grant(recordTaskState, "UpdateItem");
    new events.Rule(this, "AgentTaskStateChanges", {
      description: "ECS task state changes of the agent cluster",
      eventPattern: {
        source: ["aws.ecs"],
        detailType: ["ECS Task State Change"],
        detail: { clusterArn: [this.cluster.clusterArn], lastStatus: ["STOPPED"] },
      },
      targets: [
        guardedLambdaTarget(recordTaskState, { failures: eventFailures, retryAttempts: 2, maxEventAge: Duration.hours(1) }),
      ],
    });

    const relay = fn(
      "RelayAgentChanges",
      "relay-agent-changes.ts",
      "Agents stream: announce every status change as AgentStatusChanged",
      eventBus,
      Duration.seconds(30),
    );
    grantPublish(props.bus, relay, EVENT_SOURCES.agents);
    const relayFailures = new FailureQueue(this, "AgentRelayFailures", {
      holds: "pointers to agents-stream records the relay could not process in 10 retries",
    });
    relay.addEventSource(streamOutboxSource(this.agentsTable, { failures: relayFailures }));

    new CfnOutput(this, "AgentsTableName", { value: this.agentsTable.tableName });
    new CfnOutput(this, "ClusterName", { value: clusterName });
    new CfnOutput(this, "AgentServiceNames", { value: serviceNames });
    new CfnOutput(this, "AgentTaskDefinitions", {
      value: this.toJsonString(
        Object.fromEntries(AGENT_TYPES.map((type) => [type, this.services[type].taskDefinition.taskDefinitionArn])),
      ),
    });
    new CfnOutput(this, "HealthMonitorFunctionName", { value: monitor.functionName });
    new CfnOutput(this, "ScalerFunctionName", { value: scaler.functionName });
    new CfnOutput(this, "RecordAgentTaskStateFunctionName", { value: recordTaskState.functionName });

    const account = Token.isUnresolved(stack.account) ? "<AWS::AccountId>" : stack.account;
    for (const f of [api.agentAction, api.bulkAgentAction, monitor]) {
      acknowledgeGrant(f, {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:${stack.region}:${account}:task/${clusterName}/*]`,
        reason: "Restarts stop whichever task runs an agent; task ids are not known in advance, the cluster bounds them.",
      });
    }
    Validations.of(relayFailures).acknowledge({
      id: "AwsSolutions-SQS3",
      reason: "This queue is itself the failure destination of the agents relay's stream event source.",
    });
  }
}
