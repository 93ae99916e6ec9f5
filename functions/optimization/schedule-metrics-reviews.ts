import { agentTypesServing } from "#kernel/agent-catalog";
import { RUNTIME_SETTINGS_DOCUMENT, RuntimeSettings } from "#optimization/published/runtime-settings";
import { s3SettingsReader, SettingsEnvironment } from "#optimization/published/settings-reader";
import { dynamoDocumentClient, s3Client } from "#shared/adapters/aws-clients";
import { instrumented } from "#shared/instrumented";
import { QueueFullError } from "#shared/errors";
import { logger } from "#shared/powertools";
import { SubmitterEnvironment, systemCaller, systemSubmitter } from "#tasks/published/task-submitter";

const env = SettingsEnvironment.and(SubmitterEnvironment).read();
const submit = systemSubmitter(dynamoDocumentClient(), systemCaller("metrics-review-schedule"), {
  tasksTable: env.TASKS_TABLE,
  statsTable: env.TASK_STATS_TABLE,
  maxQueueDepth: env.MAX_QUEUE_DEPTH,
  queuedTtlSeconds: env.QUEUED_TTL_SECONDS,
  schedulingStrategy: env.SCHEDULING_STRATEGY,
});

const runtimeSettings = s3SettingsReader({
  s3: s3Client(),
  env,
  document: RUNTIME_SETTINGS_DOCUMENT,
  schema: RuntimeSettings,
  onProblem: (message, details) => logger.error(message, details),
});

/**
 * On its schedule: one `metrics.review` task for each reviewer type, with the timeout the
 * runtime settings give that type's tasks. The idempotency key names
 * the minute, so a repeated trigger submits nothing twice; a review nobody takes expires
 * before the next one is due.
 */
export const handler = instrumented(
  async (event: { time?: string }) => {
    const minute = (event.time ?? new Date().toISOString()).slice(0, 16);
    const submitted: string[] = [];
    const { value: settings } = await runtimeSettings.current();
    for (const agentType of agentTypesServing("metrics.review")) {
      try {
        const { task, created } = await submit({
          type: "metrics.review",
          agentType,
          priority: "low",
          timeoutSeconds: settings.agentTypes[agentType].taskTimeoutSeconds,
          maxRetries: 1,
          payload: {},
          idempotencyKey: `metrics-review:${agentType}:${minute}`,
        });
        if (created) submitted.push(task.taskId);
      } catch (error) {
        // A full queue already holds work for the type; a review can wait for the next turn.
        if (!(error instanceof QueueFullError)) throw error;
        logger.warn("review skipped: the reviewer's queue is full", { agentType });
      }
    }
    return { submitted };
  },
  (result) => ({ submitted: result.submitted.length }),
);
