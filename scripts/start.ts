// npm start: the whole swarm on this machine — emulator, deployed stacks, seeded users,
// agents — until Ctrl-C, which stops everything it started.
import * as path from "node:path";
import { AGENT_TYPES } from "#core/agents/domain/agent-types";
import { loadStageConfig } from "../lib/config/stage-config";
import { type AgentProcess, buildAgent, startAgentProcess } from "./local/agent-processes";
import { useEmulator } from "./local/aws-env";
import { deployLocal } from "./local/deploy";
import { type RunningEmulator, startEmulator } from "./local/emulator";
import { LOCAL_DIR } from "./local/paths";
import { seedLocalUsers } from "./local/users";

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const say = (line: string) => console.log(line);

let emulator: RunningEmulator | undefined;
const agents: AgentProcess[] = [];
let shuttingDown = false;

async function shutdown(code: number): Promise<never> {
  if (shuttingDown) process.exit(code);
  shuttingDown = true;
  say("\n[stop] stopping agents…");
  await Promise.all(agents.map((agent) => agent.stop()));
  if (emulator?.pid) say("[stop] stopping the emulator (saving its state)…");
  await emulator?.stop();
  say("[stop] done");
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

try {
  const config = loadStageConfig("local", process.env);
  say("[emulator] starting MiniStack…");
  emulator = await startEmulator({ stateDir: path.join(LOCAL_DIR, "emulator-state") });
  useEmulator(emulator.endpoint);
  say(
    `[emulator] ${emulator.endpoint} (${emulator.pid ? `pid ${emulator.pid}, log ${emulator.logFile}` : "reused from AWS_ENDPOINT_URL"}) at ${elapsed()}`,
  );

  const { outputs, skipped } = await deployLocal({ endpoint: emulator.endpoint, log: say });
  say(`[deploy] ${skipped ? "up to date" : "deployed"} at ${elapsed()}`);
  await seedLocalUsers(outputs);

  const script = buildAgent();
  for (const agentType of AGENT_TYPES) {
    const agent = startAgentProcess(script, outputs, config, agentType, `${agentType}-1`);
    agents.push(agent);
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

Press Ctrl-C to stop everything.`);
} catch (error) {
  console.error(`\n[start] failed: ${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
}
