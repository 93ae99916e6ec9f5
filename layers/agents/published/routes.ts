import * as z from "zod";
import { AgentType } from "#kernel/agent-catalog";
import { ACTOR_ROLES, ADMIN_ROLES, READER_ROLES } from "#shared/identity";
import type { RouteTable } from "#shared/routes";
import { Agent } from "../domain/agent";
import { AgentAction, AgentActionResult, DeployResult, ScaleRequest, ScaleResult } from "../domain/agent-actions";
import { AgentListQuery, AgentPage } from "../domain/agent-list";
import { BulkAgentActionRequest, BulkAgentActionResponse } from "../domain/bulk-agent-actions";
import { FleetStatusQuery, FleetStatusView } from "../domain/fleet-status";

const AgentIdParams = z.object({ agentId: z.string().min(1).max(128) }).strict();
const AgentTypeParams = z.object({ type: AgentType }).strict();

/** The agent API: the fleet's state, one agent, and the actions that change the fleet. */
export const AGENT_ROUTES = {
  listAgents: {
    method: "GET",
    path: "/api/agents",
    entry: "agents/list-agents",
    roles: READER_ROLES,
    summary: "Agents, filtered by type and status, sorted by registration (newest first), type or status",
    query: AgentListQuery,
    pagedBy: "nextCursor",
    responses: { 200: { description: "A page of agents", schema: AgentPage } },
    errors: [400],
  },
  bulkAgentAction: {
    method: "POST",
    budget: "expensive",
    path: "/api/agents/bulk",
    entry: "agents/bulk-agent-action",
    roles: ACTOR_ROLES,
    summary: "Start, stop or restart up to 50 agents, a result each",
    description:
      "Each agent is taken on its own, by the rules of `POST /api/agents/{agentId}/{action}`: a result per agent (`accepted`, `not_found`, `conflict`, `forbidden`) with the status that action alone would have answered. Only admins stop agents.",
    body: BulkAgentActionRequest,
    responses: { 200: { description: "A result per agent", schema: BulkAgentActionResponse } },
    errors: [400],
  },
  getFleetStatus: {
    method: "GET",
    path: "/api/agents/status",
    entry: "agents/get-fleet-status",
    roles: READER_ROLES,
    summary: "Each agent type's desired and running size, and every agent's state and workload",
    query: FleetStatusQuery,
    responses: { 200: { description: "The fleet", schema: FleetStatusView } },
    errors: [400],
  },
  getAgent: {
    method: "GET",
    path: "/api/agents/{agentId}",
    entry: "agents/get-agent",
    roles: READER_ROLES,
    summary: "An agent: capabilities, status, last heartbeat and workload",
    description: "An agent's id is its ECS task id.",
    params: AgentIdParams,
    responses: { 200: { description: "The agent", schema: Agent } },
    errors: [404],
  },
  agentAction: {
    method: "POST",
    path: "/api/agents/{agentId}/{action}",
    entry: "agents/agent-action",
    roles: ACTOR_ROLES,
    summary: "Start, stop or restart an agent through ECS",
    description:
      "`action` is `start`, `stop` (admins only) or `restart`. Restart stops the agent's task and its service starts a replacement; stop also lowers the type's desired count; start raises it. Sizes set here hold against the scaler for 30 minutes. Answers 202: ECS carries it out within seconds.",
    params: AgentIdParams.extend({ action: AgentAction }),
    responses: { 202: { description: "Accepted", schema: AgentActionResult } },
    errors: [400, 404, 409],
  },
  deployAgentType: {
    method: "POST",
    path: "/api/agent-types/{type}/deploy",
    entry: "agents/deploy-agent-type",
    roles: ADMIN_ROLES,
    summary: "Replace every agent of a type with a new deployment",
    description:
      "Admins only: it restarts every agent of the type. A rolling deployment behind the ECS deployment circuit breaker. A type at zero agents is started at one. The answer names who asked (`requestedBy`).",
    params: AgentTypeParams,
    responses: { 202: { description: "Accepted", schema: DeployResult } },
    errors: [400],
  },
  scaleAgentType: {
    method: "PUT",
    path: "/api/agent-types/{type}/scale",
    entry: "agents/scale-agent-type",
    roles: ACTOR_ROLES,
    summary: "Set how many agents of a type run",
    description:
      "At most `maxAgentsPerType`; 0 (every agent of the type stopped) is for admins only, an operator's answers 403. The size holds against the scaler for 30 minutes (`autoscalingResumesAt`), then the type is sized by its load again; the type's scaling record keeps who set it (`requestedBy` in the answer).",
    params: AgentTypeParams,
    body: ScaleRequest,
    responses: { 202: { description: "Accepted", schema: ScaleResult } },
    errors: [400],
  },
} as const satisfies RouteTable;
