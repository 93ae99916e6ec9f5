import { describe, expect, it } from "vitest";
import { ConnectionLimitError, openConnection, type TokenVerifier } from "#realtime/domain/connect";
import { ForbiddenError, UnauthorizedError } from "#shared/errors";
import { InMemoryConnectionStore, ManualClock } from "../../support/in-memory-connections";

const EXP = Date.parse("2026-11-23T11:00:00.000Z") / 1000;
const verifierOf = (claims: Record<string, unknown>): TokenVerifier => ({ verify: async () => claims });
const claims = (groups: string, sub = "ann") => ({ sub, username: sub, token_use: "access", "cognito:groups": groups, exp: EXP });

describe("openConnection ($connect)", () => {
  it("admits a reader and keeps the token's expiry with the connection", async () => {
    const connections = new InMemoryConnectionStore();
    await openConnection("c1", "t", {
      verifier: verifierOf(claims("[viewer]")),
      connections,
      clock: new ManualClock(),
      connectionsPerUser: 3,
    });
    expect(await connections.get("c1")).toMatchObject({
      sub: "ann",
      roles: ["viewer"],
      tokenExpiresAt: "2026-11-23T11:00:00.000Z",
    });
  });

  it("refuses a signed-in user in no group with 403, storing nothing", async () => {
    const connections = new InMemoryConnectionStore();
    const refusal = openConnection("c1", "t", {
      verifier: verifierOf(claims("[]")),
      connections,
      clock: new ManualClock(),
      connectionsPerUser: 3,
    });
    await expect(refusal).rejects.toBeInstanceOf(ForbiddenError);
    expect(connections.connections.size).toBe(0);
  });

  it("refuses an ID token with 401", async () => {
    const connections = new InMemoryConnectionStore();
    const idToken = { ...claims("[admin]"), token_use: "id" };
    await expect(
      openConnection("c1", "t", { verifier: verifierOf(idToken), connections, clock: new ManualClock(), connectionsPerUser: 3 }),
    ).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it("refuses a user's connection past connectionsPerUser with connection_limit (429); another user still connects", async () => {
    const connections = new InMemoryConnectionStore();
    const deps = { verifier: verifierOf(claims("[viewer]")), connections, clock: new ManualClock(), connectionsPerUser: 3 };
    for (let i = 0; i < deps.connectionsPerUser; i++) await openConnection(`c${i}`, "t", deps);
    const refusal = await openConnection("over", "t", deps).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ConnectionLimitError);
    expect(refusal).toMatchObject({ status: 429, code: "connection_limit" });
    // Control: the limit is per user.
    await openConnection("bob-1", "t", { ...deps, verifier: verifierOf(claims("[viewer]", "bob")) });
    expect(await connections.get("bob-1")).toBeDefined();
  });
});
