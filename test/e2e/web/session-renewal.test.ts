import { describe, expect, it } from "vitest";
import { localDashboardConfig } from "../../../scripts/local/web-server";
import { LOCAL_USERS } from "../../../scripts/local/users";
import { WsClient } from "../../../scripts/local/ws-client";
import { refreshSession, signIn } from "../../../web/src/auth";
import { api, outputs } from "../support/api";

/**
 * The page's session renewal against the deployed user pool: the refresh token a sign-in keeps
 * buys a new access token (REFRESH_TOKEN_AUTH), which the HTTP API and the WebSocket accept,
 * so a signed-in page is not sent back to the form when the first token expires.
 */
describe("a page session renewed with its refresh token", () => {
  it("gets a new access token that the API and the WebSocket accept; a forged refresh token is refused", async () => {
    const config = localDashboardConfig(outputs());
    const signedIn = await signIn(config, LOCAL_USERS.viewer.username, LOCAL_USERS.viewer.password);
    if (signedIn.kind !== "signed_in") throw new Error("the seeded viewer has no MFA");
    expect(signedIn.session.refreshToken).toBeDefined();

    const renewed = await refreshSession(config, signedIn.session);
    expect(renewed.accessToken).not.toBe(signedIn.session.accessToken);
    expect(renewed.refreshToken).toBe(signedIn.session.refreshToken);
    expect(renewed.expiresAt).toBeGreaterThan(Date.now() + 30 * 60_000);

    expect((await api("GET", "/api/tasks/status", { token: renewed.accessToken })).status).toBe(200);
    const client = await WsClient.connect(outputs().WebSocketUrl, renewed.accessToken);
    client.send({ type: "ping", id: "renewed" });
    expect(await client.waitFor((frame) => frame.type === "pong")).toMatchObject({ data: { id: "renewed" } });
    client.close();

    // The control: a refresh token Cognito never issued buys nothing.
    await expect(refreshSession(config, { ...signedIn.session, refreshToken: "forged" })).rejects.toMatchObject({
      code: expect.stringMatching(/NotAuthorized/),
    });
  });
});
