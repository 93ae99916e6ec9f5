import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { awaitExit, describeProgress, residentBytes, saveBoundMs, saveProgress } from "./emulator-stop";
import { LOGS_DIR, REPO_ROOT, VENV_DIR } from "./paths";

export interface EmulatorOptions {
  /** Port to listen on. @default 4566 when free, else any free port */
  readonly port?: number;
  /** Keep state across restarts in this directory. @default no persistence (a fresh emulator) */
  readonly stateDir?: string;
  /** Deadline for the emulator to answer its health check. @default 30000 */
  readonly startTimeoutMs?: number;
  /** Use the emulator AWS_ENDPOINT_URL names, when it names one. @default true */
  readonly reuseExisting?: boolean;
  /**
   * Where the running emulator's pid is kept, so that a later start finds one an earlier start
   * left behind (see `stopLeftoverEmulator`). @default not kept
   */
  readonly pidFile?: string;
  /** Progress while stopping. @default console.log */
  readonly log?: (line: string) => void;
  /**
   * Log every request the emulator serves (its DEBUG level: one `-> service=` line each), so a
   * benchmark can count AWS requests by service (see scripts/bench/request-counts.ts). @default false
   */
  readonly requestLog?: boolean;
}

/** How a stop went. */
export interface EmulatorStopped {
  /** It exited by itself after SIGTERM, with status 0 and within the bound: its save (if it keeps state) ran to the end. */
  readonly exitedCleanly: boolean;
  readonly seconds: number;
  /** What the emulator logged while stopping; a service whose state could not be saved is named here. */
  readonly stopLog: string;
}

export interface RunningEmulator {
  /** e.g. `http://127.0.0.1:4566` */
  readonly endpoint: string;
  readonly port: number;
  /** Undefined when we reuse an emulator someone else started. */
  readonly pid: number | undefined;
  readonly logFile: string | undefined;
  /**
   * Stops the emulator we started (and every process it spawned): SIGTERM, then a wait for its
   * save with progress on `log`, bounded by `saveBoundMs`, then SIGKILL. A no-op for a reused one.
   */
  stop(): Promise<EmulatorStopped>;
}

export class EmulatorError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
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

function exitOf(child: ChildProcess): Promise<number | NodeJS.Signals> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? child.signalCode ?? 0);
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? 0)));
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

/** The pid record of a running emulator (see `EmulatorOptions.pidFile`). */
interface EmulatorPidRecord {
  readonly pid: number;
  readonly port: number;
  readonly stateDir?: string;
  /** The process that started it (`npm start`'s). */
  readonly ownerPid: number;
}

/** Signals a process group; one that has just gone (ESRCH) needs no signal. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/** Kills what is left of a process group after its leader exited or was killed. */
async function reapGroup(pid: number): Promise<void> {
  for (let i = 0; i < 50 && groupAlive(pid); i++) {
    if (i === 10) signalGroup(pid, "SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * SIGTERM to the group, then wait for the emulator to save and exit, saying how the save goes;
 * past the bound, SIGKILL. Lambda worker processes in the group go with it.
 */
async function stopGroup(
  pid: number,
  exited: Promise<number | NodeJS.Signals>,
  stateDir: string | undefined,
  log: (line: string) => void,
): Promise<{ exited: number | NodeJS.Signals | "killed"; seconds: number }> {
  const started = Date.now();
  const boundMs = saveBoundMs(residentBytes(pid));
  signalGroup(pid, "SIGTERM");
  if (stateDir) log(`[stop] the emulator is saving its state to ${stateDir} (allowing up to ${Math.round(boundMs / 1_000)}s)…`);
  const inTime = await awaitExit({
    exited,
    boundMs,
    progress: (seconds) => {
      if (stateDir) log(`[stop]   ${seconds}s: ${describeProgress(saveProgress(stateDir, started))}`);
    },
  });
  if (!inTime) {
    log(`[stop] the emulator did not exit within ${Math.round(boundMs / 1_000)}s; killing it`);
    signalGroup(pid, "SIGKILL");
  }
  await reapGroup(pid);
  return { exited: inTime ? await exited : "killed", seconds: (Date.now() - started) / 1_000 };
}

const commandOf = (pid: number) => spawnSync("ps", ["-o", "command=", "-p", String(pid)], { encoding: "utf8" }).stdout.trim();

/** An emulator an earlier start left running, as found and stopped. */
export interface LeftoverStopped extends EmulatorStopped {
  readonly pid: number;
  readonly port: number;
}

/**
 * Stops an emulator that an earlier start left running (its start script was killed, or its
 * terminal closed), so that no two emulators share a port or a state directory. It gets the
 * same SIGTERM and bounded wait as any stop, so it saves its state first; `beforeStop` runs
 * just before the SIGTERM. Refuses when the start that owns it is still running.
 * Answers undefined when no such emulator runs.
 */
export async function stopLeftoverEmulator(
  pidFile: string,
  log: (line: string) => void,
  beforeStop: () => void = () => undefined,
): Promise<LeftoverStopped | undefined> {
  if (!existsSync(pidFile)) return undefined;
  let record: EmulatorPidRecord;
  try {
    record = JSON.parse(readFileSync(pidFile, "utf8")) as EmulatorPidRecord;
  } catch (error) {
    throw new EmulatorError(`${pidFile} is not the emulator record this script writes; delete it`, { cause: error });
  }
  if (!alive(record.pid) || !commandOf(record.pid).includes("ministack")) {
    rmSync(pidFile);
    return undefined;
  }
  if (record.ownerPid !== process.pid && alive(record.ownerPid)) {
    throw new EmulatorError(
      `another start (pid ${record.ownerPid}) runs the emulator on port ${record.port}${record.stateDir ? ` with the state in ${record.stateDir}` : ""}; stop it first (Ctrl-C where it runs)`,
    );
  }
  log(`[emulator] an emulator an earlier start left running (pid ${record.pid}, port ${record.port}) is stopped first`);
  const logFile = path.join(LOGS_DIR, `emulator-${record.port}.log`);
  const logOffset = statSync(logFile, { throwIfNoEntry: false })?.size ?? 0;
  // Not our child: its exit status cannot be read, only that it went away.
  const exited = new Promise<number>((resolve) => {
    const poll = setInterval(() => {
      if (!alive(record.pid)) {
        clearInterval(poll);
        resolve(0);
      }
    }, 200);
  });
  beforeStop();
  const { exited: how, seconds } = await stopGroup(record.pid, exited, record.stateDir, log);
  rmSync(pidFile, { force: true });
  const stopLog = existsSync(logFile) ? readFileSync(logFile, "utf8").slice(logOffset) : "";
  return { pid: record.pid, port: record.port, exitedCleanly: how === 0, seconds, stopLog };
}

/**
 * Reuses the emulator named by AWS_ENDPOINT_URL when one answers there (unless told not to);
 * otherwise starts the pinned MiniStack from .local/venv. Our own emulator runs in its own
 * process group, so stopping it also stops the Lambda worker processes it spawned.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const log = options.log ?? console.log;
  const external = options.reuseExisting === false ? undefined : process.env.AWS_ENDPOINT_URL;
  if (external) {
    if (!(await isEmulatorHealthy(external, 3_000))) {
      throw new EmulatorError(
        `AWS_ENDPOINT_URL is set to ${external}, but no emulator answers there. Unset it to let us start one.`,
      );
    }
    const port = Number(new URL(external).port || 4566);
    const stop = async (): Promise<EmulatorStopped> => ({ exitedCleanly: false, seconds: 0, stopLog: "" });
    return { endpoint: external.replace(/\/+$/, ""), port, pid: undefined, logFile: undefined, stop };
  }

  const binary = path.join(VENV_DIR, "bin", "ministack");
  if (!existsSync(binary)) throw new EmulatorError(`${binary} is missing; run \`node scripts/bootstrap.mjs\` first.`);
  const port = options.port ?? ((await portIsFree(4566)) ? 4566 : await freePort());
  if (!(await portIsFree(port))) throw new EmulatorError(`port ${port} is already in use`);
  const endpoint = `http://127.0.0.1:${port}`;

  mkdirSync(LOGS_DIR, { recursive: true });
  const logFile = path.join(LOGS_DIR, `emulator-${port}.log`);
  const logFd = openSync(logFile, "w");
  const persistence = options.stateDir
    ? { PERSIST_STATE: "1", STATE_DIR: options.stateDir, S3_PERSIST: "1", S3_DATA_DIR: path.join(options.stateDir, "s3") }
    : { PERSIST_STATE: "0", S3_PERSIST: "0" };
  if (options.stateDir) mkdirSync(options.stateDir, { recursive: true });
  const child = spawn(binary, [], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ["ignore", logFd, logFd],
    env: {
      ...process.env,
      GATEWAY_PORT: String(port),
      // Warnings and errors only; a service whose state cannot be saved logs an error, which the stop reads.
      LOG_LEVEL: options.requestLog ? "DEBUG" : "WARNING",
      // Functions run on the host's Node, which has no AWS SDK. Ours bundle it; this lets any
      // handler that expects the runtime's SDK (CDK's own custom resources) find the real one.
      NODE_PATH: path.join(REPO_ROOT, "node_modules"),
      // Queue URLs then name the same host as AWS_ENDPOINT_URL, so the SDK uses them as-is.
      MINISTACK_HOST: "127.0.0.1",
      ...persistence,
    },
  });
  closeSync(logFd);
  const pid = child.pid;
  if (pid === undefined) throw new EmulatorError("the emulator process did not start");
  const exited = exitOf(child);
  if (options.pidFile) {
    const record: EmulatorPidRecord = {
      pid,
      port,
      ownerPid: process.pid,
      ...(options.stateDir ? { stateDir: options.stateDir } : {}),
    };
    writeFileSync(options.pidFile, `${JSON.stringify(record)}\n`);
  }

  let stopping: Promise<EmulatorStopped> | undefined;
  const stop = (): Promise<EmulatorStopped> => {
    stopping ??= (async () => {
      const logOffset = statSync(logFile, { throwIfNoEntry: false })?.size ?? 0;
      if (!groupAlive(pid)) return { exitedCleanly: false, seconds: 0, stopLog: "the emulator had already exited" };
      const { exited: how, seconds } = await stopGroup(pid, exited, options.stateDir, log);
      if (options.pidFile) rmSync(options.pidFile, { force: true });
      const stopLog = existsSync(logFile) ? readFileSync(logFile, "utf8").slice(logOffset) : "";
      return { exitedCleanly: how === 0, seconds, stopLog };
    })();
    return stopping;
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  while (!(await isEmulatorHealthy(endpoint))) {
    if (child.exitCode !== null) {
      if (options.pidFile) rmSync(options.pidFile, { force: true });
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
