import { createHash } from "node:crypto";
import { DomainError } from "./errors";

/**
 * An entity tag for a representation (RFC 9110 §8.8.3): a strong tag from the bytes of the
 * body, so any change of what the client would see changes it.
 *
 * @example
 * etagOf('{"taskId":"t-1"}') // → '"Yb2…"'
 */
export const etagOf = (body: string): string => `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;

/** The entity tags of an `If-None-Match` or `If-Match` header (`*` stands for any). */
export function entityTags(header: string | undefined): string[] | "*" | undefined {
  if (header === undefined || header.trim() === "") return undefined;
  if (header.trim() === "*") return "*";
  return header
    .split(",")
    .map((tag) => tag.trim())
    .filter(Boolean);
}

/** Weak comparison (§8.8.3.2): `W/"x"` and `"x"` match; what `If-None-Match` uses. */
const opaque = (tag: string) => tag.replace(/^W\//, "");

/** Whether a GET with this `If-None-Match` may be answered 304 for a representation tagged `etag`. */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  const tags = entityTags(ifNoneMatch);
  if (tags === undefined) return false;
  return tags === "*" || tags.some((tag) => opaque(tag) === opaque(etag));
}

/** 412: the resource changed since the version the client's `If-Match` names. */
export class PreconditionFailedError extends DomainError {
  readonly status = 412;
  readonly code = "PreconditionFailed";
  constructor(what: string, current: string) {
    super(`${what} changed since the version If-Match names; it is now ${current}`);
    this.name = "PreconditionFailedError";
  }
}

/**
 * Checks an `If-Match` header against the resource's current entity tag (strong comparison,
 * §13.1.1): absent, it asks nothing; `*` needs the resource to exist.
 *
 * @throws PreconditionFailedError when no tag matches
 */
export function requireMatch(ifMatch: string | undefined, what: string, current: string | undefined): void {
  const tags = entityTags(ifMatch);
  if (tags === undefined) return;
  if (current !== undefined && (tags === "*" || tags.some((tag) => !tag.startsWith("W/") && tag === current))) return;
  throw new PreconditionFailedError(what, current ?? "gone");
}

/**
 * The `Link` header for the next page (RFC 8288): a query-only relative reference, so it
 * resolves against whatever URL the client called (an API Gateway stage, a custom domain, the
 * emulator's `/_aws/execute-api/…` prefix).
 */
export function nextLink(rawQueryString: string | undefined, cursor: string): string {
  const query = new URLSearchParams(rawQueryString ?? "");
  query.set("cursor", cursor);
  return `<?${query.toString()}>; rel="next"`;
}
