import { describe, expect, it } from "vitest";
import { type Role, ROLES } from "#shared/identity";
import { permits, PUBLIC, routeKey } from "#shared/routes";
import { ALL_ROUTES } from "../../../scripts/openapi/route-tables";
import { HandshakeRefused, WsClient } from "../../../scripts/local/ws-client";
import { api, idTokenFor, outputs, tokenFor } from "../support/api";

interface ErrorBody {
  error: { code: string; message: string };
}

/** A concrete path for a route: each `{param}` filled with a value its schema may or may not accept. */
const pathOf = (path: string) =>
  path.replace(/\{(\w+)\}/g, (_, name: string) => (name === "type" ? "data-quality" : `e2e-${name}`));

/** Bodies a caller without the role might send: a plausible one, and garbage of every kind. */
const BODIES = [
  { body: {} },
  { body: { type: "diagnostics.echo", agentType: "data-quality" } },
  { rawBody: "{not json" },
  { body: [1, 2] },
];

describe("authorization", () => {
  it("answers 403 to a viewer on every route that needs more than a reader, whatever the body", async () => {
    const viewer = await tokenFor("viewer");
    const guarded = ALL_ROUTES.filter((route) => !permits(route, "viewer"));
    expect(guarded.length).toBeGreaterThanOrEqual(9);
    for (const route of guarded) {
      for (const body of BODIES) {
        const answer = await api<{ error: { code: string; fields?: unknown } }>(route.method, pathOf(route.path), {
          token: viewer,
          ...body,
        });
        expect(answer.status, `${routeKey(route)} ${JSON.stringify(body)}`).toBe(403);
        expect(answer.body.error.code).toBe("Forbidden");
        expect(answer.body.error.fields).toBeUndefined();
      }
    }
  });

  it("answers 401 without a token on every route but the public ones", async () => {
    for (const route of ALL_ROUTES) {
      const answer = await api(route.method, pathOf(route.path), { token: null, body: {} });
      expect(answer.status, routeKey(route)).toBe(route.roles === PUBLIC ? 200 : 401);
    }
  });

  it("lets every role the route table names through the role check", async () => {
    // A route a role may call answers anything but 401/403 for it (400, 404 … for the made-up input).
    for (const role of ROLES satisfies readonly Role[]) {
      const token = await tokenFor(role);
      for (const route of ALL_ROUTES.filter((r) => r.roles !== PUBLIC && permits(r, role) && r.method === "GET")) {
        const answer = await api(route.method, pathOf(route.path), { token });
        expect([401, 403], `${role} ${routeKey(route)}`).not.toContain(answer.status);
      }
    }
  });

  it("answers 401 to an ID token on every route that needs a token, for every role; public routes treat it as no token", async () => {
    for (const role of ROLES) {
      const idToken = await idTokenFor(role);
      for (const route of ALL_ROUTES) {
        const answer = await api<{ error?: { message: string } }>(route.method, pathOf(route.path), { token: idToken, body: {} });
        if (route.roles === PUBLIC) {
          expect(answer.status, `${role} ${routeKey(route)}`).toBe(200);
          continue;
        }
        expect(answer.status, `${role} ${routeKey(route)}`).toBe(401);
        expect(answer.body.error?.message, `${role} ${routeKey(route)}`).toMatch(/access token is required/);
      }
    }
    // Control: the admin's access token on the same GET routes is not refused as unauthenticated.
    const access = await tokenFor("admin");
    for (const route of ALL_ROUTES.filter((r) => r.roles !== PUBLIC && r.method === "GET")) {
      expect((await api(route.method, pathOf(route.path), { token: access })).status, routeKey(route)).not.toBe(401);
    }
  });

  it("answers 401 for a forged token", async () => {
    const real = await tokenFor("admin");
    const [header, payload] = real.split(".");
    const forged = `${header}.${payload}.${Buffer.from("not the signature").toString("base64url")}`;
    expect((await api("GET", "/api/tasks/anything", { token: forged })).status).toBe(401);
  });

  it("refuses task types the caller does not own: an operator's tge.validate and diagnostics, an admin's feed.fetch (403 naming the type)", async () => {
    const operator = await tokenFor("operator");
    const admin = await tokenFor("admin");
    const forged = {
      type: "tge.validate",
      agentType: "data-quality",
      payload: { itemId: "forged", score: 1, project: { slug: "brindle", name: "Brindle Protocol" } },
    };
    const refusals = [
      await api<ErrorBody>("POST", "/api/tasks", { token: operator, body: forged }),
      await api<ErrorBody>("POST", "/api/tasks", {
        token: operator,
        body: { type: "diagnostics.echo", agentType: "data-quality" },
      }),
      await api<ErrorBody>("POST", "/api/tasks", {
        token: admin,
        body: { type: "feed.fetch", agentType: "scraping-efficiency", payload: { url: "http://127.0.0.1:4566/" } },
      }),
    ];
    for (const [answer, type] of refusals.map((r, i) => [r, ["tge.validate", "diagnostics.echo", "feed.fetch"][i]] as const)) {
      expect(answer.status, type).toBe(403);
      expect(answer.body.error.code).toBe("TaskTypeForbidden");
      expect(answer.body.error.message).toContain(type);
    }
    const batch = await api<{ results: { status: number; error?: { code: string } }[] }>("POST", "/api/tasks/batch", {
      token: operator,
      body: { tasks: [forged] },
    });
    expect(batch.body.results).toMatchObject([{ status: 403, error: { code: "TaskTypeForbidden" } }]);
    // Controls: an admin's diagnostics task is taken; a viewer is refused by the route's roles first.
    expect(
      (await api("POST", "/api/tasks", { token: admin, body: { type: "diagnostics.echo", agentType: "data-quality" } })).status,
    ).toBe(201);
    expect((await api("POST", "/api/tasks", { token: await tokenFor("viewer"), body: forged })).status).toBe(403);
  });

  it("refuses a WebSocket connection without a token, or with a bad one", async () => {
    await expect(WsClient.connect(outputs().WebSocketUrl, undefined)).rejects.toBeInstanceOf(HandshakeRefused);
    await expect(WsClient.connect(outputs().WebSocketUrl, "garbage")).rejects.toBeInstanceOf(HandshakeRefused);
  });

  it("accepts a WebSocket connection with a valid token", async () => {
    const client = await WsClient.connect(outputs().WebSocketUrl, await tokenFor("viewer"));
    client.send({ type: "ping", id: "p-1" });
    expect(await client.waitFor((frame) => frame.type === "pong")).toMatchObject({ data: { id: "p-1" } });
    client.close();
  });
});
