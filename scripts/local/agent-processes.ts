import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import * as path from "node:path";
import type { AgentType } from "#core/agents/domain/agent-types";
import { VISIBILITY_TO_CONSUMER_TIMEOUT } from "../../lib/constructs/priority-queues";
import { LEASE_HEARTBEATS, type StageConfig } from "../../lib/config/stage-config";
import { emulatorAwsEnv } from "./aws-env";
import type { LocalOutputs } from "./outputs";
import { BUILD_DIR, LOGS_DIR, REPO_ROOT } from "./paths";

/** Bundles the agent runtime once, as the container image does. Returns the script path. */
export function buildAgent(): string {
  const outdir = path.join(BUILD_DIR, "agent");
  const result = spawnSync(process.execPath, [path.join(REPO_ROOT, "containers/agent/build.mjs"), outdir], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`building the agent failed:\n${result.stderr}`);
  return path.join(outdir, "agent.mjs");
}

export interface AgentProcess {
  readonly agentId: string;
  readonly agentType: AgentType;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Resolves with the exit code (or signal) once the process has ended. */
  readonly exited: Promise<number | NodeJS.Signals>;
  /** SIGTERM, then SIGKILL if it has not exited within `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Runs one agent as a plain process — what an ECS task runs on AWS — with the environment its
 * task definition would give it, pointed at the emulator.
 */
export function startAgentProcess(
  script: string,
  outputs: LocalOutputs,
  config: StageConfig,
  agentType: AgentType,
  agentId: string,
  extraEnv: Record<string, string> = {},
): AgentProcess {
  mkdirSync(LOGS_DIR, { recursive: true });
  const logFile = path.join(LOGS_DIR, `${agentId}.log`);
  // One log per run of an agent id: a restarted agent starts a fresh file.
  const log = createWriteStream(logFile, { flags: "w" });
  const child = spawn(process.execPath, ["--enable-source-maps", script], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      ...emulatorAwsEnv(outputs.endpoint),
      AGENT_TYPE: agentType,
      AGENT_ID: agentId,
      TASKS_TABLE: outputs.TasksTableName,
      WORK_QUEUE_URLS: JSON.stringify(outputs.WorkQueueUrls[agentType]),
      MAX_CONCURRENT_TASKS: String(config.maxConcurrentTasksPerAgent),
      HEARTBEAT_INTERVAL_SECONDS: String(config.healthCheckInterval),
      VISIBILITY_TIMEOUT_SECONDS: String(config.healthCheckInterval * VISIBILITY_TO_CONSUMER_TIMEOUT),
      LONG_POLL_SECONDS: "2",
      LEASE_SECONDS: String(config.healthCheckInterval * LEASE_HEARTBEATS),
      MAX_RECEIVE_COUNT: String(config.maxReceiveCount),
      RETRY_BASE_DELAY_SECONDS: String(config.retryBaseDelaySeconds),
      RETRY_MAX_DELAY_SECONDS: String(config.retryMaxDelaySeconds),
      QUEUED_TTL_SECONDS: String(config.queuedTaskTtlSeconds),
      POWERTOOLS_SERVICE_NAME: "tge-swarm-agent",
      POWERTOOLS_LOG_LEVEL: config.logLevel,
      POWERTOOLS_DEV: "false",
      ...extraEnv,
    },
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | NodeJS.Signals>((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? signal ?? 0));
  });
  const stop = async (timeoutMs = 30_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    await exited;
    clearTimeout(timer);
  };
  return { agentId, agentType, child, logFile, exited, stop };
}
