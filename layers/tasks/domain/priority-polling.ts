import { PRIORITIES, type Priority } from "#kernel/task-vocabulary";

/**
 * How often each priority leads an agent's poll order when every queue has work: out of every
 * 15 polls, critical leads 8, high 4, normal 2 and low 1. The lead queue is tried first and the
 * rest follow in priority order, so under saturation critical work starts first while low
 * work still starts at least once per 15 polls — no priority starves.
 */
export const PRIORITY_WEIGHTS: Readonly<Record<Priority, number>> = { critical: 8, high: 4, normal: 2, low: 1 };

/**
 * Smooth weighted round robin (as nginx balances upstreams): each turn every priority gains its
 * weight, the richest leads and pays back the total. Leads interleave (c h c n c h c l …)
 * instead of running in blocks.
 *
 * @example
 * const order = new PriorityPollOrder();
 * order.next(); // ["critical", "high", "normal", "low"]
 */
export class PriorityPollOrder {
  private readonly credit: Record<Priority, number> = { critical: 0, high: 0, normal: 0, low: 0 };
  private readonly total = PRIORITIES.reduce((sum, p) => sum + PRIORITY_WEIGHTS[p], 0);

  constructor(private readonly weights: Readonly<Record<Priority, number>> = PRIORITY_WEIGHTS) {}

  /** The leading priority for this poll. */
  nextLead(): Priority {
    let lead: Priority = "critical";
    for (const priority of PRIORITIES) {
      this.credit[priority] += this.weights[priority];
      if (this.credit[priority] > this.credit[lead]) lead = priority;
    }
    this.credit[lead] -= this.total;
    return lead;
  }

  /** The queues to try for this poll, in order: the lead, then the others by priority. */
  next(): Priority[] {
    const lead = this.nextLead();
    return [lead, ...PRIORITIES.filter((p) => p !== lead)];
  }
}
