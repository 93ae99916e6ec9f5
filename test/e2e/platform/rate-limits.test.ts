import { describe, expect, it } from "vitest";
import { REQUEST_BUDGETS } from "#shared/rate-limits";
import { api, tokenFor } from "../support/api";

/** A batch whose one item is refused (400 in its result): costs the caller's budget, changes nothing. */
const harmless = { tasks: [{ type: "x" }] };

describe("per-user rate limits (issue 17)", () => {
  it("user A over the expensive budget gets 429 with Retry-After, while user B's requests succeed", async () => {
    // GIVEN user A (the operator) spends the expensive budget on POST /api/tasks/batch
    const a = await tokenFor("operator");
    const b = await tokenFor("admin");
    const answers: { status: number; retryAfter: string | null }[] = [];
    for (let i = 0; i <= REQUEST_BUDGETS.expensive.capacity + 5; i++) {
      const answer = await api("POST", "/api/tasks/batch", { token: a, body: harmless, onRateLimit: "answer" });
      answers.push({ status: answer.status, retryAfter: answer.headers.get("retry-after") });
      if (answer.status === 429) break;
    }
    // THEN A is refused with 429 and a Retry-After in whole seconds
    const refused = answers.at(-1);
    expect(answers.slice(0, -1).every((r) => r.status === 200)).toBe(true);
    expect(refused?.status).toBe(429);
    expect(Number(refused?.retryAfter)).toBeGreaterThanOrEqual(1);
    // AND user B, at the same moment, is served (control: the limit is per user, not per route)
    expect((await api("POST", "/api/tasks/batch", { token: b, body: harmless })).status).toBe(200);
    // AND A's reads are a budget of their own
    expect((await api("GET", "/api/tasks/status", { token: a })).status).toBe(200);
  });
});
