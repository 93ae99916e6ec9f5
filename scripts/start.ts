// npm start: the whole swarm on this machine — emulator, deployed stacks, seeded users,
// agents — until Ctrl-C, which stops everything it started.
import * as path from "node:path";
import { parseArgs } from "node:util";
import { type WebServer, recordDashboardUrl, startWebServer } from "./local/web-server";
import { type LocalEnvironment, startLocalEnvironment } from "./local/environment";
import { LOCAL_DIR } from "./local/paths";
import { discardSavedState } from "./local/saved-state";

/** The sample feed's port: a stable one keeps the deployed feed URL, so a restart needs no deploy. */
const FEED_PORT = 4599;
const FEED_DRIP_MS = 8_000;
/** The dashboard page's port: a stable one keeps a bookmarked tab working across restarts. */
const DASHBOARD_PORT = 4600;
const STATE_DIR = path.join(LOCAL_DIR, "emulator-state");
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const say = (line: string) => console.log(line);

let environment: LocalEnvironment | undefined;
let dashboard: WebServer | undefined;
let stopping: Promise<void> | undefined;
let firstSignalAt = 0;

const starting = new AbortController();
let startUnderWay: Promise<unknown> = Promise.resolve();

async function shutdown(code: number): Promise<never> {
  say("\n[stop] stopping agents, then the emulator (it saves its state)…");
  // A start still under way stops what it started itself, once it sees the abort.
  starting.abort(new Error("stopped by a signal while starting"));
  await startUnderWay.catch(() => undefined);
  await dashboard?.close();
  const report = await environment?.stop();
  if (report && !report.saved && report.problems.length > 0) {
    say(`[stop] the saved state is incomplete (${report.problems.join("; ")}); the next start discards it and deploys afresh`);
  }
  say(`[stop] done${report ? ` in ${report.seconds.toFixed(1)}s${report.saved ? "; the state is saved" : ""}` : ""}`);
  process.exit(code);
}

// Ctrl-C can reach this process twice (from the terminal, and forwarded by npm where the shell
// hands over to node, as bash does), and an impatient second press must not cut the emulator's
// save short either: the first signal stops, later ones only say so.
function onSignal(): void {
  if (!stopping) {
    firstSignalAt = Date.now();
    stopping = shutdown(0);
  } else if (Date.now() - firstSignalAt > 1_000) {
    say("[stop] still stopping: the emulator is saving its state, and a kill now would leave it half-saved");
  }
}
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);
// Closing the terminal hangs up: stop as for Ctrl-C, though nobody is left to read the output.
process.on("SIGHUP", onSignal);
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    // A closed terminal answers EIO or EPIPE to every write; the stop goes on without it.
    if (error.code !== "EIO" && error.code !== "EPIPE") throw error;
  });
}

try {
  // --fresh: forget the saved state (tasks, detections, users' data) and deploy into an empty emulator.
  const { values: flags } = parseArgs({ options: { fresh: { type: "boolean", default: false } } });
  if (flags.fresh) {
    discardSavedState(STATE_DIR);
    say("[state] --fresh: the saved emulator state is discarded");
  }
  say("[emulator] starting MiniStack…");
  const start = startLocalEnvironment({
    workDir: LOCAL_DIR,
    stateDir: STATE_DIR,
    feedPort: FEED_PORT,
    smokeCheck: true,
    signal: starting.signal,
    log: say,
  });
  startUnderWay = start;
  environment = await start;
  const { outputs, deploy, fleet, feed, smoke } = environment;
  say(`[deploy] ${deploy.skipped ? "up to date" : "deployed"} at ${elapsed()}`);
  say(`[agents] ${fleet.agents.length} agents running, one per ECS task (logs in .local/logs/)`);
  say(`[jobs] the job runner runs each job task the back end starts as a process (logs in .local/logs/job-*.log)`);
  if (smoke) say(`[smoke] a diagnostics.echo task ran end to end in ${smoke.latencyMs} ms (task ${smoke.taskId})`);
  dashboard = await startWebServer({ port: DASHBOARD_PORT, outputs });
  recordDashboardUrl(dashboard.url, path.join(LOCAL_DIR, "outputs.json"));
  // A few stories at once, then one every few seconds, so detections arrive while you watch.
  feed.publish(feed.itemIds.slice(0, 5));
  feed.drip(FEED_DRIP_MS);
  say(`
TGE Swarm is ready (${elapsed()}).

  Dashboard       ${dashboard.url} (sign in as admin, operator or viewer; passwords in scripts/local/users.ts)
  HTTP API        ${outputs.HttpApiUrl}/api/health
  Sample feed     ${feed.url} (one more story every ${FEED_DRIP_MS / 1000}s)
  WebSocket       ${outputs.WebSocketUrl}?token=<access token>
  User pool       ${outputs.UserPoolId} (client ${outputs.UserPoolClientId})

  Get a token:    npm run token -- --user admin      (or operator, viewer)
  Try it:         curl -H "authorization: Bearer $(npm run -s token -- --user admin)" \\
                    -H 'content-type: application/json' \\
                    -d '{"type":"diagnostics.echo","agentType":"data-quality","payload":{"hello":"swarm"}}' \\
                    ${outputs.HttpApiUrl}/api/tasks
  Agents:         curl -H "authorization: Bearer $(npm run -s token -- --user viewer)" ${outputs.HttpApiUrl}/api/agents/status
  Scale a type:   curl -X PUT -H "authorization: Bearer $(npm run -s token -- --user operator)" \\
                    -H 'content-type: application/json' -d '{"replicas":2}' \\
                    ${outputs.HttpApiUrl}/api/agent-types/keyword-precision/scale
  Detections:     curl -H "authorization: Bearer $(npm run -s token -- --user viewer)" ${outputs.HttpApiUrl}/api/detections
  Function logs:  npm run logs -- <function name, e.g. SubmitTask>

Press Ctrl-C to stop everything.`);
} catch (error) {
  if (!stopping) {
    console.error(`\n[start] failed: ${error instanceof Error ? error.message : String(error)}`);
    stopping = shutdown(1);
  }
}
