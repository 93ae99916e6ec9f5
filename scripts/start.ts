// npm start: the whole swarm on this machine — emulator, deployed stacks, seeded users,
// agents — until Ctrl-C, which stops everything it started.
import * as path from "node:path";
import { AGENT_TYPES } from "#core/agents/domain/agent-types";
import { type LocalEnvironment, startLocalEnvironment } from "./local/environment";
import { LOCAL_DIR } from "./local/paths";

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const say = (line: string) => console.log(line);

let environment: LocalEnvironment | undefined;
let shuttingDown = false;

async function shutdown(code: number): Promise<never> {
  if (shuttingDown) process.exit(code);
  shuttingDown = true;
  say("\n[stop] stopping agents, then the emulator (it saves its state)…");
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
    agentTypes: AGENT_TYPES,
    log: say,
  });
  const { outputs, deploy, agents } = environment;
  say(`[deploy] ${deploy.skipped ? "up to date" : "deployed"} at ${elapsed()}`);
  for (const agent of agents) {
    void agent.exited.then((code) => {
      if (!shuttingDown) say(`[agents] ${agent.agentId} exited (${code}); see ${agent.logFile}`);
    });
  }
  say(`[agents] ${agents.length} agents running (logs in .local/logs/)`);
  say(`
TGE Swarm is ready (${elapsed()}).

  HTTP API        ${outputs.HttpApiUrl}/api/health
  WebSocket       ${outputs.WebSocketUrl}?token=<access token>
  User pool       ${outputs.UserPoolId} (client ${outputs.UserPoolClientId})

  Get a token:    npm run token -- --user admin      (or operator, viewer)
  Try it:         curl -H "authorization: Bearer $(npm run -s token -- --user admin)" \\
                    -H 'content-type: application/json' \\
                    -d '{"type":"diagnostics.echo","agentType":"data-quality","payload":{"hello":"swarm"}}' \\
                    ${outputs.HttpApiUrl}/api/tasks
  Function logs:  npm run logs -- <function name, e.g. SubmitTask>

Press Ctrl-C to stop everything.`);
} catch (error) {
  console.error(`\n[start] failed: ${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
}
