import type { AgentType } from "#kernel/agent-catalog";
import type { LocalOutputs } from "./outputs";
import { localToken } from "./users";

/**
 * Sizes agent types through the API (`PUT /api/agent-types/{type}/scale`), as an admin (a
 * count of 0 is an admin's call); the fleet runner then starts or stops agent processes to match.
 */
export async function setAgentCounts(outputs: LocalOutputs, counts: Partial<Record<AgentType, number>>): Promise<void> {
  const token = await localToken(outputs, "admin");
  for (const [agentType, replicas] of Object.entries(counts)) {
    const response = await fetch(`${outputs.HttpApiUrl}/api/agent-types/${agentType}/scale`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ replicas }),
      signal: AbortSignal.timeout(15_000),
    });
    if (response.status !== 202) throw new Error(`scaling ${agentType} answered ${response.status}: ${await response.text()}`);
  }
}
