import { ECSClient } from "@aws-sdk/client-ecs";
import { DynamoDbJobStore } from "#jobs/adapters/dynamodb-job-store";
import { EcsJobTasks } from "#jobs/adapters/ecs-job-tasks";
import {
  JobLogGroupEnvironment,
  JobSlotsEnvironment,
  JobSweepEnvironment,
  JobsTableEnvironment,
  JobTasksEnvironment,
} from "#jobs/published/job-environment";
import { clientConfig, dynamoDocumentClient, eventBridgeClient } from "#shared/adapters/aws-clients";
import { EventBridgePublisher, EventBusEnvironment } from "#shared/adapters/eventbridge-publisher";
import { systemClock } from "#shared/clock";
import { once } from "#shared/once";
import { tracer } from "#shared/powertools";

/**
 * Wiring shared by the jobs handlers; each piece reads only its own variables, on first use, so
 * a function given no cluster cannot start tasks.
 */
export const clock = systemClock;
const db = once(() => dynamoDocumentClient());
export const store = once(() => new DynamoDbJobStore(db(), JobsTableEnvironment.read().JOBS_TABLE));
export const maxConcurrentJobs = once(() => JobSlotsEnvironment.read().MAX_CONCURRENT_JOBS);
export const tasks = once(() => {
  const env = JobTasksEnvironment.read();
  return new EcsJobTasks(tracer.captureAWSv3Client(new ECSClient(clientConfig())), {
    cluster: env.JOB_CLUSTER,
    taskDefinition: env.JOB_TASK_DEFINITION,
    subnets: env.JOB_SUBNETS,
    securityGroups: env.JOB_SECURITY_GROUPS,
  });
});
export const sweepLimits = once(() => {
  const env = JobSweepEnvironment.read();
  return { heartbeatTimeoutSeconds: env.JOB_HEARTBEAT_SECONDS * 3, jobTimeoutSeconds: env.JOB_TIMEOUT_SECONDS };
});
export const publisher = once(() => new EventBridgePublisher(eventBridgeClient(), EventBusEnvironment.read().EVENT_BUS_NAME));
/** Where a job's task logs: its log group and the stream ECS names after the task. */
export const logsOf = once(() => JobLogGroupEnvironment.read().JOB_LOG_GROUP);
