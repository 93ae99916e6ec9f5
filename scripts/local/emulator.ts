import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { LOGS_DIR, REPO_ROOT, VENV_DIR } from "./paths";

export interface EmulatorOptions {
  /** Port to listen on. @default 4566 when free, else any free port */
  readonly port?: number;
  /** Keep state across restarts in this directory. @default no persistence (a fresh emulator) */
  readonly stateDir?: string;
  /** Deadline for the emulator to answer its health check. @default 30000 */
  readonly startTimeoutMs?: number;
}

export interface RunningEmulator {
  /** e.g. `http://127.0.0.1:4566` */
  readonly endpoint: string;
  readonly port: number;
  /** Undefined when we reuse an emulator someone else started. */
  readonly pid: number | undefined;
  readonly logFile: string | undefined;
  /** Stops the emulator we started (and every process it spawned); a no-op for a reused one. */
  stop(): Promise<void>;
}

export class EmulatorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EmulatorError";
  }
}

const HEALTH_PATHS = ["/_ministack/health", "/_localstack/health"];

/** Whether something answers an emulator health check at `endpoint`. */
export async function isEmulatorHealthy(endpoint: string, timeoutMs = 1_000): Promise<boolean> {
  for (const healthPath of HEALTH_PATHS) {
    try {
      const response = await fetch(`${endpoint}${healthPath}`, { signal: AbortSignal.timeout(timeoutMs) });
      if (response.ok) return true;
    } catch {
      // not this path, or nothing listening: try the next path, then report unhealthy
    }
  }
  return false;
}

export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "0.0.0.0" }, () => server.close(() => resolve(true)));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen({ port: 0, host: "0.0.0.0" }, () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function exited(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Whether any process of the group led by `pid` is still alive. */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function tail(file: string, lines = 30): string {
  return existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").slice(-lines).join("\n") : "(no log)";
}

/**
 * Reuses the emulator named by AWS_ENDPOINT_URL when one answers there; otherwise starts the
 * pinned MiniStack from .local/venv. Our own emulator runs in its own process group, so
 * stopping it also stops the Lambda worker processes it spawned.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const external = process.env.AWS_ENDPOINT_URL;
  if (external) {
    if (!(await isEmulatorHealthy(external, 3_000))) {
      throw new EmulatorError(
        `AWS_ENDPOINT_URL is set to ${external}, but no emulator answers there. Unset it to let us start one.`,
      );
    }
    const port = Number(new URL(external).port || 4566);
    return { endpoint: external.replace(/\/+$/, ""), port, pid: undefined, logFile: undefined, stop: async () => {} };
  }

  const binary = path.join(VENV_DIR, "bin", "ministack");
  if (!existsSync(binary)) throw new EmulatorError(`${binary} is missing; run \`node scripts/bootstrap.mjs\` first.`);
  const port = options.port ?? ((await portIsFree(4566)) ? 4566 : await freePort());
  if (!(await portIsFree(port))) throw new EmulatorError(`port ${port} is already in use`);
  const endpoint = `http://127.0.0.1:${port}`;

  mkdirSync(LOGS_DIR, { recursive: true });
  const logFile = path.join(LOGS_DIR, `emulator-${port}.log`);
  const log = openSync(logFile, "w");
  const persistence = options.stateDir
    ? { PERSIST_STATE: "1", STATE_DIR: options.stateDir, S3_PERSIST: "1", S3_DATA_DIR: path.join(options.stateDir, "s3") }
    : { PERSIST_STATE: "0", S3_PERSIST: "0" };
  if (options.stateDir) mkdirSync(options.stateDir, { recursive: true });
  const child = spawn(binary, [], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ["ignore", log, log],
    env: {
      ...process.env,
      GATEWAY_PORT: String(port),
      LOG_LEVEL: "WARNING",
      // Functions run on the host's Node, which has no AWS SDK. Ours bundle it; this lets any
      // handler that expects the runtime's SDK (CDK's own custom resources) find the real one.
      NODE_PATH: path.join(REPO_ROOT, "node_modules"),
      // Queue URLs then name the same host as AWS_ENDPOINT_URL, so the SDK uses them as-is.
      MINISTACK_HOST: "127.0.0.1",
      ...persistence,
    },
  });
  closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new EmulatorError("the emulator process did not start");

  const stop = async () => {
    if (!groupAlive(pid)) return;
    process.kill(-pid, "SIGTERM");
    // Given time, the emulator saves its state on SIGTERM; then nothing of it may remain.
    if (!(await exited(child, 15_000))) process.kill(-pid, "SIGKILL");
    for (let i = 0; i < 50 && groupAlive(pid); i++) {
      if (i === 10) process.kill(-pid, "SIGKILL");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  while (!(await isEmulatorHealthy(endpoint))) {
    if (child.exitCode !== null) {
      throw new EmulatorError(`the emulator exited with ${child.exitCode} while starting:\n${tail(logFile)}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new EmulatorError(`the emulator did not answer within ${options.startTimeoutMs ?? 30_000} ms:\n${tail(logFile)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { endpoint, port, pid, logFile, stop };
}
