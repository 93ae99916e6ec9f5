// npm start: the whole swarm on this machine — emulator, deployed stacks, seeded users,
// agents — until Ctrl-C, which stops everything it started.
import * as path from "node:path";
import { type WebServer, recordDashboardUrl, startWebServer } from "./local/web-server";
import { type LocalEnvironment, startLocalEnvironment } from "./local/environment";
import { LOCAL_DIR } from "./local/paths";

/** The sample feed's port: a stable one keeps the deployed feed URL, so a restart needs no deploy. */
const FEED_PORT = 4599;
const FEED_DRIP_MS = 8_000;
/** The dashboard page's port: a stable one keeps a bookmarked tab working across restarts. */
const DASHBOARD_PORT = 4600;
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const say = (line: string) => console.log(line);

let environment: LocalEnvironment | undefined;
let dashboard: WebServer | undefined;
let shuttingDown = false;

async function shutdown(code: number): Promise<never> {
  if (shuttingDown) process.exit(code);
  shuttingDown = true;
  say("\n[stop] stopping agents, then the emulator (it saves its state)…");
  await dashboard?.close();
  await environment?.stop();
  say("[stop] done");
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

try {
  say("[emulator] starting MiniStack…");
  environment = await startLocalEnvironment({
    workDir: LOCAL_DIR,
    stateDir: path.join(LOCAL_DIR, "emulator-state"),
    feedPort: FEED_PORT,
    log: say,
  });
  const { outputs, deploy, fleet, feed } = environment;
  say(`[deploy] ${deploy.skipped ? "up to date" : "deployed"} at ${elapsed()}`);
  say(`[agents] ${fleet.agents.length} agents running, one per ECS task (logs in .local/logs/)`);
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
  console.error(`\n[start] failed: ${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
}
