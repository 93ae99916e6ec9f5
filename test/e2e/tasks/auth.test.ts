import { describe, expect, it } from "vitest";
import { api, outputs, tokenFor } from "../support/api";
import { HandshakeRefused, WsClient } from "../../../scripts/local/ws-client";

describe("authorization", () => {
  it("answers 401 without a token, on every route but health", async () => {
    for (const [method, path] of [
      ["POST", "/api/tasks"],
      ["GET", "/api/tasks/anything"],
    ] as const) {
      expect((await api(method, path, { token: null, body: {} })).status, `${method} ${path}`).toBe(401);
    }
    expect((await api("GET", "/api/health", { token: null })).status).toBe(200);
  });

  it("answers 401 for a forged token", async () => {
    const real = await tokenFor("admin");
    const [header, payload] = real.split(".");
    const forged = `${header}.${payload}.${Buffer.from("not the signature").toString("base64url")}`;
    expect((await api("GET", "/api/tasks/anything", { token: forged })).status).toBe(401);
  });

  it("lets operators and admins submit tasks, and refuses viewers with 403", async () => {
    const body = { type: "diagnostics.echo", agentType: "data-quality" };
    expect((await api("POST", "/api/tasks", { token: await tokenFor("viewer"), body })).status).toBe(403);
    expect((await api("POST", "/api/tasks", { token: await tokenFor("operator"), body })).status).toBe(201);
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
