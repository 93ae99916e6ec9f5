import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import * as z from "zod";
import { AgentType } from "#kernel/agent-catalog";
import { QUEUE_URLS } from "#tasks/published/queue-urls";
import { LOCAL_REGION } from "./aws-env";
import { OUTPUTS_FILE } from "./paths";
import { Priority } from "#kernel/task-vocabulary";

/** What a local deploy leaves in `.local/outputs.json` for scripts, agents and tests. */
export const LocalOutputs = z.object({
  stage: z.literal("local"),
  region: z.string(),
  endpoint: z.url(),
  HttpApiUrl: z.url(),
  WebSocketUrl: z.string().startsWith("ws"),
  UserPoolId: z.string(),
  UserPoolClientId: z.string(),
  EventBusName: z.string(),
  TasksTableName: z.string(),
  TaskStatsTableName: z.string(),
  SweeperFunctionName: z.string(),
  RelayFunctionName: z.string(),
  TimerCheckerFunctionName: z.string(),
  ConnectionsTableName: z.string(),
  EventsTableName: z.string(),
  BroadcasterFunctionName: z.string(),
  WorkQueueUrls: QUEUE_URLS,
  DeadLetterQueueUrls: QUEUE_URLS,
  /** The queue of delayed task checks (leases, recoveries, expiries); `npm start` resends unfinished tasks' timers to it after a restore. */
  TimerQueueUrl: z.url(),
  AgentsTableName: z.string(),
  DetectionsTableName: z.string(),
  FeedItemsTableName: z.string(),
  LocksTableName: z.string(),
  CoordinationEventsTableName: z.string(),
  InsightsTableName: z.string(),
  OptimizationStateMachineArn: z.string(),
  SettingsBucketName: z.string(),
  OptimizationsTableName: z.string(),
  ApprovalTokensTableName: z.string(),
  /** The model registry's artifacts bucket (it also stands in for the jobs' artifacts bucket until the jobs stack is merged). */
  ModelsBucketName: z.string(),
  ModelsTableName: z.string(),
  ClusterName: z.string(),
  AgentServiceNames: z.record(AgentType, z.string()),
  AgentTaskDefinitions: z.record(AgentType, z.string()),
  HealthMonitorFunctionName: z.string(),
  ScalerFunctionName: z.string(),
  MetricsReviewFunctionName: z.string(),
  RecordAgentTaskStateFunctionName: z.string(),
  MetricsSnapshotFunctionName: z.string(),
  MetricsHistoryTableName: z.string(),
  AlarmRelayFunctionName: z.string(),
  AlarmTopicArn: z.string(),
  AlarmRelayFailuresQueueUrl: z.url(),
  /** Alarm names by agent type and priority, one per work queue's dead-letter queue. */
  DeadLetterAlarmNames: z.record(AgentType, z.record(Priority, z.string())),
  JobsTableName: z.string(),
  JobArtifactsBucketName: z.string(),
  JobClusterName: z.string(),
  /** The job task definition's family: the local job runner follows its tasks. */
  JobTaskFamily: z.string(),
  JobCheckFunctionName: z.string(),
  FilesBucketName: z.string(),
  FilesTableName: z.string(),
  ValidateUploadFunctionName: z.string(),
  FileValidationFailuresQueueUrl: z.url(),
  /** The dashboard page, added by `npm start` once its server runs (scripts/local/web-server.ts). */
  DashboardUrl: z.url().optional(),
});
export type LocalOutputs = z.infer<typeof LocalOutputs>;

/** Outputs the stacks write as JSON text: maps by agent type (and priority). */
const JSON_OUTPUTS = new Set([
  "WorkQueueUrls",
  "DeadLetterQueueUrls",
  "AgentServiceNames",
  "AgentTaskDefinitions",
  "DeadLetterAlarmNames",
]);

/**
 * Flattens the per-stack CDK outputs and swaps API Gateway's `<id>.execute-api…` host names,
 * which do not resolve here, for the emulator's path-style data-plane URLs.
 */
export function writeLocalOutputs(
  cdkOutputs: Record<string, Record<string, string>>,
  endpoint: string,
  file: string = OUTPUTS_FILE,
): LocalOutputs {
  const flat: Record<string, string> = Object.assign({}, ...Object.values(cdkOutputs));
  const wsEndpoint = endpoint.replace(/^http/, "ws");
  // Every output the schema names is copied from the stacks' outputs (the maps arrive as JSON
  // text); only the stage and the path-style API URLs are made here. A missing one fails the parse by name.
  const copied = Object.fromEntries(
    Object.keys(LocalOutputs.shape)
      .filter((key) => flat[key] !== undefined)
      .map((key) => [key, JSON_OUTPUTS.has(key) ? JSON.parse(flat[key] as string) : flat[key]]),
  );
  const outputs = LocalOutputs.parse({
    ...copied,
    stage: "local",
    region: LOCAL_REGION,
    endpoint,
    HttpApiUrl: `${endpoint}/_aws/execute-api/${flat.HttpApiId}`,
    WebSocketUrl: `${wsEndpoint}/_aws/execute-api/${flat.WebSocketApiId}/${flat.WebSocketStageName}`,
  });
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(outputs, null, 2)}\n`);
  return outputs;
}

export function readLocalOutputs(file: string = OUTPUTS_FILE): LocalOutputs {
  let raw: string;
  try {
    raw = readFileSync(file, "utf8");
  } catch {
    throw new Error(`${file} does not exist; run \`npm start\` (or a local deploy) first.`);
  }
  return LocalOutputs.parse(JSON.parse(raw));
}
