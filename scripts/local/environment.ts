import type { AgentType } from "#core/agents/domain/agent-types";
import { loadStageConfig } from "../../lib/config/stage-config";
import { type AgentProcess, buildAgent, startAgentProcess } from "./agent-processes";
import { useEmulator } from "./aws-env";
import { type DeployResult, deployLocal } from "./deploy";
import { type RunningEmulator, startEmulator } from "./emulator";
import type { LocalOutputs } from "./outputs";
import { seedLocalUsers } from "./users";

export interface LocalEnvironmentOptions {
  /** Where the deploy keeps outputs and state (see `deployLocal`). */
  readonly workDir: string;
  /** Emulator port. @default 4566 when free, else any free port */
  readonly port?: number;
  /** Keep emulator state here across restarts. @default a fresh emulator */
  readonly stateDir?: string;
  /** Deploy even if nothing changed. @default false */
  readonly forceDeploy?: boolean;
  /** Agent types to run one agent process for. */
  readonly agentTypes: readonly AgentType[];
  /** Prefix for agent ids, e.g. `e2e` gives `e2e-data-quality-1`. @default none */
  readonly agentIdPrefix?: string;
  readonly log: (line: string) => void;
}

export interface LocalEnvironment {
  readonly emulator: RunningEmulator;
  readonly outputs: LocalOutputs;
  readonly deploy: DeployResult;
  readonly agents: AgentProcess[];
  /** Stops the agents, then the emulator; leaves no process behind. */
  stop(): Promise<void>;
}

/**
 * The swarm on this machine: the emulator, the local stage deployed into it, seeded users,
 * and agents as plain processes. `npm start`, the e2e tests and the benchmarks all use this.
 */
export async function startLocalEnvironment(options: LocalEnvironmentOptions): Promise<LocalEnvironment> {
  const agents: AgentProcess[] = [];
  let emulator: RunningEmulator | undefined;
  const stop = async () => {
    await Promise.all(agents.map((agent) => agent.stop()));
    await emulator?.stop();
  };
  try {
    emulator = await startEmulator({ port: options.port, stateDir: options.stateDir });
    useEmulator(emulator.endpoint);
    options.log(`[emulator] ${emulator.endpoint} (${emulator.pid ? `log ${emulator.logFile}` : "reused from AWS_ENDPOINT_URL"})`);
    const deploy = await deployLocal({
      endpoint: emulator.endpoint,
      workDir: options.workDir,
      force: options.forceDeploy,
      log: options.log,
    });
    await seedLocalUsers(deploy.outputs);
    const config = loadStageConfig("local", process.env);
    const script = buildAgent();
    const prefix = options.agentIdPrefix ? `${options.agentIdPrefix}-` : "";
    for (const agentType of options.agentTypes) {
      agents.push(startAgentProcess(script, deploy.outputs, config, agentType, `${prefix}${agentType}-1`));
    }
    return { emulator, outputs: deploy.outputs, deploy, agents, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
