import type { Context } from "aws-lambda";
import { describe, expect, it, vi } from "vitest";
import * as z from "zod";
import { NotFoundError } from "#shared/errors";
import { httpRoute, json } from "#shared/http";
import { jsonDepth, MAX_JSON_DEPTH } from "#shared/json-text";
import { ACTOR_ROLES, type Role } from "#shared/identity";
import { PUBLIC, type Route } from "#shared/routes";
import { admit, RateLimitedError, REQUEST_BUDGETS } from "#shared/rate-limits";
import { BucketContendedError } from "#shared/token-bucket";
import { InMemoryRequestLimiter } from "../../support/in-memory-request-limiter";

const context = { awsRequestId: "req-1", functionName: "fn", getRemainingTimeInMillis: () => 1000 } as unknown as Context;

const claims = (...roles: Role[]) => ({
  sub: "sub-1",
  username: "ann",
  token_use: "access",
  "cognito:groups": `[${roles.join(" ")}]`,
});
const event = (body?: string, extra: Record<string, unknown> = {}, roles: Role[] | null = ["operator"]) => ({
  headers: {},
  isBase64Encoded: false,
  body,
  requestContext: { requestId: "r", ...(roles ? { authorizer: { jwt: { claims: claims(...roles) } } } : {}) },
  ...extra,
});

const ROUTE = {
  method: "POST",
  path: "/api/things/{thingId}",
  entry: "test/things",
  roles: ACTOR_ROLES,
  summary: "A thing",
  params: z.object({ thingId: z.string().regex(/^t-\d+$/) }).strict(),
  query: z.object({ dryRun: z.enum(["true", "false"]).default("false") }).strict(),
  body: z.object({ name: z.string(), count: z.number().int() }).strict(),
  responses: { 200: { description: "The thing" } },
  errors: [400, 404],
} as const satisfies Route;

const handler = httpRoute(
  ROUTE,
  async ({ params, query, body, caller }) => {
    if (body.name === "missing") throw new NotFoundError("thing", "missing");
    if (body.name === "bug") throw new Error("secret internal detail");
    return json(200, { ...body, thingId: params.thingId, dryRun: query.dryRun, by: caller.username });
  },
  { maxBodyBytes: 100, limiter: new InMemoryRequestLimiter() },
);
const valid = { pathParameters: { thingId: "t-1" } };

const call = async (
  input: ReturnType<typeof event>,
  fn: (e: never, c: Context) => Promise<{ statusCode: number; body: string }> = handler,
) => {
  const response = await fn(input as never, context);
  return { status: response.statusCode, body: JSON.parse(response.body) };
};

const PAGES = {
  method: "GET",
  path: "/api/things",
  entry: "test/things",
  roles: ACTOR_ROLES,
  summary: "Things",
  query: z.object({ limit: z.string().optional(), cursor: z.string().optional() }).strict(),
  pagedBy: "nextCursor",
  responses: { 200: { description: "A page" } },
  errors: [400],
} as const satisfies Route;
const pages = httpRoute(PAGES, async ({ query }) => json(200, { items: [query.cursor ?? "first"], nextCursor: "c2" }), {
  limiter: new InMemoryRequestLimiter(),
});
const get = (extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  event(undefined, { rawQueryString: "limit=1", headers, ...extra });

describe("httpRoute's answers to GET", () => {
  it("carry an ETag, the route's Cache-Control, and a Link to the next page", async () => {
    const response = await pages(get() as never, context);
    expect(response.statusCode).toBe(200);
    expect(response.headers.etag).toMatch(/^".+"$/);
    expect(response.headers["cache-control"]).toBe("private, no-cache");
    expect(response.headers.link).toBe('<?limit=1&cursor=c2>; rel="next"');
  });

  it("answer 304 with no body to a matching If-None-Match, and 200 again once it changed", async () => {
    const first = await pages(get() as never, context);
    const again = await pages(get({}, { "if-none-match": first.headers.etag as string }) as never, context);
    expect(again).toMatchObject({ statusCode: 304, body: "" });
    expect(again.headers.etag).toBe(first.headers.etag);
    const changed = await pages(
      get({ queryStringParameters: { cursor: "c2" } }, { "if-none-match": first.headers.etag as string }) as never,
      context,
    );
    expect(changed.statusCode).toBe(200);
    expect(JSON.parse(changed.body).items).toEqual(["c2"]);
  });
});

describe("httpRoute's errors", () => {
  it("come as RFC 9457 problem details to a client that asks for them", async () => {
    const response = await handler(
      event(JSON.stringify({ name: 5, count: 1 }), { ...valid, headers: { accept: "application/problem+json" } }) as never,
      context,
    );
    expect(response.statusCode).toBe(400);
    expect(response.headers["content-type"]).toBe("application/problem+json");
    expect(JSON.parse(response.body)).toEqual({
      type: "urn:tge-swarm:problem:ValidationError",
      title: "Bad Request",
      status: 400,
      detail: "the request is invalid",
      code: "ValidationError",
      requestId: "req-1",
      fields: [expect.objectContaining({ field: "name" })],
    });
  });

  it("keep today's shape for every other client", async () => {
    const response = await handler(event(JSON.stringify({ name: 5, count: 1 }), valid) as never, context);
    expect(response.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(response.body).error).toMatchObject({ code: "ValidationError", requestId: "req-1" });
  });
});

describe("httpRoute", () => {
  it("passes path, query and body to the handler, parsed, with the caller", async () => {
    const answer = await call(
      event(JSON.stringify({ name: "a", count: 1 }), { ...valid, queryStringParameters: { dryRun: "true" } }),
    );
    expect(answer).toEqual({ status: 200, body: { name: "a", count: 1, thingId: "t-1", dryRun: "true", by: "ann" } });
  });

  it("answers one 400 naming every bad field, across path, query and body", async () => {
    const { status, body } = await call(
      event(JSON.stringify({ name: 5, count: 1.5, extra: true }), {
        pathParameters: { thingId: "nope" },
        queryStringParameters: { dryRun: "maybe" },
      }),
    );
    expect(status).toBe(400);
    expect(body.error.code).toBe("ValidationError");
    expect(body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual(
      ["count", "extra", "name", "pathParameters.thingId", "queryStringParameters.dryRun"].sort(),
    );
    expect(body.error.fields).toContainEqual({ field: "extra", message: "is not a known field" });
  });

  it("answers 403 to a caller without a permitted role before reading anything, whatever the body holds", async () => {
    for (const body of [JSON.stringify({ name: "a", count: 1 }), "{not json", JSON.stringify({ count: "x" }), "x".repeat(500)]) {
      const answer = await call(event(body, { pathParameters: { thingId: "bad" } }, ["viewer"]));
      expect(answer.status).toBe(403);
      expect(answer.body.error.code).toBe("Forbidden");
      expect(JSON.stringify(answer.body)).not.toMatch(/name|count|thingId/);
    }
  });

  it("answers 401 without a token, and 403 to a signed-in user in no group", async () => {
    expect((await call(event(JSON.stringify({ name: "a", count: 1 }), valid, null))).status).toBe(401);
    expect((await call(event(JSON.stringify({ name: "a", count: 1 }), valid, []))).status).toBe(403);
  });

  it("answers 401 to an ID token, whatever the role and body, and lets the same claims through as an access token", async () => {
    const withUse = (tokenUse: string) => {
      const base = event(JSON.stringify({ name: "a", count: 1 }), valid, ["admin"]);
      return {
        ...base,
        requestContext: { requestId: "r", authorizer: { jwt: { claims: { ...claims("admin"), token_use: tokenUse } } } },
      };
    };
    const refused = await call(withUse("id") as ReturnType<typeof event>);
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toMatch(/access token is required/);
    // Control: only token_use differs.
    expect((await call(withUse("access") as ReturnType<typeof event>)).status).toBe(200);
  });

  it("lets anyone call a public route, with or without a token", async () => {
    const open = httpRoute(
      {
        method: "GET",
        path: "/api/open",
        entry: "test/open",
        roles: PUBLIC,
        summary: "Open",
        responses: { 200: { description: "ok" } },
        errors: [],
      },
      async ({ caller }) => json(200, { caller: caller?.username ?? null }),
      { limiter: new InMemoryRequestLimiter() },
    );
    expect(await call(event(undefined, {}, null), open)).toEqual({ status: 200, body: { caller: null } });
    expect(await call(event(undefined, {}, ["viewer"]), open)).toEqual({ status: 200, body: { caller: "ann" } });
  });

  it("takes a missing optional body as {}", async () => {
    const optional = httpRoute(
      { ...ROUTE, body: z.object({ reason: z.string().optional() }).strict(), optionalBody: true },
      async ({ body }) => json(200, body),
      { limiter: new InMemoryRequestLimiter() },
    );
    expect(await call(event(undefined, valid), optional)).toEqual({ status: 200, body: {} });
    expect(await call(event("", valid), optional)).toEqual({ status: 200, body: {} });
    expect((await call(event(JSON.stringify({ reason: 4 }), valid), optional)).status).toBe(400);
  });

  it("answers 400 on a body that is not JSON", async () => {
    const { status, body } = await call(event("{not json", valid));
    expect(status).toBe(400);
    expect(body.error.fields).toEqual([{ field: "body", message: "is not valid JSON" }]);
  });

  it("answers 413 before parsing a body over the limit", async () => {
    const { status, body } = await call(event(JSON.stringify({ name: "x".repeat(200), count: 1 }), valid));
    expect(status).toBe(413);
    expect(body.error.fields[0].field).toBe("body");
  });

  it("decodes base64 bodies", async () => {
    const raw = Buffer.from(JSON.stringify({ name: "b", count: 2 })).toString("base64");
    expect((await call(event(raw, { ...valid, isBase64Encoded: true }))).body).toMatchObject({ name: "b", count: 2 });
  });

  it("maps domain errors to their status", async () => {
    expect((await call(event(JSON.stringify({ name: "missing", count: 1 }), valid))).status).toBe(404);
  });

  it("answers 500 for a bug without leaking its message", async () => {
    const { status, body } = await call(event(JSON.stringify({ name: "bug", count: 1 }), valid));
    expect(status).toBe(500);
    expect(JSON.stringify(body)).not.toContain("secret");
    expect(body.error.requestId).toBe("req-1");
  });
});

describe("httpRoute's rate limits", () => {
  const withSub = (sub: string, roles: Role[] = ["operator"]) => {
    const base = event(JSON.stringify({ name: "a", count: 1 }), valid, roles);
    return {
      ...base,
      requestContext: { requestId: "r", authorizer: { jwt: { claims: { ...claims(...roles), sub } } } },
    } as ReturnType<typeof event>;
  };

  it("answers 429 with Retry-After once a user's write budget is spent, while another user is unaffected", async () => {
    vi.useFakeTimers().setSystemTime(new Date("2026-12-02T10:00:00.000Z"));
    try {
      const limited = httpRoute(ROUTE, async () => json(200, {}), { limiter: new InMemoryRequestLimiter() });
      const { capacity } = REQUEST_BUDGETS.write;
      for (let i = 0; i < capacity; i++) expect((await limited(withSub("ann") as never, context)).statusCode).toBe(200);
      const refused = await limited(withSub("ann") as never, context);
      expect(refused.statusCode).toBe(429);
      expect(refused.headers["retry-after"]).toBe("1");
      expect(JSON.parse(refused.body).error.code).toBe("RateLimited");
      // Control: another user's bucket is full.
      expect((await limited(withSub("bob") as never, context)).statusCode).toBe(200);
      // And ann's refills with time.
      vi.advanceTimersByTime(1_000);
      expect((await limited(withSub("ann") as never, context)).statusCode).toBe(200);
    } finally {
      vi.useRealTimers();
    }
  });

  it("spends nothing on a caller refused by the role check", async () => {
    const limiter = new InMemoryRequestLimiter();
    const limited = httpRoute(ROUTE, async () => json(200, {}), { limiter });
    expect((await limited(withSub("vic", ["viewer"]) as never, context)).statusCode).toBe(403);
    expect(limiter.buckets.size).toBe(0);
  });

  it("limits callers without a token by source IP", async () => {
    const limiter = new InMemoryRequestLimiter();
    const open = httpRoute(
      { ...ROUTE, roles: PUBLIC, method: "GET", body: undefined, params: undefined, query: undefined, budget: "expensive" },
      async () => json(200, {}),
      { limiter },
    );
    const anonymous = (sourceIp: string) => ({ headers: {}, requestContext: { requestId: "r", http: { sourceIp } } });
    let last = 200;
    for (let i = 0; i < 100 && last === 200; i++) last = (await open(anonymous("203.0.113.7") as never, context)).statusCode;
    expect(last).toBe(429);
    expect([...limiter.buckets.keys()]).toEqual(["IP#203.0.113.7#expensive"]);
    expect((await open(anonymous("203.0.113.8") as never, context)).statusCode).toBe(200);
  });
});

describe("admit", () => {
  it("turns a bucket contended in every round into 429, not a 500", async () => {
    const contended = {
      take: async () => {
        throw new BucketContendedError("USER#ann#write", 5);
      },
    };
    await expect(admit(contended, { sub: "ann" }, "write", 0)).rejects.toBeInstanceOf(RateLimitedError);
    // Control: any other failure of the store is not hidden.
    const broken = {
      take: async () => {
        throw new Error("table missing");
      },
    };
    await expect(admit(broken, { sub: "ann" }, "write", 0)).rejects.toThrow("table missing");
  });
});

describe("nested JSON", () => {
  it("is refused with 400 naming the body before parsing when deeper than the limit; at the limit it parses", async () => {
    const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
    expect(jsonDepth(nested(MAX_JSON_DEPTH))).toBe(MAX_JSON_DEPTH);
    expect(jsonDepth('{"a":"[[[[[[","b":[1]}')).toBe(2);
    const deep = await call(event(`{"name":${nested(MAX_JSON_DEPTH + 3)},"count":1}`, valid));
    expect(deep.status).toBe(400);
    expect(deep.body.error.fields).toEqual([{ field: "body", message: `nests deeper than ${MAX_JSON_DEPTH} levels` }]);
  });
});
