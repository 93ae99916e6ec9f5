import * as z from "zod";
import { RiskLevel } from "#kernel/bus/optimization";
import { SchedulingStrategy } from "#tasks/domain/scheduling";

export const STAGES = ["local", "dev", "prod"] as const;
export const StageName = z.enum(STAGES);
export type StageName = z.infer<typeof StageName>;

/** CloudFront takes its web ACLs from this region only. */
const WEB_ACL_REGION = "us-east-1";

const seconds = (min: number, max: number) => z.number().int().min(min).max(max);

/**
 * Everything that differs between stages. Keys carry the names of the seed configuration
 * (`scheduling_strategy` → `schedulingStrategy`, ...) and each can be overridden by an
 * environment variable: `TGE_` + the key in upper snake case, e.g. `TGE_SCHEDULING_STRATEGY`.
 */
export const StageConfig = z
  .object({
    stage: StageName,
    /** AWS account to deploy to; taken from the CLI's credentials when unset. */
    account: z
      .string()
      .regex(/^\d{12}$/, "must be a 12-digit AWS account id")
      .optional(),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region such as us-east-1"),
    logLevel: z.enum(["DEBUG", "INFO", "WARN", "ERROR"]),
    /** Keep tables and logs when a stack is deleted (prod), or delete them (local, dev). */
    retainData: z.boolean(),
    /** Days CloudWatch keeps function and access logs. */
    logRetentionDays: z.union([
      z.literal(1),
      z.literal(3),
      z.literal(7),
      z.literal(14),
      z.literal(30),
      z.literal(90),
      z.literal(365),
    ]),

    // Task orchestrator (seed 000 `task_orchestrator`)
    schedulingStrategy: SchedulingStrategy,
    maxConcurrentTasksPerAgent: z.number().int().min(1).max(50),
    /** Largest task payload accepted by `POST /api/tasks`, in bytes. */
    maxTaskPayloadBytes: z.number().int().min(1_024).max(204_800),
    /** Admins may submit the diagnostics task types (echo, sleep, fail); off in prod unless set (ADR 0016). */
    diagnosticTasks: z.boolean(),
    /** Times SQS delivers a message before moving it to the dead-letter queue. */
    maxReceiveCount: z.number().int().min(1).max(100),
    /** Queued tasks an agent type holds before new work is refused with 429. */
    maxQueueDepth: z.number().int().min(1).max(1_000_000),
    /** A queued task not started within this long expires. */
    queuedTaskTtlSeconds: seconds(10, 7 * 24 * 3600),
    /** Retry backoff: the first retry waits up to this long, doubling per attempt… */
    retryBaseDelaySeconds: seconds(0, 900),
    /** …up to this cap (SQS delays 15 minutes at most). */
    retryMaxDelaySeconds: seconds(0, 900),

    // Agent manager (seed 000 `agent_manager`)
    /** Seconds between agent heartbeats. */
    healthCheckInterval: seconds(5, 300),
    maxAgentsPerType: z.number().int().min(1).max(100),
    /** The scaler sizes each type to clear its backlog within this many seconds. */
    targetLatencySeconds: seconds(5, 3_600),
    /** A type whose minimum is 0 scales to zero after this many minutes without work (one sample a minute is kept for it). */
    idleMinutes: z.number().int().min(1).max(60),
    /** Minutes between two scale-ins of a type (scale-out is never held back). */
    scaleInCooldownMinutes: z.number().int().min(0).max(1_440),
    /** Run the scaler every minute (off: sizes change only through the API). */
    autoScaling: z.boolean(),
    /** Run the health monitor's recovery actions every minute (off: it only runs when invoked). */
    autoRecovery: z.boolean(),

    // Specialists (seed 001)
    /** News feeds (JSON Feed) scraping-efficiency agents watch; none: they only serve tasks. */
    feedUrls: z.array(z.url()).max(20),
    /** Seconds between two polls of a feed. */
    feedPollSeconds: seconds(1, 3_600),
    /** Requests per minute one agent makes to one feed host at most. */
    feedRequestsPerMinute: z.number().int().min(1).max(6_000),
    /** Minutes between two metrics reviews by api-reliability and performance-optimizer; 0: none. */
    metricsReviewMinutes: z.number().int().min(0).max(1_440),

    // Coordination service (seed 000 `coordination_service`)
    /** Seconds within which agents following a topic see a new insight (seed 001's memory sync). */
    syncInterval: seconds(5, 3_600),
    /** The longest lease a lock may be granted or renewed for, in seconds. */
    resourceLockTimeout: seconds(5, 3_600),

    // Optimization engine (seed 000 `optimization_engine`)
    autoApplyLowRisk: z.boolean(),
    requireApprovalThreshold: RiskLevel,
    /** How long a recommendation waits for an operator's decision before it expires (the task token's TimeoutSeconds). */
    approvalTimeoutSeconds: seconds(5, 7 * 24 * 3600),
    /** How long the pipeline watches a runtime change's effect before it judges it (the window after, against the window before). */
    verificationWindowSeconds: seconds(1, 3_600),
    /** How long the pipeline waits for a settings document's lock that someone else holds before it gives up (`conflict`). */
    optimizationLockWaitSeconds: seconds(1, 3_600),
    /** Consumers of settings documents revalidate their version (ETag) at most this long after the last check. */
    settingsMaxAgeSeconds: seconds(0, 3_600),

    // Files (seed 004 uploads)
    /** Largest file one upload may be, in bytes: checked by the API and enforced by S3 through the upload form's policy. */
    maxUploadBytes: z
      .number()
      .int()
      .min(1_024)
      .max(5 * 1024 ** 3),

    // Dashboard
    /** Hours the dashboard keeps events for replay. */
    eventRetentionHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 14),
    /** Frames per second one WebSocket connection may send, sustained (its bucket's refill). */
    wsRateLimitPerSecond: z.number().min(0.1).max(1_000),
    /** Frames one WebSocket connection may send in a burst (its bucket's capacity). */
    wsRateLimitBurst: z.number().int().min(1).max(1_000),
    /** WebSocket connections one user may hold open at once; the next handshake is refused (`connection_limit`). */
    wsConnectionsPerUser: z.number().int().min(1).max(1_000),
    /**
     * Requests one client address may send through CloudFront in any 5 minutes before AWS WAF
     * answers 429 (a rate-based rule in front of the page and the HTTP API, ADR 0023); 0: no web
     * ACL, and the page calls the HTTP API's own endpoint. AWS WAF's smallest limit is 10.
     */
    wafRateLimit: z.union([z.literal(0), z.number().int().min(10).max(2_000_000_000)]),

    // Reliability (issue 14, ADR 0017)
    /** Run the stranded-task sweeper every minute (off: it only runs when invoked). */
    autoSweep: z.boolean(),
    /** A queued task the outbox never relayed is re-dispatched this long after it became available. */
    strandedAfterSeconds: seconds(10, 24 * 3600),
    /** Tasks one sweeper run reads at most (its bounded work). */
    sweepMaxTasks: z.number().int().min(1).max(1_000),
    /** Consecutive failures of a feed host that open its circuit breaker (seed 000 `failure_threshold`). */
    circuitBreakerFailureThreshold: z.number().int().min(1).max(100),
    /** Seconds an open breaker waits before one trial request (seed 000 `recovery_timeout`). */
    circuitBreakerRecoveryTimeout: seconds(1, 3_600),
    /** Addresses the stage's alarms are mailed to (each confirms its subscription once). */
    alarmEmails: z.array(z.email()).max(10),
    /** HTTPS endpoints the stage's alarms are posted to (SNS's HTTPS subscriptions, confirmed once). */
    alarmWebhooks: z.array(z.url({ protocol: /^https$/ })).max(10),

    // Jobs (issue 12, ADR 0020)
    /** Jobs running at once at most (seed 002 `MAX_CONCURRENT_JOBS`); the rest wait `queued`, in order. */
    maxConcurrentJobs: z.number().int().min(1).max(100),
    /** A running job is stopped and failed after this long. */
    jobTimeoutSeconds: seconds(30, 24 * 3600),
    /** Seconds between a job's heartbeats; three missed ones and it is failed as dead. */
    jobHeartbeatSeconds: seconds(1, 300),
  })
  .strict()
  .refine((config) => config.wafRateLimit === 0 || config.region === WEB_ACL_REGION, {
    path: ["wafRateLimit"],
    message: `needs region ${WEB_ACL_REGION}, where CloudFront's web ACLs live; set it to 0 to deploy elsewhere without one`,
  });
export type StageConfig = z.infer<typeof StageConfig>;

/** Heartbeats an agent may miss before its claim lapses and the task is timed out. */
export const LEASE_HEARTBEATS = 3;

/** The retry policy the stage's config describes, as the task state machine takes it. */
export const retryPolicyOf = (config: StageConfig) => ({
  baseDelaySeconds: config.retryBaseDelaySeconds,
  maxDelaySeconds: config.retryMaxDelaySeconds,
  queuedTtlSeconds: config.queuedTaskTtlSeconds,
});

const common = {
  logLevel: "INFO",
  logRetentionDays: 30,
  schedulingStrategy: "adaptive",
  maxConcurrentTasksPerAgent: 3,
  maxTaskPayloadBytes: 204_800,
  diagnosticTasks: true,
  maxReceiveCount: 5,
  maxQueueDepth: 10_000,
  queuedTaskTtlSeconds: 24 * 3600,
  retryBaseDelaySeconds: 2,
  retryMaxDelaySeconds: 300,
  healthCheckInterval: 30,
  maxAgentsPerType: 5,
  targetLatencySeconds: 60,
  idleMinutes: 15,
  scaleInCooldownMinutes: 5,
  autoScaling: true,
  autoRecovery: true,
  feedUrls: [] as string[],
  feedPollSeconds: 30,
  feedRequestsPerMinute: 30,
  metricsReviewMinutes: 15,
  syncInterval: 90,
  resourceLockTimeout: 300,
  autoApplyLowRisk: false,
  requireApprovalThreshold: "medium",
  approvalTimeoutSeconds: 24 * 3600,
  verificationWindowSeconds: 300,
  optimizationLockWaitSeconds: 300,
  settingsMaxAgeSeconds: 30,
  // Seed 004: 50 MB per file.
  maxUploadBytes: 50 * 1024 * 1024,
  eventRetentionHours: 24,
  wsRateLimitPerSecond: 10,
  wsRateLimitBurst: 20,
  wsConnectionsPerUser: 10,
  wafRateLimit: 0,
  autoSweep: true,
  strandedAfterSeconds: 300,
  sweepMaxTasks: 200,
  circuitBreakerFailureThreshold: 5,
  circuitBreakerRecoveryTimeout: 60,
  alarmEmails: [] as string[],
  alarmWebhooks: [] as string[],
  maxConcurrentJobs: 10,
  jobTimeoutSeconds: 3600,
  jobHeartbeatSeconds: 30,
} as const satisfies Partial<StageConfig>;

export const STAGE_DEFAULTS: Readonly<Record<StageName, StageConfig>> = {
  local: {
    ...common,
    stage: "local",
    account: "000000000000",
    region: "us-east-1",
    logLevel: "INFO",
    retainData: false,
    logRetentionDays: 1,
    maxReceiveCount: 3,
    maxQueueDepth: 5_000,
    queuedTaskTtlSeconds: 3600,
    retryBaseDelaySeconds: 1,
    retryMaxDelaySeconds: 10,
    healthCheckInterval: 5,
    targetLatencySeconds: 20,
    idleMinutes: 5,
    scaleInCooldownMinutes: 2,
    feedPollSeconds: 2,
    feedRequestsPerMinute: 60,
    metricsReviewMinutes: 2,
    // Agents see new insights within this; short locally so the cross-pollination test stays quick.
    syncInterval: 10,
    autoApplyLowRisk: true,
    approvalTimeoutSeconds: 900,
    verificationWindowSeconds: 10,
    optimizationLockWaitSeconds: 30,
    settingsMaxAgeSeconds: 2,
    // The fan-out test and benchmark open 100 connections as one seeded viewer.
    wsConnectionsPerUser: 200,
    strandedAfterSeconds: 20,
    jobHeartbeatSeconds: 2,
    jobTimeoutSeconds: 900,
  },
  dev: { ...common, stage: "dev", region: "us-east-1", retainData: false, logRetentionDays: 14 },
  prod: {
    ...common,
    stage: "prod",
    region: "us-east-1",
    retainData: true,
    logRetentionDays: 90,
    maxAgentsPerType: 20,
    // Diagnostics run arbitrary sleeps and failures on the real fleet: an admin turns them on for an investigation.
    diagnosticTasks: false,
    // About 7 requests a second from one address, sustained: well above a dashboard's polling and an operator's
    // scripts, and the per-user budgets in our code still apply beneath it.
    wafRateLimit: 2_000,
  },
};

/** `schedulingStrategy` → `TGE_SCHEDULING_STRATEGY` */
export const envVarFor = (key: string) => `TGE_${key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()}`;

/** Raised when the stage config is invalid; the message names each bad key and its variable. */
export class InvalidStageConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid stage config:\n  ${problems.join("\n  ")}`);
    this.name = "InvalidStageConfigError";
  }
}

const OVERRIDABLE = Object.keys(StageConfig.shape).filter((key) => key !== "stage");

/** Whether the key holds text, so its variable is taken as written (`TGE_ACCOUNT=123456789012` is an id, not a number). */
function holdsText(key: string): boolean {
  const schema = StageConfig.shape[key as keyof typeof StageConfig.shape];
  const inner = schema instanceof z.ZodOptional ? schema.unwrap() : schema;
  return inner instanceof z.ZodString;
}

function fromEnvString(raw: string, defaultValue: unknown, text: boolean): unknown {
  if (text) return raw;
  // Lists are comma-separated: TGE_FEED_URLS=https://a.example/feed.json,https://b.example/feed.json
  if (Array.isArray(defaultValue))
    return raw
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean);
  if (typeof defaultValue === "boolean" || raw === "true" || raw === "false") {
    return raw === "true" ? true : raw === "false" ? false : raw;
  }
  if (typeof defaultValue === "number" || (defaultValue === undefined && /^-?\d+(\.\d+)?$/.test(raw))) {
    const n = Number(raw);
    return raw.trim() !== "" && Number.isFinite(n) ? n : raw;
  }
  return raw;
}

/**
 * The config for `stage`: its defaults, overridden by any `TGE_*` variables in `env`.
 * Fails fast, naming every bad key, so a typo never deploys.
 *
 * @example
 * const config = loadStageConfig("dev", process.env);
 */
export function loadStageConfig(stage: string, env: Record<string, string | undefined> = {}): StageConfig {
  const stageName = StageName.safeParse(stage);
  if (!stageName.success) {
    throw new InvalidStageConfigError([`stage: "${stage}" is not one of ${STAGES.join(", ")}`]);
  }
  const defaults: Record<string, unknown> = { ...STAGE_DEFAULTS[stageName.data] };
  for (const key of OVERRIDABLE) {
    const raw = env[envVarFor(key)];
    if (raw !== undefined && raw !== "") defaults[key] = fromEnvString(raw, defaults[key], holdsText(key));
  }
  const unknown = Object.keys(env).filter(
    (name) => name.startsWith("TGE_") && !OVERRIDABLE.some((key) => envVarFor(key) === name),
  );
  const result = StageConfig.safeParse(defaults);
  const problems = [
    ...unknown.map((name) => `${name}: is not a configuration key (known: ${OVERRIDABLE.map(envVarFor).join(", ")})`),
    ...(result.success
      ? []
      : result.error.issues.map((issue) => {
          const key = issue.path.map(String).join(".");
          return `${key} (${envVarFor(key)}): ${issue.message}`;
        })),
  ];
  if (problems.length > 0 || !result.success) throw new InvalidStageConfigError(problems);
  return result.data;
}
