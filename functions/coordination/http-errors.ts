import { InvalidInsightCursorError } from "#coordination/domain/insight-api";
import { LeaseNotFoundError, LeaseTooLongError, LockHeldError, NotLeaseHolderError } from "#coordination/domain/lock-api";
import { ConflictError, DomainError, ForbiddenError, RequestValidationError } from "#shared/errors";

class LeaseGoneError extends DomainError {
  readonly status = 404;
  readonly code = "LeaseNotFound";
  constructor(error: LeaseNotFoundError) {
    super(error.message, { cause: error });
    this.name = "LeaseGoneError";
  }
}

/** The HTTP answer for a coordination domain error (the edge's mapping); anything else is passed on as it is. */
export function asHttpError(error: unknown): unknown {
  if (error instanceof LockHeldError) return Object.assign(new ConflictError("LockHeld", error.message), { cause: error });
  if (error instanceof LeaseNotFoundError) return new LeaseGoneError(error);
  if (error instanceof NotLeaseHolderError) return Object.assign(new ForbiddenError(error.message), { cause: error });
  if (error instanceof LeaseTooLongError) {
    return new RequestValidationError([
      { field: "ttlSeconds", message: `must be at most ${error.maxSeconds} (the stage's resourceLockTimeout)` },
    ]);
  }
  if (error instanceof InvalidInsightCursorError) {
    return new RequestValidationError([{ field: "cursor", message: "is not a cursor from a previous page of this list" }]);
  }
  return error;
}

/** Runs a handler's work, answering coordination errors with their HTTP status. */
export async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asHttpError(error);
  }
}
