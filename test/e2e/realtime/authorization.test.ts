import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { CONNECTION_LIMITS } from "#realtime/published/room-rules";
import { type Frame, HandshakeRefused, WsClient } from "../../../scripts/local/ws-client";
import { api, outputs, tokenFor } from "../support/api";

/** The WebSocket matrix of issue 17: each action checked on its own, not only the handshake. */
const open: WsClient[] = [];
async function connect(role: "admin" | "operator" | "viewer"): Promise<WsClient> {
  const client = await WsClient.connect(outputs().WebSocketUrl, await tokenFor(role));
  open.push(client);
  return client;
}
afterEach(() => {
  for (const client of open.splice(0)) client.close();
});
const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
afterAll(() => db.destroy());

async function request(client: WsClient, message: Record<string, unknown>, replyTypes: string[]): Promise<Frame> {
  const before = client.frames.length;
  client.send(message);
  return client.waitFor((f) => replyTypes.includes(f.type) && client.frames.indexOf(f) >= before, 10_000, replyTypes.join("|"));
}

/** An access token for a fresh user in no group at all. */
async function tokenOfUserInNoGroup(): Promise<string> {
  const { endpoint, region, UserPoolId, UserPoolClientId } = outputs();
  const cognito = new CognitoIdentityProviderClient({ endpoint, region });
  const Username = `nogroup-${Date.now().toString(36)}`;
  const Password = "No-Group-Passw0rd!";
  try {
    await cognito.send(new AdminCreateUserCommand({ UserPoolId, Username, MessageAction: "SUPPRESS" }));
    await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId, Username, Password, Permanent: true }));
    const { AuthenticationResult } = await cognito.send(
      new InitiateAuthCommand({
        ClientId: UserPoolClientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: Username, PASSWORD: Password },
      }),
    );
    if (!AuthenticationResult?.AccessToken) throw new Error("no access token for the user in no group");
    return AuthenticationResult.AccessToken;
  } finally {
    cognito.destroy();
  }
}

describe("WebSocket authorization per action", () => {
  it("$connect refuses a signed-in user in no group; a viewer connects", async () => {
    const refused = await WsClient.connect(outputs().WebSocketUrl, await tokenOfUserInNoGroup()).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HandshakeRefused);
    // Control
    const viewer = await connect("viewer");
    expect(await request(viewer, { type: "ping" }, ["pong"])).toMatchObject({ type: "pong" });
  });

  it("a viewer reads the ops room but posting there answers forbidden; an operator's post reaches the viewer", async () => {
    const [viewer, operator] = await Promise.all([connect("viewer"), connect("operator")]);
    expect(await request(viewer, { type: "join_room", room: "ops" }, ["joined", "error"])).toMatchObject({ type: "joined" });
    expect(await request(operator, { type: "join_room", room: "ops" }, ["joined", "error"])).toMatchObject({ type: "joined" });

    const marker = `viewer-${Date.now()}`;
    expect(await request(viewer, { type: "room_message", room: "ops", message: marker }, ["error"])).toMatchObject({
      data: { code: "forbidden", fields: [{ field: "room" }] },
    });
    const control = `operator-${Date.now()}`;
    operator.send({ type: "room_message", room: "ops", message: control });
    await viewer.waitFor((f) => f.type === "room_message" && f.data.message === control, 10_000, "the operator's message");
    expect(operator.frames.some((f) => f.type === "room_message" && f.data.message === marker)).toBe(false);
  });

  it("joining the admins room, and reading its history, need the admin role", async () => {
    const operator = await connect("operator");
    expect(await request(operator, { type: "join_room", room: "admins" }, ["joined", "error"])).toMatchObject({
      type: "error",
      data: { code: "forbidden" },
    });
    for (const role of ["viewer", "operator"] as const) {
      const answer = await api("GET", "/api/websocket/event-history?room=admins", { token: await tokenFor(role) });
      expect(answer.status, role).toBe(403);
    }
    // Controls: an admin joins and reads it.
    const admin = await connect("admin");
    expect(await request(admin, { type: "join_room", room: "admins" }, ["joined", "error"])).toMatchObject({ type: "joined" });
    expect((await api("GET", "/api/websocket/event-history?room=admins", { token: await tokenFor("admin") })).status).toBe(200);
  });

  it("answers room_limit past the rooms one connection may be in", async () => {
    const viewer = await connect("viewer");
    const run = Date.now().toString(36);
    for (let i = 0; i < CONNECTION_LIMITS.roomsPerConnection; i++) {
      expect(await request(viewer, { type: "join_room", room: `lim-${run}-${i}` }, ["joined", "error"])).toMatchObject({
        type: "joined",
      });
    }
    // The joins may have spent the connection's burst (the e2e stage allows 10 frames, then 2 a
    // second), and a rate_limited answer would hide the limit under test: let one token refill.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await request(viewer, { type: "join_room", room: `lim-${run}-over` }, ["joined", "error"])).toMatchObject({
      type: "error",
      data: { code: "room_limit" },
    });
  });

  it("a frame after the token's expiry answers token_expired and the server closes the connection", async () => {
    // GIVEN a live connection (control: it answers a ping)
    const viewer = await connect("viewer");
    expect(await request(viewer, { type: "ping" }, ["pong"])).toMatchObject({ type: "pong" });
    // WHEN its token's expiry has passed: an hour cannot pass in a test, so the kept expiry is moved back
    const connectionId = await viewer.connectionId();
    await db.send(
      new UpdateCommand({
        TableName: outputs().ConnectionsTableName,
        Key: { pk: `CONN#${connectionId}`, sk: "META" },
        UpdateExpression: "SET tokenExpiresAt = :past",
        ExpressionAttributeValues: { ":past": new Date(Date.now() - 1_000).toISOString() },
      }),
    );
    const closed = new Promise<void>((resolve) => viewer.socket.once("close", () => resolve()));
    // THEN
    expect(await request(viewer, { type: "ping" }, ["pong", "error"])).toMatchObject({
      type: "error",
      data: { code: "token_expired" },
    });
    await Promise.race([
      closed,
      new Promise((_, reject) => setTimeout(() => reject(new Error("the connection was not closed within 10 s")), 10_000)),
    ]);
  });
});
