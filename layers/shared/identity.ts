import * as z from "zod";
import { ForbiddenError, UnauthorizedError } from "./errors";

export const Role = z.enum(["admin", "operator", "viewer"]);
/** Every role, as the Cognito groups name them. */
export const ROLES = Role.options;
export type Role = z.infer<typeof Role>;

/** Who is calling, as established by a verified JWT. */
export interface Caller {
  readonly sub: string;
  readonly username: string;
  readonly roles: readonly Role[];
  /**
   * Set only for the swarm's own components (agents, schedules), which act without a token;
   * never derived from a token's claims, so no user can claim it. @default a user
   */
  readonly system?: true;
}

/**
 * Cognito puts groups in `cognito:groups`; a verified token gives an array, while API Gateway's
 * JWT authorizer flattens it to a string such as "[admin operator]". Accept both.
 */
export function parseGroups(claim: unknown): Role[] {
  let names: string[] = [];
  if (Array.isArray(claim)) names = claim.map(String);
  else if (typeof claim === "string")
    names = claim
      .replace(/^\[|\]$/g, "")
      .split(/[\s,]+/)
      .filter(Boolean);
  return names.flatMap((name) => {
    const role = Role.safeParse(name);
    return role.success ? [role.data] : [];
  });
}

/**
 * Builds the caller from verified claims. A token without `sub` is not an identity, and only an
 * access token authorizes a call: Cognito's ID tokens carry the same signature, issuer and
 * audience (`aud` is the app client id, which API Gateway's JWT authorizer accepts), so
 * `token_use` is what tells them apart (ADR 0016).
 */
export function callerFromClaims(claims: Record<string, unknown> | undefined): Caller {
  const sub = claims?.sub;
  if (typeof sub !== "string" || sub.length === 0) throw new UnauthorizedError();
  if (claims?.token_use !== "access") {
    throw new UnauthorizedError(
      `an access token is required (this token's token_use is ${String(claims?.token_use ?? "absent")})`,
    );
  }
  const username = claims?.username ?? claims?.["cognito:username"] ?? sub;
  return { sub, username: String(username), roles: parseGroups(claims?.["cognito:groups"]) };
}

/** Throws ForbiddenError unless the caller holds one of `allowed`. */
export function requireRole(caller: Caller, allowed: readonly Role[]): void {
  if (!caller.roles.some((role) => allowed.includes(role))) {
    throw new ForbiddenError(`requires one of the roles: ${allowed.join(", ")}`);
  }
}

/** Roles that may read: any role at all. A signed-in user in no group reads nothing. */
export const READER_ROLES: readonly Role[] = ["viewer", "operator", "admin"];
/** Roles that may act: start, stop, submit, cancel. */
export const ACTOR_ROLES: readonly Role[] = ["operator", "admin"];
/** Administration: announcements to everyone, and what the security matrix keeps for admins. */
export const ADMIN_ROLES: readonly Role[] = ["admin"];
