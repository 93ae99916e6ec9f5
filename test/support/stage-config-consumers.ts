import type { StageConfig } from "../../lib/config/stage-config";

/** Where a stage setting ends up. */
export type ConfigPlace =
  /** A variable the CDK sets from it, which the code named reads (`readBy`: a library reads it, not our code). */
  | { readonly env: string; readonly readBy?: string }
  /** Properties of every resource of this type (the setting changes at least one). */
  | { readonly resources: string }
  /** A stack property (its account or region). */
  | { readonly stack: "account" | "region" };

type Consumed = Exclude<keyof StageConfig, "stage">;

/**
 * Every stage setting and what reads it. Checked from both sides: the unit tier checks that each
 * variable is read by the code (test/unit/config/stage-config-consumers.test.ts), the infra tier
 * that changing the setting changes each place (test/infra/stage-config-consumers.test.ts). `stage`
 * is the synth's own stage (`--context stage=`), not a setting to override.
 */
export const CONSUMERS: Readonly<Record<Consumed, readonly ConfigPlace[]>> = {
  account: [{ stack: "account" }],
  region: [{ stack: "region" }],
  logLevel: [{ env: "POWERTOOLS_LOG_LEVEL", readBy: "the Powertools logger" }],
  retainData: [{ resources: "AWS::DynamoDB::GlobalTable" }, { resources: "AWS::Cognito::UserPool" }],
  logRetentionDays: [{ resources: "AWS::Logs::LogGroup" }],
  schedulingStrategy: [{ env: "SCHEDULING_STRATEGY" }],
  // The agents' and the scaler's live value is the runtime-settings document's; MAX_CONCURRENT_TASKS is the container's cap.
  maxConcurrentTasksPerAgent: [{ env: "MAX_CONCURRENT_TASKS" }, { resources: "Custom::SettingsDocuments" }],
  maxTaskPayloadBytes: [{ env: "MAX_PAYLOAD_BYTES" }],
  diagnosticTasks: [{ env: "DIAGNOSTIC_TASKS" }],
  maxReceiveCount: [{ resources: "AWS::SQS::Queue" }, { env: "MAX_RECEIVE_COUNT" }],
  maxQueueDepth: [{ env: "MAX_QUEUE_DEPTH" }],
  queuedTaskTtlSeconds: [{ env: "QUEUED_TTL_SECONDS" }],
  retryBaseDelaySeconds: [{ env: "RETRY_BASE_DELAY_SECONDS" }, { resources: "Custom::SettingsDocuments" }],
  retryMaxDelaySeconds: [{ env: "RETRY_MAX_DELAY_SECONDS" }],
  healthCheckInterval: [
    { env: "HEARTBEAT_INTERVAL_SECONDS" },
    { env: "LEASE_SECONDS" },
    { env: "VISIBILITY_TIMEOUT_SECONDS" },
    { env: "LEASE_GRACE_SECONDS" },
    { resources: "AWS::SQS::Queue" },
  ],
  maxAgentsPerType: [{ resources: "Custom::SettingsDocuments" }],
  targetLatencySeconds: [{ env: "TARGET_LATENCY_SECONDS" }, { env: "REVIEW_TARGET_LATENCY_SECONDS" }],
  idleMinutes: [{ env: "IDLE_MINUTES" }],
  scaleInCooldownMinutes: [{ env: "SCALE_IN_COOLDOWN_MINUTES" }],
  autoScaling: [{ resources: "AWS::Events::Rule" }],
  autoRecovery: [{ resources: "AWS::Events::Rule" }],
  feedUrls: [{ resources: "Custom::SettingsDocuments" }],
  feedPollSeconds: [{ env: "FEED_POLL_SECONDS" }],
  feedRequestsPerMinute: [{ resources: "Custom::SettingsDocuments" }],
  metricsReviewMinutes: [{ resources: "AWS::Events::Rule" }, { env: "QUEUED_TTL_SECONDS" }],
  autoSweep: [{ resources: "AWS::Events::Rule" }],
  strandedAfterSeconds: [{ env: "STRANDED_AFTER_SECONDS" }],
  sweepMaxTasks: [{ env: "SWEEP_MAX_TASKS" }],
  maxConcurrentJobs: [{ env: "MAX_CONCURRENT_JOBS" }],
  jobTimeoutSeconds: [{ env: "JOB_TIMEOUT_SECONDS" }],
  jobHeartbeatSeconds: [{ env: "JOB_HEARTBEAT_SECONDS" }],
  circuitBreakerFailureThreshold: [{ env: "FEED_BREAKER_FAILURE_THRESHOLD" }],
  circuitBreakerRecoveryTimeout: [{ env: "FEED_BREAKER_RECOVERY_SECONDS" }],
  alarmEmails: [{ resources: "AWS::SNS::Subscription" }],
  alarmWebhooks: [{ resources: "AWS::SNS::Subscription" }],
  eventRetentionHours: [{ env: "EVENT_RETENTION_SECONDS" }],
  wsRateLimitPerSecond: [{ env: "RATE_LIMIT_PER_SECOND" }],
  wsRateLimitBurst: [{ env: "RATE_LIMIT_BURST" }],
  wsConnectionsPerUser: [{ env: "CONNECTIONS_PER_USER" }],
  wafRateLimit: [{ resources: "AWS::WAFv2::WebACL" }, { resources: "AWS::CloudFront::Distribution" }],
  syncInterval: [{ env: "SYNC_INTERVAL_SECONDS" }],
  resourceLockTimeout: [{ env: "RESOURCE_LOCK_TIMEOUT_SECONDS" }],
  autoApplyLowRisk: [{ env: "AUTO_APPLY_LOW_RISK" }],
  requireApprovalThreshold: [{ env: "REQUIRE_APPROVAL_THRESHOLD" }],
  approvalTimeoutSeconds: [{ env: "APPROVAL_TIMEOUT_SECONDS" }, { resources: "AWS::StepFunctions::StateMachine" }],
  verificationWindowSeconds: [{ env: "VERIFICATION_WINDOW_SECONDS" }, { resources: "AWS::StepFunctions::StateMachine" }],
  optimizationLockWaitSeconds: [{ env: "LOCK_WAIT_SECONDS" }, { resources: "AWS::StepFunctions::StateMachine" }],
  settingsMaxAgeSeconds: [{ env: "SETTINGS_MAX_AGE_SECONDS" }],
  maxUploadBytes: [{ env: "MAX_UPLOAD_BYTES" }],
};
