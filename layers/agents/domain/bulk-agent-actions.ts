import * as z from "zod";
import { DomainError } from "#shared/errors";
import type { Caller } from "#shared/identity";
import { type ActionDeps, AgentAction, agentAction } from "./agent-actions";

/** At most this many agents per bulk request (seed 004's bulk operations). */
export const MAX_BULK_AGENTS = 50;

/** The body of `POST /api/agents/bulk`. */
export const BulkAgentActionRequest = z
  .object({
    action: AgentAction,
    agentIds: z.array(z.string().min(1).max(128)).min(1).max(MAX_BULK_AGENTS),
  })
  .strict()
  .meta({ id: "BulkAgentActionRequest" });
export type BulkAgentActionRequest = z.infer<typeof BulkAgentActionRequest>;

export const BulkOutcome = z.enum(["accepted", "not_found", "conflict", "forbidden"]);

export const BulkAgentActionResponse = z
  .object({
    action: AgentAction,
    accepted: z.number().int(),
    results: z.array(
      z.object({
        agentId: z.string(),
        outcome: BulkOutcome,
        /** The status the same action on this agent alone would have answered. */
        status: z.number().int(),
        message: z.string(),
      }),
    ),
  })
  .meta({ id: "BulkAgentActionResponse" });
export type BulkAgentActionResponse = z.infer<typeof BulkAgentActionResponse>;

const OUTCOME_OF: Readonly<Record<number, z.infer<typeof BulkOutcome>>> = { 403: "forbidden", 404: "not_found", 409: "conflict" };

/**
 * One action on many agents, each on its own and by the same rules as the single action: one
 * agent that cannot be acted on never stops the others. Agents are taken one at a time, in the
 * order given, so a stop that shrinks a service is counted before the next.
 */
export async function bulkAgentAction(
  request: BulkAgentActionRequest,
  caller: Caller,
  deps: ActionDeps,
): Promise<BulkAgentActionResponse> {
  const results: BulkAgentActionResponse["results"] = [];
  for (const agentId of [...new Set(request.agentIds)]) {
    try {
      const result = await agentAction(agentId, request.action, caller, deps);
      results.push({ agentId, outcome: "accepted", status: 202, message: result.outcome });
    } catch (error) {
      const outcome = error instanceof DomainError ? OUTCOME_OF[error.status] : undefined;
      if (!outcome || !(error instanceof DomainError)) throw error;
      results.push({ agentId, outcome, status: error.status, message: error.message });
    }
  }
  return { action: request.action, accepted: results.filter((r) => r.outcome === "accepted").length, results };
}
