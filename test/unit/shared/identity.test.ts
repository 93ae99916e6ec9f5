import { describe, expect, it } from "vitest";
import { ForbiddenError, UnauthorizedError } from "#shared/errors";
import { callerFromClaims, parseGroups, requireRole } from "#shared/identity";

describe("parseGroups", () => {
  it("reads groups from a verified token's array", () => {
    expect(parseGroups(["admin", "viewer"])).toEqual(["admin", "viewer"]);
  });

  it("reads groups as API Gateway's JWT authorizer flattens them", () => {
    expect(parseGroups("[admin operator]")).toEqual(["admin", "operator"]);
    expect(parseGroups("[viewer]")).toEqual(["viewer"]);
  });

  it("ignores groups that are not roles", () => {
    expect(parseGroups(["admin", "us-east-1_pool_Google"])).toEqual(["admin"]);
    expect(parseGroups(undefined)).toEqual([]);
  });
});

describe("callerFromClaims / requireRole", () => {
  it("needs a subject", () => {
    expect(() => callerFromClaims({ username: "x" })).toThrow(UnauthorizedError);
  });

  it("refuses an ID token (or a token that says nothing of its use) with 401, and admits the same claims as an access token", () => {
    const claims = { sub: "s", username: "v", "cognito:groups": "[viewer]", aud: "client" };
    expect(() => callerFromClaims({ ...claims, token_use: "id" })).toThrow(/access token is required/);
    expect(() => callerFromClaims(claims)).toThrow(UnauthorizedError);
    // Control: the same claims with token_use "access" are a caller.
    expect(callerFromClaims({ ...claims, token_use: "access" }).roles).toEqual(["viewer"]);
  });

  it("lets a role through and refuses the rest with 403", () => {
    const viewer = callerFromClaims({ sub: "s", username: "v", token_use: "access", "cognito:groups": "[viewer]" });
    expect(() => requireRole(viewer, ["viewer"])).not.toThrow();
    expect(() => requireRole(viewer, ["operator", "admin"])).toThrow(ForbiddenError);
  });
});
