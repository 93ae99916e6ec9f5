import type { Blocker, LeaseRef } from "./lease";
import type { LeaseEnding } from "./lock-state";

/** Why a holder no longer has its lease. */
export type LossReason = LeaseEnding | "superseded" | "unknown";

/**
 * The lease is gone: released, expired (by the holder's own clock, or taken over), stolen by an
 * admin, or superseded by a later grant. Never retried: the holder must stop protected work.
 * Distinct from `CoordinationUnavailableError`, which says nothing about the lease.
 */
export class LeaseLostError extends Error {
  constructor(
    readonly lease: LeaseRef,
    readonly reason: LossReason,
    detail?: string,
  ) {
    super(`lease ${lease.leaseId} on ${lease.resource} (token ${lease.token}) is lost: ${reason}${detail ? ` (${detail})` : ""}`);
    this.name = "LeaseLostError";
  }
}

/**
 * The lock store could not be reached or answered with an error (throttling, timeout, a dropped
 * connection). The lease may well still be held: retry until the lease's own expiry.
 */
export class CoordinationUnavailableError extends Error {
  constructor(what: string, options: { cause: unknown }) {
    super(`${what}: the lock store is unavailable`, options);
    this.name = "CoordinationUnavailableError";
  }
}

/** `acquire` waited its whole timeout; `blockers` are who held (or waited for) the lock last. */
export class LockTimeoutError extends Error {
  constructor(
    readonly resources: readonly string[],
    readonly waitedMs: number,
    readonly blockers: readonly Blocker[],
  ) {
    super(
      `could not lock ${resources.join(", ")} within ${waitedMs} ms: ${blockers.map((b) => describeBlocker(b)).join("; ") || "contended"}`,
    );
    this.name = "LockTimeoutError";
  }
}

/** A write fenced with a token that is no longer the resource's current exclusive lease. */
export class StaleTokenError extends Error {
  constructor(
    readonly lease: LeaseRef,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`write refused: token ${lease.token} on ${lease.resource} is stale (${detail})`, options);
    this.name = "StaleTokenError";
  }
}

/** Every conditional write of one change kept losing to other writers. */
export class LockContentionError extends Error {
  constructor(resource: string, rounds: number) {
    super(`the lock on ${resource} changed under ${rounds} attempts in a row`);
    this.name = "LockContentionError";
  }
}

export const describeBlocker = (blocker: Blocker): string =>
  blocker.waiting
    ? `${blocker.holder} waits for ${blocker.resource}`
    : `${blocker.holder} holds ${blocker.resource} ${blocker.mode} (token ${blocker.token}, until ${blocker.expiresAt})`;
