import type { Clock } from "#shared/clock";
import { UnauthorizedError } from "#shared/errors";
import { type Caller, callerFromClaims } from "#shared/identity";
import type { ConnectionStore } from "./ports";

/** Checks a bearer token and answers its verified claims. */
export interface TokenVerifier {
  /** @throws UnauthorizedError when the token is missing, forged, expired or for another client. */
  verify(token: string): Promise<Record<string, unknown>>;
}

/**
 * Admits a WebSocket connection only for a verified identity. API Gateway does not run our
 * check for us on `$connect` everywhere (the local emulator skips Lambda authorizers), so this
 * is the one place a connection is accepted, on AWS as locally.
 */
export async function openConnection(
  connectionId: string,
  token: string | undefined,
  deps: { verifier: TokenVerifier; connections: ConnectionStore; clock: Clock },
): Promise<Caller> {
  if (!token) throw new UnauthorizedError("a token query parameter is required");
  const caller = callerFromClaims(await deps.verifier.verify(token));
  await deps.connections.put({
    connectionId,
    sub: caller.sub,
    username: caller.username,
    roles: caller.roles,
    connectedAt: deps.clock.now().toISOString(),
  });
  return caller;
}
