import * as z from "zod";
import { AGENT_TYPES, AgentType } from "#kernel/agent-catalog";
import { AGENT_STATUSES, AgentStatus } from "#kernel/bus/agent-status-changed";
import { Agent } from "./agent";

/** The query of `GET /api/agents` (seed 004's agent list with filters). */
export const AgentListQuery = z
  .object({
    type: AgentType.optional(),
    status: AgentStatus.optional(),
    /** `registered`: newest first; `type`: by type in catalog order; `status`: by status, healthy first. */
    sort: z.enum(["registered", "type", "status"]).default("registered"),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().min(1).max(2_048).optional(),
  })
  .strict();
export type AgentListQuery = z.infer<typeof AgentListQuery>;

export const AgentPage = z.object({ items: z.array(Agent), nextCursor: z.string().optional() }).meta({ id: "AgentPage" });
export type AgentPage = z.infer<typeof AgentPage>;

/** The order statuses are listed in by `sort=status`: working agents first, the gone last. */
export const STATUS_ORDER: readonly AgentStatus[] = ["healthy", "degraded", "unhealthy", "starting", "stopping", "stopped"];

/** Every status has a place in the order (a new status without one would drop out of the list). */
export const statusOrderIsComplete = () => AGENT_STATUSES.every((s) => STATUS_ORDER.includes(s));

/** The comparator each `sort` means, newest registration first within a group. */
export function agentOrder(sort: AgentListQuery["sort"]): (a: Agent, b: Agent) => number {
  const newestFirst = (a: Agent, b: Agent) => b.registeredAt.localeCompare(a.registeredAt) || b.agentId.localeCompare(a.agentId);
  switch (sort) {
    case "registered":
      return newestFirst;
    case "type":
      return (a, b) => AGENT_TYPES.indexOf(a.agentType) - AGENT_TYPES.indexOf(b.agentType) || newestFirst(a, b);
    case "status":
      return (a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) || newestFirst(a, b);
  }
}

/** Lists agents through indexes, a page at a time (never a scan). */
export interface AgentQuery {
  /** @throws RequestValidationError for a cursor this query did not hand out. */
  list(query: AgentListQuery): Promise<AgentPage>;
}
