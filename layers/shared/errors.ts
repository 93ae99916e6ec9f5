/** A field-level problem with a request, reported back to the caller as-is. */
export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

/**
 * Base for errors the caller caused or can act on. Each carries the HTTP status it maps to
 * and a stable `code`; anything that is not a DomainError is a bug and answers 500.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  readonly fields: readonly FieldIssue[] = [];
  /** Response headers the answer needs (e.g. `retry-after`). */
  readonly headers: Readonly<Record<string, string>> = {};
}

export class RequestValidationError extends DomainError {
  readonly status = 400;
  readonly code = "ValidationError";
  override readonly fields: readonly FieldIssue[];
  constructor(fields: readonly FieldIssue[]) {
    super(`Invalid request: ${fields.map((f) => `${f.field}: ${f.message}`).join("; ")}`);
    this.name = "RequestValidationError";
    this.fields = fields;
  }
}

export class PayloadTooLargeError extends DomainError {
  readonly status = 413;
  readonly code = "PayloadTooLarge";
  override readonly fields: readonly FieldIssue[];
  constructor(field: string, sizeBytes: number, limitBytes: number) {
    super(`${field} is ${sizeBytes} bytes; the limit is ${limitBytes} bytes`);
    this.name = "PayloadTooLargeError";
    this.fields = [{ field, message: `must be at most ${limitBytes} bytes (got ${sizeBytes})` }];
  }
}

export class NotFoundError extends DomainError {
  readonly status = 404;
  readonly code = "NotFound";
  constructor(what: string, id: string) {
    super(`${what} ${id} was not found`);
    this.name = "NotFoundError";
  }
}

export class ForbiddenError extends DomainError {
  readonly status = 403;
  readonly code = "Forbidden";
  constructor(message: string) {
    super(message);
    this.name = "ForbiddenError";
  }
}

export class UnauthorizedError extends DomainError {
  readonly status = 401;
  readonly code = "Unauthorized";
  constructor(message = "a valid token is required") {
    super(message);
    this.name = "UnauthorizedError";
  }
}

export class ConflictError extends DomainError {
  readonly status = 409;
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "ConflictError";
    this.code = code;
  }
}

/** The queue for an agent type is at its limit; retry after the given delay (429). */
export class QueueFullError extends DomainError {
  readonly status = 429;
  readonly code = "QueueFull";
  override readonly headers: Readonly<Record<string, string>>;
  constructor(
    readonly agentType: string,
    readonly depth: number,
    readonly limit: number,
    readonly retryAfterSeconds: number,
  ) {
    super(`the ${agentType} queue holds ${depth} tasks (limit ${limit}); retry in ${retryAfterSeconds}s`);
    this.name = "QueueFullError";
    this.headers = { "retry-after": String(retryAfterSeconds) };
  }
}
