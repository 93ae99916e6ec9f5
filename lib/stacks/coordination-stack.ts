import { CfnOutput, Duration, Stack } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as events from "aws-cdk-lib/aws-events";
import type * as iam from "aws-cdk-lib/aws-iam";
import type { Construct } from "constructs";
import { EVENTS_BY_KIND_INDEX, EVENTS_BY_TIME_INDEX } from "#coordination/adapters/dynamodb-event-store";
import { ACTIVE_LOCKS_INDEX } from "#coordination/adapters/dynamodb-lock-store";
import { CoordinationEventsTableEnvironment } from "#coordination/adapters/function-environments";
import { InsightsEnvironment, InsightsTableEnvironment } from "#coordination/published/insights";
import { LocksTableEnvironment, LockTimeoutEnvironment } from "#coordination/published/locks";
import { COORDINATION_ROUTES } from "#coordination/published/routes";
import type { AgentType } from "#kernel/agent-catalog";
import { EventBusEnvironment } from "#shared/adapters/eventbridge-publisher";
import { streamOutboxSource } from "../constructs/stream-outbox-source";
import type { SpecialistResources } from "../constructs/agent-service";
import type { AuthorizedHttpApi } from "../constructs/authorized-http-api";
import { routeFunctions } from "../constructs/route-functions";
import { FailureQueue } from "../constructs/failure-queue";
import { guardedLambdaTarget } from "../constructs/guarded-lambda-target";
import { SwarmFunction } from "../constructs/swarm-function";
import { SwarmTable } from "../constructs/swarm-table";
import type { SwarmStackProps } from "./swarm-stack-props";
import { grantPublish } from "../constructs/grant-publish";
import { EVENT_SOURCES } from "#kernel/bus/domain-event";

export interface CoordinationStackProps extends SwarmStackProps {
  readonly bus: events.IEventBus;
  readonly http: AuthorizedHttpApi;
}

/**
 * Coordination (ADR 0014): the locks table (one row per resource: leases, fence, waiting
 * writers), the `coordination_events` table, the shared insights memory, the API over them,
 * the relays that turn their changes into `CoordinationEvent`s on the bus, and the schedule that
 * expires lapsed leases nobody asked for. Other stacks grant their functions and agents the
 * locks and insights through `grantLocks` / `grantInsights` and the variables in `environment`.
 */
export class CoordinationStack extends Stack {
  readonly locksTable: SwarmTable;
  readonly eventsTable: SwarmTable;
  readonly insightsTable: SwarmTable;
  /** What a consumer of locks and insights reads (the locks and insights published modules' contracts). */
  readonly consumerEnvironment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: CoordinationStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.locksTable = new SwarmTable(this, "Locks", {
      config,
      partitionKey: { name: "resource", type: dynamodb.AttributeType.STRING },
      dynamoStream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      globalSecondaryIndexes: [
        {
          indexName: ACTIVE_LOCKS_INDEX,
          partitionKey: { name: "active", type: dynamodb.AttributeType.STRING },
          sortKey: { name: "activeUntil", type: dynamodb.AttributeType.NUMBER },
        },
      ],
    });
    this.eventsTable = new SwarmTable(this, "CoordinationEvents", {
      config,
      partitionKey: { name: "eventId", type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: "gcAt",
      dynamoStream: dynamodb.StreamViewType.NEW_IMAGE,
      globalSecondaryIndexes: [
        {
          indexName: EVENTS_BY_TIME_INDEX,
          partitionKey: { name: "stream", type: dynamodb.AttributeType.STRING },
          sortKey: { name: "at", type: dynamodb.AttributeType.STRING },
        },
        {
          indexName: EVENTS_BY_KIND_INDEX,
          partitionKey: { name: "kind", type: dynamodb.AttributeType.STRING },
          sortKey: { name: "at", type: dynamodb.AttributeType.STRING },
        },
      ],
    });
    this.insightsTable = new SwarmTable(this, "Insights", {
      config,
      partitionKey: { name: "shard", type: dynamodb.AttributeType.STRING },
      sortKey: { name: "sk", type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: "gcAt",
      dynamoStream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    });

    const locksTable = LocksTableEnvironment.toEnvironment({ LOCKS_TABLE: this.locksTable.tableName });
    const insightsTable = InsightsTableEnvironment.toEnvironment({ INSIGHTS_TABLE: this.insightsTable.tableName });
    const eventsTable = CoordinationEventsTableEnvironment.toEnvironment({
      COORDINATION_EVENTS_TABLE: this.eventsTable.tableName,
    });
    this.consumerEnvironment = {
      ...locksTable,
      ...InsightsEnvironment.toEnvironment({
        INSIGHTS_TABLE: this.insightsTable.tableName,
        SYNC_INTERVAL_SECONDS: config.syncInterval,
      }),
      ...LockTimeoutEnvironment.toEnvironment({ RESOURCE_LOCK_TIMEOUT_SECONDS: config.resourceLockTimeout }),
    };

    const api = routeFunctions(this, COORDINATION_ROUTES, {
      config,
      context: "coordination",
      environment: { ...this.consumerEnvironment, ...eventsTable },
      // An acquire may wait up to 20 s (waitSeconds) before it answers.
      timeoutOf: { acquireLock: Duration.seconds(25) },
    });
    for (const fn of [api.acquireLock, api.renewLock, api.releaseLock]) this.grantLocks(fn);
    this.locksTable.grant(api.getCoordinationStatus, "Query");
    this.locksTable.grant(api.listLocks, "Query");
    this.eventsTable.grant(api.getCoordinationStatus, "Query");
    this.eventsTable.grant(api.listConflicts, "Query");
    this.eventsTable.grant(api.listCoordinationEvents, "Query");
    this.insightsTable.grant(api.getCoordinationStatus, "Query", "GetItem");
    this.insightsTable.grant(api.listInsights, "Query", "GetItem");
    props.http.addRoutes(this, COORDINATION_ROUTES, api);

    const fn = (name: string, entry: string, description: string, environment: Record<string, string>) =>
      new SwarmFunction(this, name, {
        entry: `coordination/${entry}.ts`,
        description,
        context: "coordination",
        config,
        environment,
        timeout: Duration.seconds(30),
      });
    const failures = new FailureQueue(this, "RelayFailures", {
      holds: "pointers to locks- and insights-stream records the coordination relays could not process in 10 retries",
    });
    const streamSource = (table: SwarmTable) => streamOutboxSource(table, { failures });

    const record = fn(
      "RecordCoordinationEvents",
      "record-coordination-events",
      "Locks and insights streams: record what each change did as coordination events",
      { ...eventsTable, ...insightsTable },
    );
    this.eventsTable.grant(record, "PutItem");
    this.insightsTable.grant(record, "Query");
    record.addEventSource(streamSource(this.locksTable));
    record.addEventSource(streamSource(this.insightsTable));

    const publish = fn(
      "PublishCoordinationEvents",
      "publish-coordination-events",
      "coordination_events stream: put each recorded event on the bus as CoordinationEvent",
      EventBusEnvironment.toEnvironment({ EVENT_BUS_NAME: props.bus.eventBusName }),
    );
    grantPublish(props.bus, publish, EVENT_SOURCES.coordination);
    publish.addEventSource(streamSource(this.eventsTable));

    const reaper = fn(
      "ReapExpiredLeases",
      "reap-expired-leases",
      "Every minute: expire leases that lapsed while nobody asked for their lock",
      locksTable,
    );
    this.locksTable.grant(reaper, "Query", "GetItem", "PutItem");
    new events.Rule(this, "ReapExpiredLeasesSchedule", {
      description: "Expires lapsed leases so the locks list and the events say so",
      schedule: events.Schedule.rate(Duration.minutes(1)),
      // A failed run is retried by the next one a minute later; the failure is kept and alarmed (ADR 0017).
      targets: [
        guardedLambdaTarget(reaper, {
          failures: new FailureQueue(this, "ReaperFailures", { holds: "lease-reaper runs that failed or were never delivered" }),
          retryAttempts: 0,
          maxEventAge: Duration.minutes(5),
        }),
      ],
    });

    new CfnOutput(this, "LocksTableName", { value: this.locksTable.tableName });
    new CfnOutput(this, "CoordinationEventsTableName", { value: this.eventsTable.tableName });
    new CfnOutput(this, "InsightsTableName", { value: this.insightsTable.tableName });
  }

  /** What taking, renewing, releasing locks and fencing writes with them needs (`ResourceLocks`). */
  grantLocks(grantee: iam.IGrantable): void {
    this.locksTable.grant(grantee, "GetItem", "PutItem", "ConditionCheckItem");
  }

  /** What publishing and reading insights needs (`SharedMemory`). */
  grantInsights(grantee: iam.IGrantable): void {
    this.insightsTable.grant(grantee, "PutItem", "UpdateItem", "GetItem", "Query");
  }

  /** Every agent type's resources with the locks and insights added: each agent may lock and share. */
  forAgents(specialists: Readonly<Record<AgentType, SpecialistResources>>): Record<AgentType, SpecialistResources> {
    return Object.fromEntries(
      Object.entries(specialists).map(([type, resources]) => [
        type,
        {
          ...resources,
          environment: { ...this.consumerEnvironment, ...resources.environment },
          grant: (role: iam.IGrantable) => {
            resources.grant(role);
            this.grantLocks(role);
            this.grantInsights(role);
          },
        },
      ]),
    ) as Record<AgentType, SpecialistResources>;
  }
}
