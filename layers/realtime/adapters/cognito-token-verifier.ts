import { JwtVerifier } from "aws-jwt-verify";
import type { Jwks } from "aws-jwt-verify/jwk";
import { UnauthorizedError } from "#shared/errors";
import { logger } from "#shared/powertools";
import type { TokenVerifier } from "../domain/connect";

export interface CognitoTokenVerifierOptions {
  /** `https://cognito-idp.<region>.amazonaws.com/<userPoolId>` */
  readonly issuer: string;
  /** Where the pool publishes its signing keys. */
  readonly jwksUri: string;
  /** The app client access tokens must be issued to. */
  readonly clientId: string;
  /** Deadline for fetching the keys. @default 3000 */
  readonly fetchTimeoutMs?: number;
}

/**
 * Verifies Cognito access tokens (signature, expiry, issuer, `token_use`, `client_id`).
 * The signing keys are fetched with `fetch`, which reaches both Cognito and an `http://`
 * emulator, and handed to aws-jwt-verify's cache.
 */
export class CognitoTokenVerifier implements TokenVerifier {
  private readonly verifier;
  private keysLoaded: Promise<void> | undefined;

  constructor(private readonly options: CognitoTokenVerifierOptions) {
    this.verifier = JwtVerifier.create({
      issuer: options.issuer,
      jwksUri: options.jwksUri,
      audience: null,
      customJwtCheck: ({ payload }) => {
        if (payload.token_use !== "access") throw new Error("not an access token");
        if (payload.client_id !== options.clientId) throw new Error("token was issued to another client");
      },
    });
  }

  async verify(token: string): Promise<Record<string, unknown>> {
    this.keysLoaded ??= this.loadKeys().catch((error: unknown) => {
      this.keysLoaded = undefined;
      throw error;
    });
    await this.keysLoaded;
    try {
      return (await this.verifier.verify(token)) as Record<string, unknown>;
    } catch (error) {
      logger.info("token refused", { reason: error instanceof Error ? error.message : String(error) });
      throw new UnauthorizedError("the token is not valid");
    }
  }

  private async loadKeys(): Promise<void> {
    const response = await fetch(this.options.jwksUri, { signal: AbortSignal.timeout(this.options.fetchTimeoutMs ?? 3_000) });
    if (!response.ok) throw new Error(`fetching ${this.options.jwksUri} answered ${response.status}`);
    this.verifier.cacheJwks((await response.json()) as Jwks);
  }
}
