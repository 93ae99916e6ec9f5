import * as path from "node:path";
import { buildAgent } from "./agent-processes";
import { useEmulator } from "./aws-env";
import { type DeployResult, deployLocal } from "./deploy";
import { type RunningEmulator, startEmulator } from "./emulator";
import { type FeedServer, startFeedServer } from "./feed-server";
import { FleetRunner } from "./fleet-runner";
import type { LocalOutputs } from "./outputs";
import { seedLocalUsers } from "./users";

/** The fleet runner's list of agent processes, under the work directory. */
export const FLEET_STATE_FILE = "fleet.json";

export interface LocalEnvironmentOptions {
  /** Where the deploy keeps outputs and state (see `deployLocal`). */
  readonly workDir: string;
  /** Emulator port. @default 4566 when free, else any free port */
  readonly port?: number;
  /** Keep emulator state here across restarts. @default a fresh emulator */
  readonly stateDir?: string;
  /** Deploy even if nothing changed. @default false */
  readonly forceDeploy?: boolean;
  /** Port of the sample news feed; a stable one keeps the deployed feed URL (and the deploy) unchanged. @default any */
  readonly feedPort?: number;
  readonly log: (line: string) => void;
}

export interface LocalEnvironment {
  readonly emulator: RunningEmulator;
  readonly outputs: LocalOutputs;
  readonly deploy: DeployResult;
  /** Runs an agent process for every task the agent services run. */
  readonly fleet: FleetRunner;
  /** The sample news feed the scraping agents watch. */
  readonly feed: FeedServer;
  /** Stops the agents, then the emulator and the feed; leaves no process behind. */
  stop(): Promise<void>;
}

/**
 * The swarm on this machine: the sample news feed, the emulator, the local stage deployed into
 * it, seeded users, and the fleet runner that runs agent processes for the ECS services.
 * `npm start`, the e2e tests and the benchmarks all use this.
 */
export async function startLocalEnvironment(options: LocalEnvironmentOptions): Promise<LocalEnvironment> {
  let emulator: RunningEmulator | undefined;
  let fleet: FleetRunner | undefined;
  let feed: FeedServer | undefined;
  const stop = async () => {
    await fleet?.stop();
    await emulator?.stop();
    await feed?.close();
  };
  try {
    feed = await startFeedServer({ port: options.feedPort });
    // The scraping agents' feed is part of the stage config, so it is set before the deploy.
    process.env.TGE_FEED_URLS ??= feed.url;
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
    fleet = new FleetRunner({
      outputs: deploy.outputs,
      script: buildAgent(),
      log: options.log,
      stateFile: path.join(options.workDir, FLEET_STATE_FILE),
    });
    await fleet.start();
    return { emulator, outputs: deploy.outputs, deploy, fleet, feed, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
