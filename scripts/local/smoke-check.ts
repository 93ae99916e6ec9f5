import { AGENT_TYPE_SPECS, AGENT_TYPES, type AgentType } from "#kernel/agent-catalog";
import type { LocalOutputs } from "./outputs";
import { localToken } from "./users";

/** The type the smoke task runs on: the end of the detection pipeline, which always keeps an agent. */
export const SMOKE_AGENT_TYPE: AgentType = "data-quality";

export interface SmokeResult {
  readonly taskId: string;
  /** From submitting the `diagnostics.echo` task to reading it `completed`. */
  readonly latencyMs: number;
}

/** A smoke check step that did not pass: which one, and what was seen last. */
export class SmokeCheckError extends Error {
  constructor(
    readonly step: "health" | "agents" | "task",
    message: string,
    options?: ErrorOptions,
  ) {
    super(`smoke check (${step}): ${message}`, options);
    this.name = "SmokeCheckError";
  }
}

interface FleetView {
  types: { agentType: AgentType; desired: number; running: number }[];
  agents: { agentType: AgentType; status: string; taskArn?: string }[];
}

async function call(url: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  try {
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  } catch {
    return { status: response.status, body: text };
  }
}

/** The agent types short of their minimum: fewer running tasks, or fewer healthy agents registered for them. */
export function shortOfMinimum(view: FleetView): string[] {
  return AGENT_TYPES.flatMap((agentType) => {
    const minimum = AGENT_TYPE_SPECS[agentType].minAgents;
    if (minimum === 0) return [];
    const running = view.types.find((type) => type.agentType === agentType)?.running ?? 0;
    const healthy = view.agents.filter((a) => a.agentType === agentType && a.taskArn && a.status === "healthy").length;
    return running >= minimum && healthy >= minimum
      ? []
      : [`${agentType}: ${running} running, ${healthy} healthy of a minimum of ${minimum}`];
  });
}

/**
 * What "ready" means for `npm start`: `GET /api/health` answers 200, each agent type runs its
 * minimum of agents (ECS runs the tasks and the agents registered healthy), and one
 * `diagnostics.echo` task submitted through the API is read back `completed` — which takes the
 * tasks table's stream, the relay, a work queue and an agent, the path a restart used to break
 * while everything else looked fine. Every step waits at most until `timeoutMs` from the start.
 */
export async function smokeCheck(
  outputs: LocalOutputs,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<SmokeResult> {
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  const api = outputs.HttpApiUrl;
  const pause = () => {
    options.signal?.throwIfAborted();
    return new Promise((resolve) => setTimeout(resolve, 250));
  };

  let health: unknown;
  for (;;) {
    health = await call(`${api}/api/health`).catch((error: unknown) => String(error));
    if (typeof health === "object" && health && "status" in health && health.status === 200) break;
    if (Date.now() > deadline)
      throw new SmokeCheckError("health", `GET /api/health did not answer 200 (last: ${JSON.stringify(health)})`);
    await pause();
  }

  const viewer = { authorization: `Bearer ${await localToken(outputs, "viewer")}` };
  for (;;) {
    const { status, body } = await call(`${api}/api/agents/status`, { headers: viewer });
    const short = status === 200 ? shortOfMinimum(body as FleetView) : [`GET /api/agents/status answered ${status}`];
    if (short.length === 0) break;
    if (Date.now() > deadline) throw new SmokeCheckError("agents", short.join("; "));
    await pause();
  }

  const admin = { authorization: `Bearer ${await localToken(outputs, "admin")}`, "content-type": "application/json" };
  const submitted = Date.now();
  const created = await call(`${api}/api/tasks`, {
    method: "POST",
    headers: admin,
    body: JSON.stringify({
      type: "diagnostics.echo",
      agentType: SMOKE_AGENT_TYPE,
      priority: "critical",
      payload: { smokeCheck: new Date(submitted).toISOString() },
    }),
  });
  const taskId = (created.body as { taskId?: string } | undefined)?.taskId;
  if (created.status !== 201 || !taskId) {
    throw new SmokeCheckError("task", `POST /api/tasks answered ${created.status}: ${JSON.stringify(created.body)}`);
  }
  for (;;) {
    const { body } = await call(`${api}/api/tasks/${taskId}`, { headers: admin });
    const status = (body as { status?: string } | undefined)?.status;
    if (status === "completed") return { taskId, latencyMs: Date.now() - submitted };
    if (status && !["queued", "running"].includes(status)) {
      throw new SmokeCheckError("task", `diagnostics.echo task ${taskId} ended ${status}: ${JSON.stringify(body)}`);
    }
    if (Date.now() > deadline) {
      throw new SmokeCheckError(
        "task",
        `diagnostics.echo task ${taskId} is still ${status ?? "unreadable"}; it never reached an agent`,
      );
    }
    await pause();
  }
}
