import { Stack } from "aws-cdk-lib";
import { HttpMethod } from "aws-cdk-lib/aws-apigatewayv2";
import type * as events from "aws-cdk-lib/aws-events";
import * as iam from "aws-cdk-lib/aws-iam";
import type { Construct } from "constructs";
import { AGENT_TYPES, type AgentType } from "#core/agents/domain/agent-types";
import type { AuthorizedHttpApi } from "../constructs/authorized-http-api";
import type { PriorityQueues } from "../constructs/priority-queues";
import type { SwarmTable } from "../constructs/swarm-table";
import { SwarmFunction } from "../constructs/swarm-function";
import type { SwarmStackProps } from "./swarm-stack-props";

export interface MonitoringStackProps extends SwarmStackProps {
  readonly http: AuthorizedHttpApi;
  readonly bus: events.IEventBus;
  readonly tasksTable: SwarmTable;
  readonly connectionsTable: SwarmTable;
  readonly workQueues: Readonly<Record<AgentType, PriorityQueues>>;
}

/** How the swarm is doing: the open health route, checking each component it depends on. */
export class MonitoringStack extends Stack {
  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const { config } = props;

    const health = new SwarmFunction(this, "GetHealth", {
      entry: "monitoring/get-health.ts",
      description: "GET /api/health: check each component the swarm depends on",
      context: "monitoring",
      config,
      environment: {
        TASKS_TABLE: props.tasksTable.tableName,
        CONNECTIONS_TABLE: props.connectionsTable.tableName,
        EVENT_BUS_NAME: props.bus.eventBusName,
        WORK_QUEUE_URLS: Stack.of(this).toJsonString(
          Object.fromEntries(AGENT_TYPES.map((type) => [type, props.workQueues[type].urls])),
        ),
      },
    });
    props.tasksTable.grant(health, "DescribeTable");
    props.connectionsTable.grant(health, "DescribeTable");
    for (const type of AGENT_TYPES) props.workQueues[type].grantReadAttributes(health);
    health.addToRolePolicy(new iam.PolicyStatement({ actions: ["events:DescribeEventBus"], resources: [props.bus.eventBusArn] }));

    props.http.addRoute(this, "HealthRoute", { method: HttpMethod.GET, path: "/api/health", handler: health });
  }
}
