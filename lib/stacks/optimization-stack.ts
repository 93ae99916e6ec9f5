import { CfnOutput, CustomResource, Duration, Stack } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as events from "aws-cdk-lib/aws-events";
import type * as iam from "aws-cdk-lib/aws-iam";
import type { Construct } from "constructs";
import { DEFAULT_KEYWORD_CONFIG, DETECTION_DOCUMENTS, feedSourcesOf } from "#detection/published/settings";
import { AGENT_TYPES, type AgentType } from "#kernel/agent-catalog";
import { EVENT_SOURCES } from "#kernel/bus/domain-event";
import { OPTIMIZATION_RECOMMENDED, SETTINGS_CHANGE_PROPOSED } from "#kernel/bus/optimization";
import { OPTIMIZATION_INDEXES } from "#optimization/adapters/dynamodb-optimization-store";
import { DEFAULT_REVIEW_THRESHOLDS, REVIEW_THRESHOLDS_DOCUMENT } from "#optimization/domain/review-thresholds";
import { SETTINGS_NAMES, type SettingsName } from "#optimization/domain/settings-catalog";
import { OPTIMIZATION_ROUTES } from "#optimization/published/routes";
import { RUNTIME_SETTINGS_DOCUMENT, runtimeSettingsOf } from "#optimization/published/runtime-settings";
import {
  ApprovalPolicyEnvironment,
  ApprovalTimeoutEnvironment,
  ApprovalTokensEnvironment,
  DocumentLockEnvironment,
  OptimizationsTableEnvironment,
  ReviewerEnvironment,
  StateMachineEnvironment,
  VerificationWindowEnvironment,
} from "#optimization/adapters/function-environments";
import { SettingsBucketEnvironment, settingsEnvironment } from "#optimization/published/settings-reader";
import { LocksTableEnvironment } from "#coordination/published/locks";
import { EventBusEnvironment } from "#shared/adapters/eventbridge-publisher";
import { TaskStatsTableEnvironment } from "#tasks/published/tables-environment";
import { SubmitterEnvironment } from "#tasks/published/task-submitter";
import { streamOutboxSource } from "../constructs/stream-outbox-source";
import type { SpecialistResources } from "../constructs/agent-service";
import type { AuthorizedHttpApi } from "../constructs/authorized-http-api";
import { FailureQueue } from "../constructs/failure-queue";
import { guardedLambdaTarget } from "../constructs/guarded-lambda-target";
import { OptimizationPipeline } from "../constructs/optimization-pipeline";
import { routeFunctions } from "../constructs/route-functions";
import { SettingsBucket } from "../constructs/settings-bucket";
import { SwarmFunction } from "../constructs/swarm-function";
import { SwarmTable } from "../constructs/swarm-table";
import type { CoordinationStack } from "./coordination-stack";
import type { SwarmStackProps } from "./swarm-stack-props";
import { grantPublish } from "../constructs/grant-publish";

export interface OptimizationStackProps extends SwarmStackProps {
  readonly bus: events.IEventBus;
  readonly http: AuthorizedHttpApi;
  readonly tasksTable: SwarmTable;
  readonly taskStats: SwarmTable;
  /** The pipeline takes coordination's locks on the documents it changes. */
  readonly coordination: CoordinationStack;
}

/** How another stack's functions read settings documents: the variables they get and the grant. */
export interface SettingsAccess {
  readonly environment: Readonly<Record<string, string>>;
  grantRead(grantee: iam.IGrantable, documents: readonly SettingsName[]): void;
}

/** The documents each agent type reads: every agent its runtime settings, and the specialists theirs. */
const AGENT_DOCUMENTS: Readonly<Record<AgentType, readonly SettingsName[]>> = {
  "scraping-efficiency": [RUNTIME_SETTINGS_DOCUMENT, DETECTION_DOCUMENTS.sources],
  "keyword-precision": [RUNTIME_SETTINGS_DOCUMENT, DETECTION_DOCUMENTS.keywords],
  "data-quality": [RUNTIME_SETTINGS_DOCUMENT],
  "api-reliability": [RUNTIME_SETTINGS_DOCUMENT, REVIEW_THRESHOLDS_DOCUMENT],
  "performance-optimizer": [RUNTIME_SETTINGS_DOCUMENT, REVIEW_THRESHOLDS_DOCUMENT],
};

/**
 * Optimization: the settings documents the swarm runs on (a versioned, encrypted bucket,
 * seeded at deploy), the pipeline that changes them (a Standard state machine, one function
 * per step), where recommendations come in (the API, and reviewers' `OptimizationRecommended`
 * events), the recommendations table whose stream announces pending approvals and outcomes,
 * the metrics-review schedule, and what agents and other functions need to read settings.
 */
export class OptimizationStack extends Stack {
  readonly settingsBucket: SettingsBucket;
  readonly optimizationsTable: SwarmTable;
  readonly approvalTokensTable: SwarmTable;
  readonly pipeline: OptimizationPipeline;
  /** What a function of another stack needs to read settings documents. */
  readonly settings: SettingsAccess;
  /** The two reviewers: their variables and grants. */
  readonly specialists: {
    readonly "api-reliability": SpecialistResources;
    readonly "performance-optimizer": SpecialistResources;
  };

  constructor(scope: Construct, id: string, props: OptimizationStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.settingsBucket = new SettingsBucket(this, "Settings", { config });
    this.settings = {
      environment: settingsEnvironment(this.settingsBucket.bucketName, config.settingsMaxAgeSeconds),
      grantRead: (grantee, documents) => this.settingsBucket.grantRead(grantee, documents),
    };
    this.optimizationsTable = new SwarmTable(this, "Optimizations", {
      config,
      partitionKey: { name: "pk", type: dynamodb.AttributeType.STRING },
      sortKey: { name: "sk", type: dynamodb.AttributeType.STRING },
      dynamoStream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      globalSecondaryIndexes: [
        { key: "listKey", index: OPTIMIZATION_INDEXES.byTime },
        { key: "status", index: OPTIMIZATION_INDEXES.byStatus },
        { key: "target", index: OPTIMIZATION_INDEXES.byTarget },
      ].map(({ key, index }) => ({
        indexName: index,
        partitionKey: { name: key, type: dynamodb.AttributeType.STRING },
        sortKey: { name: "createdAt", type: dynamodb.AttributeType.STRING },
      })),
    });
    // Task tokens apart from the recommendations: no stream carries them and no reading function is granted them.
    this.approvalTokensTable = new SwarmTable(this, "ApprovalTokens", {
      config,
      partitionKey: { name: "recommendationId", type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: "expiresAt",
    });

    const table = OptimizationsTableEnvironment.toEnvironment({ OPTIMIZATIONS_TABLE: this.optimizationsTable.tableName });
    const bucket = SettingsBucketEnvironment.toEnvironment({ SETTINGS_BUCKET: this.settingsBucket.bucketName });
    const tokens = ApprovalTokensEnvironment.toEnvironment({ APPROVAL_TOKENS_TABLE: this.approvalTokensTable.tableName });
    const locks = LocksTableEnvironment.toEnvironment({ LOCKS_TABLE: props.coordination.locksTable.tableName });
    const bus = EventBusEnvironment.toEnvironment({ EVENT_BUS_NAME: props.bus.eventBusName });
    const lockLeaseSeconds = Math.min(config.resourceLockTimeout, config.verificationWindowSeconds + 120);
    const fn = (name: string, entry: string, description: string, environment: Record<string, string>, timeout = 30) =>
      new SwarmFunction(this, name, {
        entry: `optimization/${entry}.ts`,
        description,
        context: "optimization",
        config,
        environment,
        timeout: Duration.seconds(timeout),
      });

    // The pipeline's steps, each granted what it touches and nothing else.
    const steps = {
      validate: fn("PipelineValidate", "pipeline-validate", "Optimization pipeline: validate the change", {
        ...table,
        ...bucket,
      }),
      assessRisk: fn("PipelineAssessRisk", "pipeline-assess-risk", "Optimization pipeline: assess risk", {
        ...table,
        ...bucket,
        ...ApprovalPolicyEnvironment.toEnvironment({
          AUTO_APPLY_LOW_RISK: config.autoApplyLowRisk,
          REQUIRE_APPROVAL_THRESHOLD: config.requireApprovalThreshold,
        }),
      }),
      awaitApproval: fn(
        "PipelineAwaitApproval",
        "pipeline-await-approval",
        "Optimization pipeline: keep the task token, mark pending",
        {
          ...table,
          ...tokens,
          ...ApprovalTimeoutEnvironment.toEnvironment({ APPROVAL_TIMEOUT_SECONDS: config.approvalTimeoutSeconds }),
        },
      ),
      settleTimeout: fn("PipelineSettleTimeout", "pipeline-settle-timeout", "Optimization pipeline: the approval timed out", {
        ...table,
        ...tokens,
      }),
      acquireLock: fn("PipelineAcquireLock", "pipeline-acquire-lock", "Optimization pipeline: take the document's lock", {
        ...table,
        ...bucket,
        ...locks,
        ...DocumentLockEnvironment.toEnvironment({
          LOCK_WAIT_SECONDS: config.optimizationLockWaitSeconds,
          LOCK_LEASE_SECONDS: lockLeaseSeconds,
        }),
      }),
      checkStale: fn(
        "PipelineCheckStale",
        "pipeline-check-stale",
        "Optimization pipeline: is the document still at the base version",
        {
          ...table,
          ...bucket,
        },
      ),
      apply: fn("PipelineApply", "pipeline-apply", "Optimization pipeline: write the new version, fenced", {
        ...table,
        ...bucket,
        ...locks,
      }),
      verify: fn(
        "PipelineVerify",
        "pipeline-verify",
        "Optimization pipeline: verify the new version",
        {
          ...table,
          ...bucket,
          ...TaskStatsTableEnvironment.toEnvironment({ TASK_STATS_TABLE: props.taskStats.tableName }),
          ...VerificationWindowEnvironment.toEnvironment({ VERIFICATION_WINDOW_SECONDS: config.verificationWindowSeconds }),
        },
        45,
      ),
      rollback: fn("PipelineRollback", "pipeline-rollback", "Optimization pipeline: restore the version before, fenced", {
        ...table,
        ...bucket,
        ...locks,
      }),
      record: fn("PipelineRecord", "pipeline-record", "Optimization pipeline: record the outcome once", table),
      release: fn("PipelineRelease", "pipeline-release", "Optimization pipeline: release the document's lock", {
        ...table,
        ...locks,
      }),
    };
    const records = (grantee: iam.IGrantable, ...actions: string[]) =>
      this.optimizationsTable.grant(grantee, "GetItem", "UpdateItem", "PutItem", ...actions);
    for (const step of Object.values(steps)) records(step);
    for (const step of [steps.validate, steps.assessRisk, steps.checkStale, steps.verify])
      this.settingsBucket.grantRead(step, SETTINGS_NAMES);
    for (const step of [steps.apply, steps.rollback, steps.acquireLock]) {
      this.settingsBucket.grantReadWrite(step, SETTINGS_NAMES);
      props.coordination.grantLocks(step);
    }
    props.coordination.grantLocks(steps.release);
    // Waiting for approval and settling its timeout are transactions with the token row.
    for (const step of [steps.awaitApproval, steps.settleTimeout]) {
      this.approvalTokensTable.grant(step, "PutItem", "DeleteItem");
    }
    this.optimizationsTable.grant(steps.record, "Query");
    props.taskStats.grant(steps.verify, "BatchGetItem", "GetItem");

    this.pipeline = new OptimizationPipeline(this, "Pipeline", { config, steps });
    const stateMachineArn = this.pipeline.stateMachine.stateMachineArn;
    const stateMachine = StateMachineEnvironment.toEnvironment({ STATE_MACHINE_ARN: stateMachineArn });

    const api = routeFunctions(this, OPTIMIZATION_ROUTES, {
      config,
      context: "optimization",
      environment: { ...table, ...bucket },
      environmentOf: {
        submitOptimization: stateMachine,
        approveOptimization: { ...tokens, ...stateMachine },
        rejectOptimization: { ...tokens, ...stateMachine },
      },
    });
    records(api.submitOptimization);
    this.pipeline.stateMachine.grantStartExecution(api.submitOptimization);
    for (const decide of [api.approveOptimization, api.rejectOptimization]) {
      this.optimizationsTable.grant(decide, "GetItem", "UpdateItem", "Query");
      this.approvalTokensTable.grant(decide, "DeleteItem");
      this.pipeline.stateMachine.grantTaskResponse(decide);
    }
    for (const read of [api.listOptimizations, api.getOptimization, api.getOptimizationMetrics, api.listSettingsVersions])
      this.optimizationsTable.grant(read, "GetItem", "Query");
    for (const read of [api.submitOptimization, api.listSettings, api.getSettings])
      this.settingsBucket.grantRead(read, SETTINGS_NAMES);
    props.http.addRoutes(this, OPTIMIZATION_ROUTES, api);

    // Reviewers' proposals take the same pipeline.
    const intake = fn("IntakeRecommendation", "intake-recommendation", "OptimizationRecommended: start the pipeline", {
      ...table,
      ...bucket,
      ...stateMachine,
    });
    records(intake);
    this.settingsBucket.grantRead(intake, SETTINGS_NAMES);
    this.pipeline.stateMachine.grantStartExecution(intake);
    new events.Rule(this, "RecommendationsToPipeline", {
      description: "A reviewer's recommendation starts the optimization pipeline",
      eventBus: props.bus,
      eventPattern: { source: [EVENT_SOURCES.optimization], detailType: [OPTIMIZATION_RECOMMENDED] },
      // A recommendation that cannot be taken in is kept and alarmed, never dropped (ADR 0017).
      targets: [
        guardedLambdaTarget(intake, {
          failures: new FailureQueue(this, "IntakeFailures", { holds: "reviewers' recommendations that could not be taken in" }),
          retryAttempts: 2,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });

    // Other contexts' proposals (a model's promotion, ADR 0021) take the same pipeline too.
    const intakeChange = fn("IntakeSettingsChange", "intake-settings-change", "SettingsChangeProposed: start the pipeline", {
      ...table,
      ...stateMachine,
    });
    records(intakeChange);
    this.pipeline.stateMachine.grantStartExecution(intakeChange);
    new events.Rule(this, "ProposedChangesToPipeline", {
      description: "A settings change another context proposes (a model promotion) starts the optimization pipeline",
      eventBus: props.bus,
      eventPattern: { source: [EVENT_SOURCES.models], detailType: [SETTINGS_CHANGE_PROPOSED] },
      // A proposal that cannot be taken in is kept and alarmed, never dropped (ADR 0017).
      targets: [
        guardedLambdaTarget(intakeChange, {
          failures: new FailureQueue(this, "ProposedChangeFailures", {
            holds: "settings changes other contexts proposed that could not be taken in",
          }),
          retryAttempts: 2,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });

    // The table's stream is the outbox: pending approvals and outcomes reach the bus (ADR 0004).
    const relay = fn(
      "RelayOptimizationChanges",
      "relay-optimization-changes",
      "Optimizations stream: announce pending approvals and outcomes",
      bus,
    );
    grantPublish(props.bus, relay, EVENT_SOURCES.optimization);
    const relayFailures = new FailureQueue(this, "OptimizationRelayFailures", {
      holds: "pointers to optimizations-stream records the relay could not process in 10 retries",
    });
    relay.addEventSource(streamOutboxSource(this.optimizationsTable, { failures: relayFailures }));

    // Every document's first version comes from the deploy; after that, only the pipeline changes it.
    const seed = fn("SeedSettings", "seed-settings", "Deploy: seed the settings documents", { ...table, ...bucket }, 60);
    this.settingsBucket.grantReadWrite(seed, SETTINGS_NAMES);
    this.settingsBucket.grantFindMissing(seed);
    this.optimizationsTable.grant(seed, "PutItem");
    const defaults: Record<SettingsName, unknown> = {
      [DETECTION_DOCUMENTS.keywords]: DEFAULT_KEYWORD_CONFIG,
      [DETECTION_DOCUMENTS.sources]: feedSourcesOf(config.feedUrls, config.feedPollSeconds, config.feedRequestsPerMinute),
      [REVIEW_THRESHOLDS_DOCUMENT]: DEFAULT_REVIEW_THRESHOLDS,
      [RUNTIME_SETTINGS_DOCUMENT]: runtimeSettingsOf(config),
    };
    new CustomResource(this, "SettingsDocuments", {
      serviceToken: seed.functionArn,
      resourceType: "Custom::SettingsDocuments",
      properties: { Documents: JSON.stringify(defaults) },
    });

    const reviewer: SpecialistResources = {
      environment: ReviewerEnvironment.toEnvironment({
        EVENT_BUS_NAME: props.bus.eventBusName,
        REVIEW_TARGET_LATENCY_SECONDS: config.targetLatencySeconds,
      }),
      grant: (role) => grantPublish(props.bus, role, EVENT_SOURCES.optimization),
      readsFleet: true,
    };
    this.specialists = { "api-reliability": reviewer, "performance-optimizer": reviewer };

    const reviews = new SwarmFunction(this, "ScheduleMetricsReviews", {
      entry: "optimization/schedule-metrics-reviews.ts",
      description: "Submits a metrics review to each reviewer agent type",
      context: "optimization",
      config,
      environment: {
        ...SubmitterEnvironment.toEnvironment({
          TASKS_TABLE: props.tasksTable.tableName,
          TASK_STATS_TABLE: props.taskStats.tableName,
          QUEUED_TTL_SECONDS: Math.max(60, config.metricsReviewMinutes * 60),
          MAX_QUEUE_DEPTH: config.maxQueueDepth,
          SCHEDULING_STRATEGY: config.schedulingStrategy,
        }),
        ...this.settings.environment,
      },
    });
    props.tasksTable.grant(reviews, "GetItem", "PutItem");
    props.taskStats.grant(reviews, "GetItem", "BatchGetItem");
    this.settingsBucket.grantRead(reviews, [RUNTIME_SETTINGS_DOCUMENT]);
    new events.Rule(this, "MetricsReviewSchedule", {
      description: "Asks the reviewer agents to read the swarm's metrics",
      schedule: events.Schedule.rate(Duration.minutes(Math.max(1, config.metricsReviewMinutes))),
      enabled: config.metricsReviewMinutes > 0,
      // A review that cannot run is kept and alarmed (ADR 0017); the next one comes with the next interval.
      targets: [
        guardedLambdaTarget(reviews, {
          failures: new FailureQueue(this, "ReviewFailures", {
            holds: "metrics-review schedules that failed or were never delivered",
          }),
          retryAttempts: 2,
          maxEventAge: Duration.minutes(10),
        }),
      ],
    });

    new CfnOutput(this, "MetricsReviewFunctionName", { value: reviews.functionName });
    new CfnOutput(this, "OptimizationStateMachineArn", { value: stateMachineArn });
    new CfnOutput(this, "SettingsBucketName", { value: this.settingsBucket.bucketName });
    new CfnOutput(this, "OptimizationsTableName", { value: this.optimizationsTable.tableName });
    new CfnOutput(this, "ApprovalTokensTableName", { value: this.approvalTokensTable.tableName });
  }

  /**
   * Every agent type's resources with what it needs of the settings documents added: the
   * bucket's variables, and reading the documents that type runs on.
   */
  forAgents(specialists: Readonly<Record<AgentType, SpecialistResources>>): Record<AgentType, SpecialistResources> {
    return Object.fromEntries(
      AGENT_TYPES.map((type) => {
        const resources = specialists[type];
        return [
          type,
          {
            ...resources,
            environment: { ...this.settings.environment, ...resources.environment },
            grant: (role: iam.IGrantable) => {
              resources.grant(role);
              this.settingsBucket.grantRead(role, AGENT_DOCUMENTS[type]);
            },
          },
        ];
      }),
    ) as Record<AgentType, SpecialistResources>;
  }
}
