import * as path from "node:path";
import type { TestProject } from "vitest/node";
import { AGENT_TYPES, type AgentType } from "#core/agents/domain/agent-types";
import { loadStageConfig } from "../../../lib/config/stage-config";
import { type AgentProcess, buildAgent, startAgentProcess } from "../../../scripts/local/agent-processes";
import { useEmulator } from "../../../scripts/local/aws-env";
import { deployLocal } from "../../../scripts/local/deploy";
import { freePort, type RunningEmulator, startEmulator } from "../../../scripts/local/emulator";
import type { LocalOutputs } from "../../../scripts/local/outputs";
import { LOCAL_DIR } from "../../../scripts/local/paths";
import { seedLocalUsers } from "../../../scripts/local/users";

/**
 * No agent runs for this type in the e2e environment, so tests can look at what lands on its
 * queues (how many messages, which ones) before anyone consumes it.
 */
export const UNATTENDED_AGENT_TYPE: AgentType = "performance-optimizer";

declare module "vitest" {
  export interface ProvidedContext {
    outputs: LocalOutputs;
  }
}

/**
 * Once per `npm run test:e2e`: a fresh emulator on a free port (never the one `npm start`
 * uses), one deploy of the local stage into it, seeded users, and agents as local processes.
 */
export default async function setup(project: TestProject) {
  const log = (line: string) => console.log(`[e2e] ${line}`);
  const started = Date.now();
  let emulator: RunningEmulator | undefined;
  const agents: AgentProcess[] = [];
  const teardown = async () => {
    await Promise.all(agents.map((agent) => agent.stop(10_000)));
    await emulator?.stop();
  };
  try {
    // A fresh emulator of our own, even when AWS_ENDPOINT_URL names another one.
    delete process.env.AWS_ENDPOINT_URL;
    emulator = await startEmulator({ port: await freePort() });
    useEmulator(emulator.endpoint);
    log(`emulator ${emulator.endpoint} (log ${emulator.logFile})`);
    const { outputs, seconds } = await deployLocal({
      endpoint: emulator.endpoint,
      workDir: path.join(LOCAL_DIR, "e2e"),
      force: true,
      log: (line) => log(line.trim()),
    });
    log(`deployed in ${seconds.toFixed(1)}s`);
    await seedLocalUsers(outputs);
    const config = loadStageConfig("local", {});
    const script = buildAgent();
    for (const agentType of AGENT_TYPES.filter((type) => type !== UNATTENDED_AGENT_TYPE)) {
      agents.push(startAgentProcess(script, outputs, config, agentType, `e2e-${agentType}-1`));
    }
    project.provide("outputs", outputs);
    log(`ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
