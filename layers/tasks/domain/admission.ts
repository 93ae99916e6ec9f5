import type { AgentType } from "#kernel/agent-catalog";
import { QueueFullError } from "#shared/errors";

/**
 * Backpressure: an agent type takes new work while fewer than `limit` of its tasks are queued.
 * A refusal says when to come back: the time its agents need, at their completion rate over the
 * last minute, to bring the queue under the limit — between 1 and 60 seconds.
 *
 * @throws QueueFullError (429 with Retry-After)
 */
export function admit(agentType: AgentType, queued: number, limit: number, completedLastMinute: number): void {
  if (queued < limit) return;
  const perSecond = Math.max(completedLastMinute / 60, 1 / 60);
  const retryAfter = Math.min(60, Math.max(1, Math.ceil((queued - limit + 1) / perSecond)));
  throw new QueueFullError(agentType, queued, limit, retryAfter);
}
