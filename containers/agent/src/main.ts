import { AGENT_TYPE_SPECS } from "#kernel/agent-catalog";
import { DynamoDbAgentRegistry } from "#agents/adapters/dynamodb-agent-registry";
import { RUNTIME_SETTINGS_DOCUMENT, RuntimeSettings } from "#optimization/published/runtime-settings";
import { s3SettingsReader, SettingsEnvironment } from "#optimization/published/settings-reader";
import { dynamoDocumentClient, s3Client, sqsClient } from "#shared/adapters/aws-clients";
import { systemClock } from "#shared/clock";
import { logger } from "#shared/powertools";
import { DynamoDbTaskStore } from "#tasks/adapters/dynamodb-task-store";
import { SqsWorkSource } from "#tasks/adapters/sqs-work-source";
import { loadAgentConfig, MAX_RESULT_BYTES } from "./config";
import { resolveIdentity } from "./identity";
import { AgentRuntime } from "./runtime/agent-runtime";
import { LiveTuning } from "./runtime/live-tuning";
import { AgentPresence } from "./runtime/presence";
import { TaskProtection } from "./runtime/task-protection";
import { WorkloadMeter } from "./runtime/workload";
import { specialistFor } from "./specialists";

const config = loadAgentConfig();
const { agentId, taskArn } = await resolveIdentity(config);
logger.appendKeys({ agentId, agentType: config.AGENT_TYPE });

const spec = AGENT_TYPE_SPECS[config.AGENT_TYPE];
const db = dynamoDocumentClient();
const meter = new WorkloadMeter(spec.cpuUnits, spec.memoryMiB);
const protection = new TaskProtection(config.ECS_AGENT_URI, logger);
const s3 = s3Client();
const settingsEnv = SettingsEnvironment.read();
const runtimeSettings = s3SettingsReader({
  s3,
  env: settingsEnv,
  document: RUNTIME_SETTINGS_DOCUMENT,
  schema: RuntimeSettings,
  onProblem: (message, details) => logger.error(message, details),
});
// Concurrency and backoff as the runtime-settings document says now, within what the container is sized for.
const tuning = new LiveTuning(
  runtimeSettings,
  config.AGENT_TYPE,
  { maxConcurrentTasks: config.MAX_CONCURRENT_TASKS, retryBaseDelaySeconds: config.RETRY_BASE_DELAY_SECONDS },
  logger,
  settingsEnv.SETTINGS_MAX_AGE_SECONDS * 1_000,
);
const specialist = specialistFor({ agentId, agentType: config.AGENT_TYPE, env: process.env, db, logger, s3, runtimeSettings });

const runtime = new AgentRuntime(
  {
    // A long poll holds a request open for LONG_POLL_SECONDS; give it room beyond that.
    source: new SqsWorkSource(sqsClient({ requestTimeoutMs: (config.LONG_POLL_SECONDS + 5) * 1_000 }), config.WORK_QUEUE_URLS),
    store: new DynamoDbTaskStore(db, config.TASKS_TABLE),
    handlers: specialist.handlers,
    clock: systemClock,
    logger,
    tuning,
    observer: {
      taskFinished: (outcome) => meter.recordOutcome(outcome === "completed"),
      busyChanged: (busy) => void protection.update(busy),
    },
  },
  {
    agentId,
    agentType: config.AGENT_TYPE,
    maxConcurrentTasks: config.MAX_CONCURRENT_TASKS,
    heartbeatIntervalMs: config.HEARTBEAT_INTERVAL_SECONDS * 1_000,
    leaseSeconds: config.LEASE_SECONDS,
    maxReceiveCount: config.MAX_RECEIVE_COUNT,
    retryPolicy: {
      baseDelaySeconds: config.RETRY_BASE_DELAY_SECONDS,
      maxDelaySeconds: config.RETRY_MAX_DELAY_SECONDS,
      queuedTtlSeconds: config.QUEUED_TTL_SECONDS,
    },
    visibilityTimeoutSeconds: config.VISIBILITY_TIMEOUT_SECONDS,
    longPollSeconds: config.LONG_POLL_SECONDS,
    maxResultBytes: MAX_RESULT_BYTES,
  },
);

const stop = (why: string) => {
  logger.info("stopping: no new work; finishing what is running", { why });
  void specialist.background?.stop();
  tuning.stop();
  void runtime.stop(config.STOP_GRACE_SECONDS * 1_000);
};
const presence = new AgentPresence(
  new DynamoDbAgentRegistry(db, config.AGENTS_TABLE),
  {
    agentId,
    agentType: config.AGENT_TYPE,
    ...(taskArn ? { taskArn } : {}),
    capabilities: spec.capabilities,
    heartbeatIntervalMs: config.HEARTBEAT_INTERVAL_SECONDS * 1_000,
  },
  () => meter.sample(runtime.inFlight, runtime.concurrency()),
  logger,
  () => stop("evicted from the registry"),
);

// Signal handlers only start the drain; the run loop does the work (seed 003's race). A
// repeated signal changes nothing: whoever must stop us sooner (ECS after its stop timeout,
// npm start after its grace) sends SIGKILL.
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGINT", () => stop("SIGINT"));

try {
  await presence.register();
  tuning.start();
  specialist.background?.start();
  await runtime.run();
  await specialist.background?.stop();
  await presence.deregister("stopped after draining its work");
  process.exit(0);
} catch (error) {
  logger.error("agent crashed", { error });
  await presence.deregister(`crashed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
