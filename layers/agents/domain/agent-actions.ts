import * as z from "zod";
import type { Caller } from "#shared/identity";
import { ConflictError, ForbiddenError, NotFoundError, RequestValidationError } from "#shared/errors";
import type { AgentType } from "#kernel/agent-catalog";
import { planLedgerWrite, retryOnConflict } from "./ledger-write";
import type { AgentRegistry, FleetController, FleetLedger } from "./ports";

export const AgentAction = z.enum(["start", "stop", "restart"]);
export type AgentAction = z.infer<typeof AgentAction>;

/**
 * Who may do what to an agent: restarting or starting one is an operator's job; stopping one
 * takes capacity away until someone starts it again, so only admins stop agents (the security
 * matrix, docs/api/routes.md).
 */
export function mayActOnAgents(caller: Pick<Caller, "roles">, action: AgentAction): boolean {
  if (action === "stop") return caller.roles.includes("admin");
  return caller.roles.includes("operator") || caller.roles.includes("admin");
}

export const AgentActionResult = z
  .object({
    agentId: z.string(),
    agentType: z.string(),
    action: AgentAction,
    /** What will happen: the orchestrator carries it out shortly. */
    outcome: z.string(),
  })
  .meta({ id: "AgentActionResult" });

export interface ActionDeps {
  readonly registry: AgentRegistry;
  readonly fleet: FleetController;
  readonly ledger: FleetLedger;
  readonly now: Date;
  readonly maxAgentsPerType: number;
}

/**
 * `POST /api/agents/{agentId}/{action}`:
 *  - restart: stop the agent's task; its service starts a replacement (409 if it is not running)
 *  - stop:    stop the task and lower the desired count, so it is not replaced
 *  - start:   for a stopped agent, raise the desired count so a new agent takes its place
 */
export async function agentAction(
  agentId: string,
  action: AgentAction,
  caller: Caller,
  deps: ActionDeps,
): Promise<z.infer<typeof AgentActionResult>> {
  // Who may do this is settled before anything is read.
  if (!mayActOnAgents(caller, action)) throw new ForbiddenError(`only admins may ${action} agents`);
  const agent = await deps.registry.get(agentId);
  if (!agent) throw new NotFoundError("agent", agentId);
  const running = agent.status !== "stopped" && agent.status !== "stopping";
  const by = `${action} by ${caller.username}`;
  switch (action) {
    case "restart":
    case "stop": {
      if (!running) throw new ConflictError("AgentNotRunning", `agent ${agentId} is ${agent.status}`);
      if (!agent.taskArn) throw new ConflictError("AgentNotManaged", `agent ${agentId} is not run by the orchestrator`);
      // Stop this task first, then shrink the service, so the scheduler does not pick another one to stop.
      const service = action === "stop" ? await deps.fleet.service(agent.agentType) : undefined;
      await deps.fleet.stopTask(agent.taskArn, by);
      if (service) await setDesiredManually(agent.agentType, Math.max(0, service.desired - 1), caller, deps);
      await deps.registry.setStatus(agentId, "stopping", by, deps.now);
      return {
        agentId,
        agentType: agent.agentType,
        action,
        outcome:
          action === "restart" ? "its task stops and the service starts a replacement" : "its task stops and is not replaced",
      };
    }
    case "start": {
      if (running) throw new ConflictError("AgentAlreadyRunning", `agent ${agentId} is ${agent.status}`);
      const service = await deps.fleet.service(agent.agentType);
      await setDesiredManually(agent.agentType, Math.min(deps.maxAgentsPerType, service.desired + 1), caller, deps);
      return { agentId, agentType: agent.agentType, action, outcome: `a new ${agent.agentType} agent starts in its place` };
    }
  }
}

/** How long a size set by hand holds before the scaler takes over again. */
export const MANUAL_SCALE_MINUTES = 30;

export const ScaleRequest = z
  .object({ replicas: z.number().int().min(0) })
  .strict()
  .meta({ id: "ScaleRequest" });

export const ScaleResult = z
  .object({
    agentType: z.string(),
    desired: z.number().int(),
    /** When the scaler takes over again. */
    autoscalingResumesAt: z.iso.datetime(),
    /** Who set the size: kept on the type's scaling record until the scaler takes over. */
    requestedBy: z.string(),
  })
  .meta({ id: "ScaleResult" });

export const DeployResult = z
  .object({
    agentType: z.string(),
    desired: z.number().int(),
    outcome: z.string(),
    autoscalingResumesAt: z.iso.datetime().optional(),
    /** Who asked for the deployment. */
    requestedBy: z.string(),
  })
  .meta({ id: "DeployResult" });

/**
 * `PUT /api/agent-types/{type}/scale`: set the size now and hold it against the scaler for a
 * while. Zero stops every agent of the type and holds it there, so it is an admin's call,
 * refused before anything is read.
 */
export async function scaleAgentType(
  agentType: AgentType,
  replicas: number,
  caller: Caller,
  deps: ActionDeps,
): Promise<z.infer<typeof ScaleResult>> {
  if (replicas === 0 && !caller.roles.includes("admin")) {
    throw new ForbiddenError(`scaling ${agentType} to 0 stops all its agents: only admins may`);
  }
  if (replicas > deps.maxAgentsPerType) {
    throw new RequestValidationError([
      { field: "replicas", message: `must be at most ${deps.maxAgentsPerType} (maxAgentsPerType)` },
    ]);
  }
  const until = await setDesiredManually(agentType, replicas, caller, deps);
  return { agentType, desired: replicas, autoscalingResumesAt: until, requestedBy: caller.username };
}

/**
 * Records the manual size, then sets it. In this order a scaler run cannot undo it: one that read
 * the row before this write has its own write refused and sizes again from this one, and one
 * whose write landed first made its ECS call before this one's.
 */
async function setDesiredManually(agentType: AgentType, desired: number, caller: Caller, deps: ActionDeps): Promise<string> {
  const until = new Date(deps.now.getTime() + MANUAL_SCALE_MINUTES * 60_000).toISOString();
  await retryOnConflict(async () => {
    const read = await deps.ledger.scaling(agentType);
    await deps.ledger.saveScaling(
      agentType,
      planLedgerWrite(read, { ...read.value, manualDesired: desired, manualUntil: until, manualBy: caller.username }),
    );
  });
  await deps.fleet.setDesired(agentType, desired);
  return until;
}

/**
 * `POST /api/agent-types/{type}/deploy` (admins: the route table): a new deployment replaces
 * every agent of the type. A type scaled to zero has nothing to replace, so it is started at one
 * agent.
 */
export async function deployAgentType(
  agentType: AgentType,
  caller: Caller,
  deps: ActionDeps,
): Promise<z.infer<typeof DeployResult>> {
  const service = await deps.fleet.service(agentType);
  await deps.fleet.redeploy(agentType);
  const requestedBy = caller.username;
  if (service.desired > 0) {
    return { agentType, desired: service.desired, outcome: "every agent is replaced by a new one", requestedBy };
  }
  const autoscalingResumesAt = await setDesiredManually(agentType, 1, caller, deps);
  return { agentType, desired: 1, outcome: "the type was at zero: one agent starts", autoscalingResumesAt, requestedBy };
}
