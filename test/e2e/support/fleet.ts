import { readFileSync } from "node:fs";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { inject } from "vitest";
import type { Agent } from "#agents/domain/agent";
import type { AgentType } from "#kernel/agent-catalog";
import type { FleetAgentRecord } from "../../../scripts/local/fleet-runner";
import { api, eventually, outputs } from "./api";

/** The agent processes the fleet runner runs now, as its state file lists them. */
export function fleetProcesses(agentType?: AgentType): FleetAgentRecord[] {
  const { agents } = JSON.parse(readFileSync(inject("fleetStateFile"), "utf8")) as { agents: FleetAgentRecord[] };
  return agents.filter((agent) => !agentType || agent.agentType === agentType);
}

export interface FleetView {
  types: { agentType: AgentType; desired: number; running: number; agents: Record<string, number> }[];
  agents: Agent[];
}

/** GET /api/agents/status as admin. */
export async function fleetView(includeStopped = false): Promise<FleetView> {
  const { status, body } = await api<FleetView>("GET", `/api/agents/status${includeStopped ? "?includeStopped=true" : ""}`);
  if (status !== 200) throw new Error(`GET /api/agents/status answered ${status}`);
  return body;
}

/** The agents of a type ECS runs (they have a task) that are up: healthy or degraded. */
export const liveManagedAgents = (view: FleetView, agentType: AgentType) =>
  view.agents.filter((a) => a.agentType === agentType && a.taskArn && (a.status === "healthy" || a.status === "degraded"));

/** Waits until the type runs exactly `count` registered agents and as many processes; returns the agents. */
export async function fleetSettles(agentType: AgentType, count: number, timeoutMs = 45_000): Promise<Agent[]> {
  const view = await eventually(
    fleetView,
    (v) => liveManagedAgents(v, agentType).length === count && fleetProcesses(agentType).length === count,
    timeoutMs,
    `${count} running ${agentType} agent(s)`,
  );
  return liveManagedAgents(view, agentType);
}

let lambda: LambdaClient | undefined;
/** Invokes a deployed function and waits for its answer, as its schedule would. */
export async function invokeFunction<T = unknown>(functionName: string, payload: unknown = {}): Promise<T> {
  lambda ??= new LambdaClient({ endpoint: outputs().endpoint, requestHandler: { requestTimeout: 60_000 } });
  const result = await lambda.send(
    new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(payload)) }),
  );
  const text = Buffer.from(result.Payload ?? new Uint8Array()).toString("utf8");
  if (result.FunctionError) throw new Error(`${functionName} failed: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}
