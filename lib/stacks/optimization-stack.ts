import { CfnOutput, Duration, Stack } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import type { Construct } from "constructs";
import type { SpecialistResources } from "../constructs/agent-service";
import { SwarmFunction } from "../constructs/swarm-function";
import type { SwarmTable } from "../constructs/swarm-table";
import type { SwarmStackProps } from "./swarm-stack-props";

export interface OptimizationStackProps extends SwarmStackProps {
  readonly bus: events.IEventBus;
  readonly tasksTable: SwarmTable;
  readonly taskStats: SwarmTable;
}

/**
 * Optimization: the schedule that asks the reviewer agents for a metrics review, and what the
 * reviewers need on the fleet (the settings they compare figures against, the bus they propose
 * on), which the agents stack applies to their task roles.
 */
export class OptimizationStack extends Stack {
  /** The two reviewers: their variables and grants. */
  readonly specialists: {
    readonly "api-reliability": SpecialistResources;
    readonly "performance-optimizer": SpecialistResources;
  };

  constructor(scope: Construct, id: string, props: OptimizationStackProps) {
    super(scope, id, props);
    const { config } = props;

    const reviewer: SpecialistResources = {
      environment: {
        EVENT_BUS_NAME: props.bus.eventBusName,
        REVIEW_RETRY_BASE_DELAY_SECONDS: String(config.retryBaseDelaySeconds),
        REVIEW_MAX_RECEIVE_COUNT: String(config.maxReceiveCount),
        REVIEW_MAX_CONCURRENT_TASKS_PER_AGENT: String(config.maxConcurrentTasksPerAgent),
        REVIEW_MAX_AGENTS_PER_TYPE: String(config.maxAgentsPerType),
        REVIEW_TARGET_LATENCY_SECONDS: String(config.targetLatencySeconds),
      },
      grant: (role) => props.bus.grantPutEventsTo(role),
      readsFleet: true,
    };
    this.specialists = { "api-reliability": reviewer, "performance-optimizer": reviewer };

    const reviews = new SwarmFunction(this, "ScheduleMetricsReviews", {
      entry: "optimization/schedule-metrics-reviews.ts",
      description: "Submits a metrics review to each reviewer agent type",
      context: "optimization",
      config,
      environment: {
        TASKS_TABLE: props.tasksTable.tableName,
        TASK_STATS_TABLE: props.taskStats.tableName,
        QUEUED_TTL_SECONDS: String(Math.max(60, config.metricsReviewMinutes * 60)),
        MAX_QUEUE_DEPTH: String(config.maxQueueDepth),
        SCHEDULING_STRATEGY: config.schedulingStrategy,
      },
    });
    props.tasksTable.grant(reviews, "GetItem", "PutItem");
    props.taskStats.grant(reviews, "GetItem", "BatchGetItem");
    new events.Rule(this, "MetricsReviewSchedule", {
      description: "Asks the reviewer agents to read the swarm's metrics",
      schedule: events.Schedule.rate(Duration.minutes(Math.max(1, config.metricsReviewMinutes))),
      enabled: config.metricsReviewMinutes > 0,
      targets: [new targets.LambdaFunction(reviews, { retryAttempts: 2 })],
    });

    new CfnOutput(this, "MetricsReviewFunctionName", { value: reviews.functionName });
  }
}
