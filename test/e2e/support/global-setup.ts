import * as path from "node:path";
import { ECSClient } from "@aws-sdk/client-ecs";
import type { TestProject } from "vitest/node";
import { AGENT_TYPES, type AgentType } from "#kernel/agent-catalog";
import { loadStageConfig, type StageConfig } from "../../../lib/config/stage-config";
import { containerEnvironment } from "../../../scripts/local/agent-processes";
import { freePort } from "../../../scripts/local/emulator";
import { FLEET_STATE_FILE, JOB_RUNNER_STATE_FILE, startLocalEnvironment } from "../../../scripts/local/environment";
import type { LocalOutputs } from "../../../scripts/local/outputs";
import { LOCAL_DIR } from "../../../scripts/local/paths";
import { setAgentCounts } from "../../../scripts/local/agent-counts";

/**
 * No agent runs for this type in the e2e environment (its service stays at zero), so tests can
 * look at what lands on its queues (how many messages, which ones) before anyone consumes it.
 */
export const UNATTENDED_AGENT_TYPE: AgentType = "performance-optimizer";

/** Types the e2e stage runs one agent of, through their ECS services and the fleet runner. */
export const ATTENDED_AGENT_TYPES = AGENT_TYPES.filter((type) => type !== UNATTENDED_AGENT_TYPE);

declare module "vitest" {
  export interface ProvidedContext {
    outputs: LocalOutputs;
    config: StageConfig;
    /** Each type's container environment, from its deployed task definition. */
    agentEnvironments: Record<AgentType, Record<string, string>>;
    /** The sample feed's URL; its control routes answer on the same host. */
    feedUrl: string;
    /** The fleet runner's list of agent processes (see FleetAgentRecord). */
    fleetStateFile: string;
    /** The job runner's list of job processes (see JobProcessRecord). */
    jobRunnerStateFile: string;
  }
}

/**
 * The e2e stage is the local stage with limits tests can reach (a queue fills at 30 tasks, a
 * queued task expires after 30 seconds, a WebSocket connection may send 10 frames at once and
 * 2 a second after that, an approval waits 15 seconds, a lock held by someone else 8) and
 * without the schedules that would act behind the
 * tests' backs: the scaler, the health monitor, the metrics reviews and the sweeper run when a test invokes
 * them.
 */
export const E2E_OVERRIDES = {
  // Small enough for the backpressure test to fill one type's queue (and one more) in a batch;
  // room for the 40 tasks the priority test queues for one type.
  TGE_MAX_QUEUE_DEPTH: "50",
  // Two job slots: the queueing test submits three.
  TGE_MAX_CONCURRENT_JOBS: "2",
  TGE_QUEUED_TASK_TTL_SECONDS: "30",
  TGE_AUTO_SCALING: "false",
  TGE_AUTO_RECOVERY: "false",
  TGE_METRICS_REVIEW_MINUTES: "0",
  TGE_AUTO_SWEEP: "false",
  // Well inside the 30-second queued TTL, so a stranded task is re-dispatched before it expires.
  TGE_STRANDED_AFTER_SECONDS: "10",
  TGE_WS_RATE_LIMIT_BURST: "10",
  TGE_WS_RATE_LIMIT_PER_SECOND: "2",
  // The optimization pipeline's waits, short enough for its e2e tests to reach every path.
  TGE_APPROVAL_TIMEOUT_SECONDS: "15",
  TGE_VERIFICATION_WINDOW_SECONDS: "2",
  TGE_OPTIMIZATION_LOCK_WAIT_SECONDS: "8",
  // 1 MiB: the files tests send a file just over the limit, which S3 itself must refuse.
  TGE_MAX_UPLOAD_BYTES: "1048576",
} as const;

/**
 * Once per `npm run test:e2e`: a fresh emulator on a free port (never the one `npm start`
 * uses), one deploy of the local stage into it, seeded users, the sample feed (empty until a
 * test publishes), and the fleet runner following the agent services, with one agent for each
 * attended type.
 */
export default async function setup(project: TestProject) {
  const started = Date.now();
  // A fresh emulator of our own, even when AWS_ENDPOINT_URL names another one.
  delete process.env.AWS_ENDPOINT_URL;
  delete process.env.TGE_FEED_URLS;
  Object.assign(process.env, E2E_OVERRIDES);
  const workDir = path.join(LOCAL_DIR, "e2e");
  const environment = await startLocalEnvironment({
    workDir,
    port: await freePort(),
    forceDeploy: true,
    log: (line) => console.log(`[e2e] ${line.trim()}`),
  });
  const { outputs } = environment;
  // Types whose minimum is zero start without agents; the attended ones get one, as an operator would ask.
  await setAgentCounts(outputs, Object.fromEntries(ATTENDED_AGENT_TYPES.map((type) => [type, 1])));
  const ecs = new ECSClient({});
  const agentEnvironments = Object.fromEntries(
    await Promise.all(
      AGENT_TYPES.map(async (type) => [type, await containerEnvironment(ecs, outputs.AgentTaskDefinitions[type])] as const),
    ),
  ) as Record<AgentType, Record<string, string>>;
  ecs.destroy();
  await environment.fleet.settled(ATTENDED_AGENT_TYPES.length, 60_000);
  project.provide("outputs", outputs);
  project.provide("config", loadStageConfig("local", process.env));
  project.provide("agentEnvironments", agentEnvironments);
  project.provide("feedUrl", environment.feed.url);
  project.provide("fleetStateFile", path.join(workDir, FLEET_STATE_FILE));
  project.provide("jobRunnerStateFile", path.join(workDir, JOB_RUNNER_STATE_FILE));
  console.log(`[e2e] ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return () => environment.stop();
}
