import type { Clock } from "#shared/clock";
import { DomainError, UnauthorizedError } from "#shared/errors";
import { type Caller, callerFromClaims, READER_ROLES, requireRole } from "#shared/identity";
import type { ConnectionStore } from "./ports";

/** Checks a bearer token and answers its verified claims. */
export interface TokenVerifier {
  /** @throws UnauthorizedError when the token is missing, forged, expired or for another client. */
  verify(token: string): Promise<Record<string, unknown>>;
}

/**
 * The user already has as many connections open as the stage allows (`wsConnectionsPerUser`). Refused at the
 * handshake (429): API Gateway cannot carry a frame on a connection it has not opened yet.
 */
export class ConnectionLimitError extends DomainError {
  readonly status = 429;
  readonly code = "connection_limit";
  constructor(readonly limit: number) {
    super(`connection_limit: at most ${limit} connections per user are open at once; close one first`);
    this.name = "ConnectionLimitError";
  }
}

/**
 * Admits a WebSocket connection only for a verified identity in a reader group, and only while
 * the user is within the connections-per-user limit. API Gateway does not run our check for us
 * on `$connect` everywhere (the local emulator skips Lambda authorizers), so this is the one
 * place a connection is accepted, on AWS as locally. The token's expiry is kept with the
 * connection: frames after it are refused (`handleClientMessage`).
 */
export async function openConnection(
  connectionId: string,
  token: string | undefined,
  deps: { verifier: TokenVerifier; connections: ConnectionStore; clock: Clock; connectionsPerUser: number },
): Promise<Caller> {
  if (!token) throw new UnauthorizedError("a token query parameter is required");
  const claims = await deps.verifier.verify(token);
  const caller = callerFromClaims(claims);
  // The HTTP API gives a user in no group nothing; neither does the WebSocket.
  requireRole(caller, READER_ROLES);
  // A soft limit: two handshakes at the same instant may both pass the count.
  if ((await deps.connections.countOf(caller.sub)) >= deps.connectionsPerUser) {
    throw new ConnectionLimitError(deps.connectionsPerUser);
  }
  const exp = Number(claims.exp);
  if (!Number.isFinite(exp)) throw new UnauthorizedError("the token has no expiry");
  await deps.connections.put({
    connectionId,
    sub: caller.sub,
    username: caller.username,
    roles: caller.roles,
    connectedAt: deps.clock.now().toISOString(),
    tokenExpiresAt: new Date(exp * 1000).toISOString(),
  });
  return caller;
}
