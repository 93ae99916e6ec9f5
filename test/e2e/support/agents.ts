import { existsSync, readFileSync } from "node:fs";
import { afterEach, inject } from "vitest";
import type { AgentType } from "#kernel/agent-catalog";
import { type AgentProcess, buildAgent, startAgentProcess } from "../../../scripts/local/agent-processes";

let script: string | undefined;
const started: AgentProcess[] = [];

/**
 * Starts an agent process no ECS service manages (typically for the type no service runs in the
 * e2e stage), with the environment its task definition gives it. Every agent a test starts is
 * stopped after it.
 */
export function startAgent(agentType: AgentType, agentId: string, extraEnv: Record<string, string> = {}): AgentProcess {
  script ??= buildAgent();
  const agent = startAgentProcess({
    script,
    endpoint: inject("outputs").endpoint,
    agentType,
    agentId,
    environment: inject("agentEnvironments")[agentType],
    extraEnv,
  });
  started.push(agent);
  return agent;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((agent) => agent.stop(15_000)));
});

/** An agent's log so far ("" before its first line). */
export const logOf = (agent: AgentProcess | string): string => {
  const file = typeof agent === "string" ? agent : agent.logFile;
  return existsSync(file) ? readFileSync(file, "utf8") : "";
};
