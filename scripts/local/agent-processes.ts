import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import * as path from "node:path";
import { DescribeTaskDefinitionCommand, type ECSClient } from "@aws-sdk/client-ecs";
import type { AgentType } from "#kernel/agent-catalog";
import { emulatorAwsEnv } from "./aws-env";
import { BUILD_DIR, LOGS_DIR, REPO_ROOT } from "./paths";

/** Bundles the agent runtime once, as the container image does. Returns the script path. */
export function buildAgent(): string {
  const outdir = path.join(BUILD_DIR, "agent");
  const result = spawnSync(process.execPath, [path.join(REPO_ROOT, "containers/agent/build.mjs"), outdir], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`building the agent failed:\n${result.stderr}`);
  return path.join(outdir, "agent.mjs");
}

/**
 * The environment the `agent` container of a task definition is given — what ECS would pass
 * the container on AWS, read back from the deployed definition so local agents run with
 * exactly what the CDK defined.
 */
export async function containerEnvironment(ecs: ECSClient, taskDefinitionArn: string): Promise<Record<string, string>> {
  const { taskDefinition } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn }));
  const container = taskDefinition?.containerDefinitions?.find((c) => c.name === "agent");
  if (!container) throw new Error(`task definition ${taskDefinitionArn} has no "agent" container`);
  return Object.fromEntries((container.environment ?? []).map((e) => [e.name ?? "", e.value ?? ""]));
}

export interface AgentLaunch {
  readonly script: string;
  readonly endpoint: string;
  readonly agentType: AgentType;
  readonly agentId: string;
  /** The ECS task the process stands in for; unset for an agent no service manages. */
  readonly taskArn?: string;
  /** The container environment from the task definition (see `containerEnvironment`). */
  readonly environment: Readonly<Record<string, string>>;
  /** Overrides for a test (a smaller concurrency limit, say). */
  readonly extraEnv?: Readonly<Record<string, string>>;
}

export interface AgentProcess {
  readonly agentId: string;
  readonly agentType: AgentType;
  readonly taskArn?: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Resolves with the exit code (or signal) once the process has ended. */
  readonly exited: Promise<number | NodeJS.Signals>;
  /** SIGTERM, then SIGKILL if it has not exited within `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
}

/** Runs one agent as a plain process — what an ECS task runs on AWS — pointed at the emulator. */
export function startAgentProcess(launch: AgentLaunch): AgentProcess {
  mkdirSync(LOGS_DIR, { recursive: true });
  const logFile = path.join(LOGS_DIR, `${launch.agentId}.log`);
  // One log per run of an agent id: a restarted agent starts a fresh file.
  const log = createWriteStream(logFile, { flags: "w" });
  const child = spawn(process.execPath, ["--enable-source-maps", launch.script], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...launch.environment,
      ...emulatorAwsEnv(launch.endpoint),
      AGENT_ID: launch.agentId,
      ...(launch.taskArn ? { TASK_ARN: launch.taskArn } : {}),
      POWERTOOLS_DEV: "false",
      ...launch.extraEnv,
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
  return {
    agentId: launch.agentId,
    agentType: launch.agentType,
    ...(launch.taskArn ? { taskArn: launch.taskArn } : {}),
    child,
    logFile,
    exited,
    stop,
  };
}

/** Whether process `pid` is alive. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A process an earlier fleet runner recorded (see `FleetAgentRecord`). */
export interface RecordedAgent {
  readonly agentId: string;
  readonly pid: number;
}

/**
 * Stops agent processes an earlier runner recorded that still run (its `npm start` was killed,
 * so nobody stopped them): SIGTERM, then SIGKILL after `timeoutMs`. A recorded pid is only
 * signalled while its command line still runs `script`, so a pid the system has since given to
 * another program is left alone. Answers the agents it stopped.
 */
export async function stopLeftoverAgents(
  records: readonly RecordedAgent[],
  script: string,
  timeoutMs: number,
): Promise<string[]> {
  const ours = records.filter((record) => {
    if (record.pid <= 0 || !alive(record.pid)) return false;
    const command = spawnSync("ps", ["-o", "command=", "-p", String(record.pid)], { encoding: "utf8" }).stdout;
    return command.includes(script);
  });
  for (const record of ours) process.kill(record.pid, "SIGTERM");
  const deadline = Date.now() + timeoutMs;
  while (ours.some((record) => alive(record.pid)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  for (const record of ours.filter((r) => alive(r.pid))) process.kill(record.pid, "SIGKILL");
  return ours.map((record) => record.agentId);
}
