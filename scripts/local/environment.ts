import * as path from "node:path";
import { buildAgent } from "./agent-processes";
import { useEmulator } from "./aws-env";
import { deployLocal, type DeployResult, deployOutdatedBecause, readDeployState, useDeployed } from "./deploy";
import { missingFromDeployment } from "./deployed-resources";
import { portIsFree, type RunningEmulator, startEmulator, stopLeftoverEmulator } from "./emulator";
import { type FeedServer, startFeedServer } from "./feed-server";
import { FleetRunner } from "./fleet-runner";
import { buildJobRunner, JobRunner } from "./job-runner";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { pruneOldLogs, trimLocalLogs } from "./local-growth";
import type { LocalOutputs } from "./outputs";
import { LOGS_DIR } from "./paths";
import { type RestoredTasks, rewindStreamPositions, stopRestoredTasks } from "./restore-repairs";
import {
  beginSave,
  discardSavedState,
  inspectSavedState,
  recordSave,
  refreshRecord,
  type DeployRecord,
  type SaveRecord,
  stateBytes,
} from "./saved-state";
import { type SmokeResult, smokeCheck } from "./smoke-check";
import { deployedOutboxPorts, resendUnfinishedWork } from "./unfinished-tasks";
import { seedLocalUsers } from "./users";

/** The fleet runner's list of agent processes, under the work directory. */
export const FLEET_STATE_FILE = "fleet.json";
/** The job runner's list of job processes, under the work directory. */
export const JOB_RUNNER_STATE_FILE = "jobs.json";
/** The running emulator's pid, under the work directory, so a later start can stop one left behind. */
export const EMULATOR_PID_FILE = "emulator.json";

/** How often a running environment applies log retention to the emulator's CloudWatch Logs. */
const LOG_TRIM_EVERY_MS = 3600 * 1_000;

/** How long the fleet may take to match its services after a start, and the smoke check to pass. */
const SETTLE_TIMEOUT_MS = 90_000;

export interface LocalEnvironmentOptions {
  /** Where the deploy keeps outputs and state (see `deployLocal`). */
  readonly workDir: string;
  /** Emulator port. @default the saved state's port, else 4566 when free, else any free port */
  readonly port?: number;
  /** Keep emulator state here across restarts. @default a fresh emulator */
  readonly stateDir?: string;
  /** Deploy even if nothing changed. @default false */
  readonly forceDeploy?: boolean;
  /** Port of the sample news feed; a stable one keeps the deployed feed URL (and the deploy) unchanged. @default any */
  readonly feedPort?: number;
  /**
   * Before answering, check the swarm works end to end (see `smokeCheck`); a restored state that
   * fails it is discarded and deployed afresh. @default false
   */
  readonly smokeCheck?: boolean;
  /**
   * Aborts the start between steps (Ctrl-C while starting): what was started is stopped, and
   * the state is not recorded as saved. @default never
   */
  readonly signal?: AbortSignal;
  /** Have the emulator log every request it serves, for benchmarks that count them. @default false */
  readonly requestLog?: boolean;
  readonly log: (line: string) => void;
}

/** Where this start's emulator state came from. */
export type StateOrigin =
  | { readonly kind: "fresh" }
  | { readonly kind: "restored"; readonly savedAt: string; readonly bytes: number }
  | { readonly kind: "discarded"; readonly why: readonly string[] };

/** How a stop went. */
export interface StopReport {
  readonly seconds: number;
  /** Whether the emulator's state was saved whole (always false without a state directory). */
  readonly saved: boolean;
  readonly problems: readonly string[];
}

export interface LocalEnvironment {
  readonly emulator: RunningEmulator;
  readonly outputs: LocalOutputs;
  readonly deploy: DeployResult;
  /** Runs an agent process for every task the agent services run. */
  readonly fleet: FleetRunner;
  /** Runs a job process for every job task the back end starts. */
  readonly jobs: JobRunner;
  /** The sample news feed the scraping agents watch. */
  readonly feed: FeedServer;
  readonly origin: StateOrigin;
  /** The smoke check's result, when one was asked for. */
  readonly smoke?: SmokeResult;
  /** Stops the agents, then the emulator (waiting for its save) and the feed; leaves no process behind. */
  stop(): Promise<StopReport>;
}

const deployRecordOf = (record: DeployRecord | undefined) => (record ? { deploy: record } : {});

/** A saved state to restore, after its checks and repairs. */
interface Restorable {
  readonly record: SaveRecord;
  readonly bytes: number;
  /** ECS tasks the repair recorded as stopped; their stop is announced as ECS would have. */
  readonly stoppedTasks: readonly string[];
}

/**
 * Decides what to start from: a whole saved state (repaired for what the emulator does not
 * restore), or nothing. A half-saved state, or one whose port is taken, is discarded with the
 * reason said.
 */
async function prepareState(
  stateDir: string,
  port: number | undefined,
  log: (line: string) => void,
): Promise<Restorable | string[]> {
  const verdict = inspectSavedState(stateDir);
  if (verdict.kind === "none") return [];
  if (verdict.kind === "incomplete") {
    log(`[state] the saved emulator state is incomplete, so it is not used: ${verdict.problems.join("; ")}`);
    discardSavedState(stateDir);
    return [...verdict.problems];
  }
  const wanted = port ?? verdict.record.port;
  if (wanted !== verdict.record.port || !(await portIsFree(wanted))) {
    const why = `it belongs to an emulator on port ${verdict.record.port}, which ${wanted === verdict.record.port ? "is taken" : `is not the port asked for (${wanted})`}`;
    log(`[state] the saved emulator state is not used: ${why}`);
    discardSavedState(stateDir);
    return [why];
  }
  let tasks: RestoredTasks;
  try {
    const rewound = rewindStreamPositions(stateDir);
    if (rewound > 0) log(`[state] rewound ${rewound} stream event source mapping(s) to the start of their (unsaved) streams`);
    tasks = stopRestoredTasks(stateDir);
  } catch (error) {
    // Another emulator version's format: restored unrepaired, the relay would be dead again.
    const why = `it could not be repaired for a restore (${error instanceof Error ? error.message : String(error)})`;
    log(`[state] the saved emulator state is not used: ${why}`);
    discardSavedState(stateDir);
    return [why];
  }
  if (tasks.stopped.length > 0 || tasks.dropped > 0) {
    log(
      `[state] recorded ${tasks.stopped.length} ECS task(s) that were running as stopped (their agents went with the emulator)${tasks.dropped > 0 ? `; dropped ${tasks.dropped} stopped over an hour ago` : ""}`,
    );
  }
  const record = refreshRecord(stateDir, verdict.record);
  return { record, bytes: stateBytes(stateDir), stoppedTasks: tasks.stopped };
}

/**
 * The swarm on this machine: the sample news feed, the emulator, the local stage deployed into
 * it, seeded users, and the fleet runner that runs agent processes for the ECS services.
 * `npm start`, the e2e tests and the benchmarks all use this.
 *
 * With a state directory (`npm start`), a start restores what the last stop saved, but only a
 * whole save, and only what is verifiably deployed; it repairs what the emulator does not
 * restore (stream positions, restored ECS tasks, messages of unfinished tasks) and, with
 * `smokeCheck`, proves a task runs end to end. Anything short of that is discarded and
 * deployed afresh, once.
 */
export async function startLocalEnvironment(options: LocalEnvironmentOptions): Promise<LocalEnvironment> {
  const { log, stateDir, workDir } = options;
  const checkpoint = () => options.signal?.throwIfAborted();
  let emulator: RunningEmulator | undefined;
  let fleet: FleetRunner | undefined;
  let jobs: JobRunner | undefined;
  let feed: FeedServer | undefined;
  let deploy: DeployResult | undefined;
  const pidFile = path.join(workDir, EMULATOR_PID_FILE);

  let logTrimmer: NodeJS.Timeout | undefined;
  /** Applies log retention, which the emulator does not; the local state would otherwise grow with every invocation. */
  const trimLogs = async (endpoint: string) => {
    const logs = new CloudWatchLogsClient({ endpoint, requestHandler: { requestTimeout: 10_000 } });
    try {
      const trimmed = await trimLocalLogs(logs);
      if (trimmed.deletedStreams > 0) {
        log(
          `[state] function logs: deleted ${trimmed.deletedStreams} stream(s) past retention or the size bound (${(trimmed.bytesBefore / 1e6).toFixed(1)} → ${(trimmed.bytesAfter / 1e6).toFixed(1)} MB)`,
        );
      }
    } catch (error) {
      log(`[state] could not trim the function logs: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      logs.destroy();
    }
  };

  const stopAgentsAndEmulator = async (save: boolean): Promise<StopReport> => {
    clearInterval(logTrimmer);
    await Promise.all([fleet?.stop(), jobs?.stop()]);
    fleet = undefined;
    jobs = undefined;
    if (!emulator) return { seconds: 0, saved: false, problems: [] };
    const own = emulator.pid !== undefined;
    if (stateDir && own && save) beginSave(stateDir);
    const stopped = await emulator.stop();
    const port = emulator.port;
    emulator = undefined;
    if (!stateDir || !own || !save) return { seconds: stopped.seconds, saved: false, problems: [] };
    const problems = recordSave(stateDir, stopped, { port, ...deployRecordOf(deploy?.record) });
    return { seconds: stopped.seconds, saved: problems.length === 0, problems };
  };

  try {
    feed = await startFeedServer({ port: options.feedPort });
    // The scraping agents' feed is part of the stage config, so it is set before the deploy.
    process.env.TGE_FEED_URLS ??= feed.url;
    pruneOldLogs(LOGS_DIR);
    const reuse = Boolean(process.env.AWS_ENDPOINT_URL);
    // One emulator per state directory: one an earlier start left running is stopped (it saves first).
    if (stateDir && !reuse) {
      const leftover = await stopLeftoverEmulator(pidFile, log, () => beginSave(stateDir));
      if (leftover) {
        const problems = recordSave(stateDir, leftover, { port: leftover.port, ...deployRecordOf(readDeployState(workDir)) });
        log(`[emulator] stopped it in ${leftover.seconds.toFixed(1)}s${problems.length === 0 ? "; its state is saved" : ""}`);
      }
    }

    let discarded: string[] = [];
    for (let attempt = 1; ; attempt++) {
      deploy = undefined;
      const restorable = stateDir && !reuse ? await prepareState(stateDir, options.port, log) : [];
      if (Array.isArray(restorable)) discarded = [...discarded, ...restorable];
      const restored = Array.isArray(restorable) ? undefined : restorable;
      const origin: StateOrigin = restored
        ? { kind: "restored", savedAt: restored.record.savedAt, bytes: restored.bytes }
        : discarded.length > 0
          ? { kind: "discarded", why: discarded }
          : { kind: "fresh" };

      emulator = await startEmulator({
        port: options.port ?? restored?.record.port,
        stateDir,
        ...(stateDir ? { pidFile } : {}),
        log,
        reuseExisting: reuse,
        ...(options.requestLog ? { requestLog: true } : {}),
      });
      useEmulator(emulator.endpoint);
      checkpoint();
      if (emulator.pid !== undefined) {
        const { endpoint } = emulator;
        await trimLogs(endpoint);
        logTrimmer = setInterval(() => void trimLogs(endpoint), LOG_TRIM_EVERY_MS).unref();
      }
      const described =
        origin.kind === "restored"
          ? `state restored from ${origin.savedAt} (${(origin.bytes / 1e6).toFixed(1)} MB)`
          : stateDir
            ? "fresh state"
            : "no saved state";
      log(
        `[emulator] ${emulator.endpoint} (${emulator.pid ? `${described}; log ${emulator.logFile}` : "reused from AWS_ENDPOINT_URL"})`,
      );

      const deployed = restored ? restored.record.deploy : reuse ? readDeployState(workDir) : undefined;
      const outdated = options.forceDeploy ? "a deploy was asked for" : deployOutdatedBecause(deployed, emulator.endpoint);
      const missing = deployed ? await missingFromDeployment(emulator.endpoint, Object.keys(deployed.outputs)) : [];
      if (restored && missing.length > 0 && attempt === 1) {
        log(
          `[state] the restored state lacks what was deployed (${missing.slice(0, 5).join("; ")}${missing.length > 5 ? `; and ${missing.length - 5} more` : ""}); discarding it`,
        );
        await stopAgentsAndEmulator(false);
        discardSavedState(stateDir as string);
        discarded = [...discarded, `${missing.length} deployed resources were missing from it`];
        continue;
      }
      if (deployed && !outdated && missing.length === 0) {
        log("[deploy] what is deployed is there and nothing changed since; skipping cdk deploy");
        deploy = useDeployed(deployed, workDir);
      } else {
        if (deployed)
          log(`[deploy] deploying: ${outdated ?? `the deployment is incomplete (${missing.length} resources missing)`}`);
        deploy = await deployLocal({ endpoint: emulator.endpoint, workDir, log });
      }
      checkpoint();
      const { outputs } = deploy;
      await seedLocalUsers(outputs);

      if (restored) {
        const ports = deployedOutboxPorts(outputs);
        try {
          const resent = await resendUnfinishedWork(ports);
          if (resent.queued + resent.timers > 0) {
            log(
              `[tasks] sent again the work of ${resent.queued} queued task(s) and the timers of ${resent.timers} running one(s): the emulator does not save stream records`,
            );
          }
        } finally {
          ports.close();
        }
      }

      fleet = new FleetRunner({
        outputs,
        script: buildAgent(),
        log,
        stateFile: path.join(workDir, FLEET_STATE_FILE),
        announceStopped: restored?.stoppedTasks ?? [],
      });
      await fleet.start();
      jobs = new JobRunner({ outputs, script: buildJobRunner(), log, stateFile: path.join(workDir, JOB_RUNNER_STATE_FILE) });
      await jobs.start();
      checkpoint();

      if (!options.smokeCheck) return { emulator, outputs, deploy, fleet, jobs, feed, origin, stop: () => stopAll(true) };
      try {
        await fleet.reconciled(SETTLE_TIMEOUT_MS, options.signal);
        const smoke = await smokeCheck(outputs, { timeoutMs: SETTLE_TIMEOUT_MS, signal: options.signal });
        return { emulator, outputs, deploy, fleet, jobs, feed, origin, smoke, stop: () => stopAll(true) };
      } catch (error) {
        if (!restored || attempt > 1 || options.signal?.aborted) throw error;
        log(
          `[state] the restored swarm does not work (${error instanceof Error ? error.message : String(error)}); discarding its state`,
        );
        await stopAgentsAndEmulator(false);
        discardSavedState(stateDir as string);
        discarded = [...discarded, "the restored swarm failed its smoke check"];
      }
    }
  } catch (error) {
    // Stopped by Ctrl-C once the deployment stood (deployed, or verified): the state is as good as
    // any saved one, so it is saved and recorded. After a failure, or mid-deploy, it is not.
    await stopAll(options.signal?.aborted === true && deploy !== undefined);
    throw error;
  }

  async function stopAll(save: boolean): Promise<StopReport> {
    try {
      return await stopAgentsAndEmulator(save);
    } finally {
      await feed?.close();
      feed = undefined;
    }
  }
}
