import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ROLES } from "#shared/identity";
import { routeKey } from "#shared/routes";
import { ALL_ROUTES } from "../../../scripts/openapi/route-tables";
import { api, tokenFor } from "../support/api";

/**
 * Every route of every route table, driven with generated path parameters, query strings and
 * bodies, as every role and anonymously, against the deployed stack: no answer may be a 5xx.
 * The seed is printed so a failure can be replayed (`FUZZ_SEED=<seed>`).
 */
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS ?? 4);

const segment = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom("data-quality", "start", "stop", "..", "%00", "%2F", "a".repeat(300), "🙂", "null", "-1"),
);
const queryValue = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.integer().map(String),
  fc.constantFrom("", "true", "all", "%", "[]"),
);
const queryKey = fc.oneof(
  fc.constantFrom("limit", "cursor", "room", "topic", "status", "agentType", "order", "since"),
  fc.string({ maxLength: 10 }),
);
const body = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((value) => ({ body: value })),
  fc.string({ maxLength: 200 }).map((raw) => ({ rawBody: raw })),
  fc.integer({ min: 40, max: 2_000 }).map((depth) => ({ rawBody: `${"[".repeat(depth)}${"]".repeat(depth)}` })),
  fc.constant({ rawBody: "" }),
);
const request = fc.record({
  params: fc.array(segment, { minLength: 3, maxLength: 3 }),
  query: fc.array(fc.tuple(queryKey, queryValue), { maxLength: 4 }),
  body,
});

const fill = (path: string, params: readonly string[]) => {
  let i = 0;
  return path.replace(/\{\w+\}/g, () => encodeURIComponent(params[i++ % params.length] ?? "x"));
};

describe("fuzzing every route (issue 17)", () => {
  it(`answers no generated request with a 5xx (seed ${SEED})`, { timeout: 120_000 }, async () => {
    console.log(`[fuzz] seed ${SEED}, ${RUNS_PER_ROUTE} requests per route and caller`);
    const callers = [...(await Promise.all(ROLES.map((role) => tokenFor(role)))), null];
    const samples = fc.sample(request, { seed: SEED, numRuns: RUNS_PER_ROUTE * ALL_ROUTES.length * callers.length });
    const failures: string[] = [];
    let sent = 0;
    let next = 0;
    // A few at a time: the emulator runs every function on this machine's two cores.
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (;;) {
          const index = next++;
          if (index >= samples.length) return;
          const route = ALL_ROUTES[index % ALL_ROUTES.length];
          const token = callers[Math.floor(index / ALL_ROUTES.length) % callers.length] ?? null;
          const sample = samples[index];
          if (!route || !sample) return;
          const query = new URLSearchParams(sample.query).toString();
          const path = `${fill(route.path, sample.params)}${query ? `?${query}` : ""}`;
          const answer = await api(route.method, path, { token, ...sample.body });
          sent++;
          if (answer.status >= 500) {
            failures.push(
              `${routeKey(route)} → ${answer.status}: ${route.method} ${path} ${JSON.stringify(sample.body).slice(0, 300)}`,
            );
          }
        }
      }),
    );
    console.log(`[fuzz] ${sent} requests, ${failures.length} answered 5xx`);
    expect(failures, `seed ${SEED}`).toEqual([]);
  });
});
