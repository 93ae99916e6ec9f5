import * as path from "node:path";
import type { TestProject } from "vitest/node";
import { AGENT_TYPES, type AgentType } from "#core/agents/domain/agent-types";
import { loadStageConfig, type StageConfig } from "../../../lib/config/stage-config";
import { freePort } from "../../../scripts/local/emulator";
import { startLocalEnvironment } from "../../../scripts/local/environment";
import type { LocalOutputs } from "../../../scripts/local/outputs";
import { LOCAL_DIR } from "../../../scripts/local/paths";

/**
 * No agent runs for this type in the e2e environment, so tests can look at what lands on its
 * queues (how many messages, which ones) before anyone consumes it.
 */
export const UNATTENDED_AGENT_TYPE: AgentType = "performance-optimizer";

declare module "vitest" {
  export interface ProvidedContext {
    outputs: LocalOutputs;
    config: StageConfig;
  }
}

/**
 * The e2e stage is the local stage with limits tests can reach: a queue fills at 30 tasks
 * and a queued task expires after 30 seconds.
 */
export const E2E_OVERRIDES = { TGE_MAX_QUEUE_DEPTH: "30", TGE_QUEUED_TASK_TTL_SECONDS: "30" } as const;

/**
 * Once per `npm run test:e2e`: a fresh emulator on a free port (never the one `npm start`
 * uses), one deploy of the local stage into it, seeded users, and agents as local processes.
 */
export default async function setup(project: TestProject) {
  const started = Date.now();
  // A fresh emulator of our own, even when AWS_ENDPOINT_URL names another one.
  delete process.env.AWS_ENDPOINT_URL;
  Object.assign(process.env, E2E_OVERRIDES);
  const environment = await startLocalEnvironment({
    workDir: path.join(LOCAL_DIR, "e2e"),
    port: await freePort(),
    forceDeploy: true,
    agentTypes: AGENT_TYPES.filter((type) => type !== UNATTENDED_AGENT_TYPE),
    agentIdPrefix: "e2e",
    log: (line) => console.log(`[e2e] ${line.trim()}`),
  });
  project.provide("outputs", environment.outputs);
  project.provide("config", loadStageConfig("local", process.env));
  console.log(`[e2e] ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return () => environment.stop();
}
