import { DomainError, type FieldIssue } from "#shared/errors";

/** The change cannot be made to the document it names: an operation does not apply, the version is unknown, or the result is invalid. */
export class UnprocessableChangeError extends DomainError {
  readonly status = 422;
  override readonly fields: readonly FieldIssue[];
  constructor(
    readonly code: "PatchDoesNotApply" | "UnknownVersion" | "InvalidDocument",
    message: string,
    fields: readonly FieldIssue[],
  ) {
    super(message);
    this.name = "UnprocessableChangeError";
    this.fields = fields;
  }
}

/** The approval window is closed, or the recommendation was decided or never waited for a decision. */
export class DecisionRefusedError extends DomainError {
  readonly status = 409;
  constructor(
    readonly code: "ApprovalWindowClosed" | "AlreadyDecided" | "NotAwaitingApproval",
    message: string,
  ) {
    super(message);
    this.name = "DecisionRefusedError";
  }
}

/** The same idempotency key came with a different recommendation. */
export class IdempotencyConflictError extends DomainError {
  readonly status = 409;
  readonly code = "IdempotencyConflict";
  constructor(key: string) {
    super(`idempotency key ${key} was used for a different recommendation`);
    this.name = "IdempotencyConflictError";
  }
}
