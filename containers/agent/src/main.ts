import { DynamoDbTaskStore } from "#core/tasks/adapters/dynamodb-task-store";
import { SqsWorkSource } from "#core/tasks/adapters/sqs-work-source";
import { dynamoDocumentClient, sqsClient } from "#core/shared/adapters/aws-clients";
import { systemClock } from "#core/shared/clock";
import { logger } from "#core/shared/powertools";
import { loadAgentConfig } from "./config";
import { DIAGNOSTIC_HANDLERS } from "./handlers/diagnostics";
import { AgentRuntime } from "./runtime/agent-runtime";

const config = loadAgentConfig();
logger.appendKeys({ agentId: config.AGENT_ID, agentType: config.AGENT_TYPE });

const runtime = new AgentRuntime(
  {
    // A long poll holds a request open for LONG_POLL_SECONDS; give it room beyond that.
    source: new SqsWorkSource(sqsClient({ requestTimeoutMs: (config.LONG_POLL_SECONDS + 5) * 1_000 }), config.WORK_QUEUE_URLS),
    store: new DynamoDbTaskStore(dynamoDocumentClient(), config.TASKS_TABLE),
    handlers: DIAGNOSTIC_HANDLERS,
    clock: systemClock,
    logger,
  },
  {
    agentId: config.AGENT_ID,
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
    maxResultBytes: config.MAX_RESULT_BYTES,
  },
);

// Signal handlers only start the drain; the run loop does the work (seed 003's race). A
// repeated signal changes nothing: whoever must stop us sooner (ECS after its stop timeout,
// npm start after its grace) sends SIGKILL.
const onSignal = (signal: NodeJS.Signals) => {
  logger.info("stopping: no new work; finishing what is running", { signal });
  void runtime.stop(config.STOP_GRACE_SECONDS * 1_000);
};
process.on("SIGTERM", onSignal);
process.on("SIGINT", onSignal);

try {
  await runtime.run();
  process.exit(0);
} catch (error) {
  logger.error("agent crashed", { error });
  process.exit(1);
}
