import { CoordinationUnavailableError } from "../domain/errors";

/** Error names the SDK and Node give a call that may well succeed if made again. */
const TRANSIENT_NAMES = new Set([
  "ThrottlingException",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "InternalServerError",
  "ServiceUnavailable",
  "TimeoutError",
  "RequestTimeout",
  "AbortError",
  "NetworkingError",
  "TransactionInProgressException",
]);
const TRANSIENT_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "ECONNABORTED"]);

interface SdkLikeError {
  readonly name?: string;
  readonly code?: string;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** Whether `error` says the store could not answer (so the lease may still be held), not that a request was wrong. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const e = error as SdkLikeError;
  return (
    TRANSIENT_NAMES.has(e.name ?? "") ||
    TRANSIENT_CODES.has(e.code ?? "") ||
    e.$retryable !== undefined ||
    (e.$metadata?.httpStatusCode ?? 0) >= 500
  );
}

/** Runs one store call, turning a transient failure into a CoordinationUnavailableError that carries it. */
export async function storeCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isTransient(error)) throw new CoordinationUnavailableError(what, { cause: error });
    throw error;
  }
}
