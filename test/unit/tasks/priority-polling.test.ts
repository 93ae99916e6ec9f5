import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PRIORITY_WEIGHTS, PriorityPollOrder } from "#tasks/domain/priority-polling";
import { PRIORITIES, type Priority } from "#kernel/task-vocabulary";

describe("PriorityPollOrder", () => {
  it("leads with each priority in proportion to its weight, 8:4:2:1 per 15 polls", () => {
    const order = new PriorityPollOrder();
    const leads = Array.from({ length: 150 }, () => order.nextLead());
    const count = (p: Priority) => leads.filter((lead) => lead === p).length;
    expect(PRIORITIES.map(count)).toEqual([80, 40, 20, 10]);
  });

  it("lets every priority lead at least once in any 15 consecutive polls (no starvation)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), (skip) => {
        const order = new PriorityPollOrder();
        for (let i = 0; i < skip; i++) order.nextLead();
        const window = new Set(Array.from({ length: 15 }, () => order.nextLead()));
        expect(window.size).toBe(4);
      }),
    );
  });

  it("tries the lead first, then the rest highest first", () => {
    const order = new PriorityPollOrder({ critical: 0, high: 0, normal: 0, low: 1 });
    expect(order.next()).toEqual(["low", "critical", "high", "normal"]);
  });

  it("documents its weights", () => {
    expect(PRIORITY_WEIGHTS).toEqual({ critical: 8, high: 4, normal: 2, low: 1 });
  });
});
