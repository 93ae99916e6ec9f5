import * as z from "zod";
import { CoordinationEvent, CoordinationEventKind } from "#kernel/bus/coordination-event";
import type { Caller } from "#shared/identity";
import { LeaseLostError } from "./errors";
import { type Blocker, Lease, toLease } from "./lease";
import { lapsed, prune, type ProtocolTime } from "./lock-protocol";
import type { LockService } from "./lock-service";
import { leasesOf, LockMode, type LockState, parseLeaseId, ResourceName } from "./lock-state";

/** `POST /api/coordination/locks`. */
export const AcquireLockRequest = z
  .object({
    resource: ResourceName,
    mode: LockMode,
    /** At most the stage's `resourceLockTimeout`. */
    ttlSeconds: z.number().int().min(2).max(3_600),
    /** Repeat a request with the same key to get the same lease back. */
    idempotencyKey: z.string().min(1).max(128).optional(),
    /** Wait this long for the lock before answering 409. @default 0 */
    waitSeconds: z.number().int().min(0).max(20).default(0),
  })
  .strict()
  .meta({ id: "AcquireLockRequest" });
export type AcquireLockRequest = z.infer<typeof AcquireLockRequest>;

/** `POST /api/coordination/locks/{leaseId}/renew`. */
export const RenewLockRequest = z
  .object({ ttlSeconds: z.number().int().min(2).max(3_600).default(60) })
  .strict()
  .meta({ id: "RenewLockRequest" });

export const LeaseIdParams = z.object({ leaseId: z.string().min(1).max(400) }).strict();

/** `DELETE /api/coordination/locks/{leaseId}`: an admin may force another holder's release, saying why. */
export const ReleaseLockQuery = z
  .object({
    force: z.enum(["true", "false"]).default("false"),
    reason: z.string().min(1).max(500).optional(),
  })
  .strict()
  .refine((q) => q.force === "false" || q.reason !== undefined, { message: "a forced release needs a reason", path: ["reason"] });

export const ReleasedLease = z.object({ released: Lease, forced: z.boolean() }).meta({ id: "ReleasedLease" });

/** One resource's lock as the API shows it. */
export const LockView = z.object({
  resource: ResourceName,
  /** The last token granted. */
  fence: z.number().int(),
  exclusive: Lease.optional(),
  shared: z.array(Lease),
  waiters: z.array(z.object({ holder: z.string(), since: z.iso.datetime(), until: z.iso.datetime() })),
});
export type LockView = z.infer<typeof LockView>;
export const LockList = z.object({ locks: z.array(LockView) }).meta({ id: "LockList" });

/** `GET /api/coordination/status` (seed 000). */
export const CoordinationStatus = z
  .object({
    at: z.iso.datetime(),
    locks: z.object({
      held: z.number().int(),
      exclusive: z.number().int(),
      shared: z.number().int(),
      waiters: z.number().int(),
    }),
    conflictsLastHour: z.number().int(),
    insights: z.object({ byTopic: z.record(z.string(), z.number().int()) }),
    sync: z.object({
      /** Agents following a topic see a new insight within this many seconds. */
      intervalSeconds: z.number().int(),
      /** How long ago the newest live insight was published. */
      newestInsightAgeSeconds: z.number().optional(),
    }),
  })
  .meta({ id: "CoordinationStatus" });
export type CoordinationStatus = z.infer<typeof CoordinationStatus>;

export const EventListQuery = z
  .object({
    kind: CoordinationEventKind.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().min(1).max(2_048).optional(),
  })
  .strict();
export const ConflictListQuery = EventListQuery.omit({ kind: true }).strict();
export const EventPage = z
  .object({ events: z.array(CoordinationEvent), nextCursor: z.string().optional() })
  .meta({ id: "CoordinationEventPage" });

/** The refusal of a lock: who holds it. */
export class LockHeldError extends Error {
  constructor(
    readonly resource: string,
    readonly blockers: readonly Blocker[],
  ) {
    super(
      `${resource} is held: ${blockers
        .map((b) =>
          b.waiting ? `${b.holder} waits for it` : `${b.holder} holds it ${b.mode} with token ${b.token} until ${b.expiresAt}`,
        )
        .join("; ")}`,
    );
    this.name = "LockHeldError";
  }
}

/** No lease with this id is held now (never granted, or already ended). */
export class LeaseNotFoundError extends Error {
  constructor(
    readonly leaseId: string,
    detail: string,
  ) {
    super(`lease ${leaseId} was not found: ${detail}`);
    this.name = "LeaseNotFoundError";
  }
}

/** The caller tried to renew or release a lease someone else holds. */
export class NotLeaseHolderError extends Error {
  constructor(leaseId: string, holder: string, why: string) {
    super(`lease ${leaseId} is held by ${holder}: ${why}`);
    this.name = "NotLeaseHolderError";
  }
}

/** A ttl longer than the stage allows. */
export class LeaseTooLongError extends Error {
  constructor(
    readonly ttlSeconds: number,
    readonly maxSeconds: number,
  ) {
    super(`ttlSeconds ${ttlSeconds} exceeds the stage's resourceLockTimeout of ${maxSeconds}`);
    this.name = "LeaseTooLongError";
  }
}

/** A person's locks are held in their name. */
export const holderOf = (caller: Caller): string => `user:${caller.username}`;

export interface LockApiDeps {
  readonly locks: LockService;
  /** The stage's `resourceLockTimeout`: the longest lease, in seconds. */
  readonly maxTtlSeconds: number;
}

/** Acquires for a person: the lease, or `LockHeldError` naming who holds it. */
export async function acquireFor(caller: Caller, request: AcquireLockRequest, deps: LockApiDeps): Promise<Lease> {
  if (request.ttlSeconds > deps.maxTtlSeconds) throw new LeaseTooLongError(request.ttlSeconds, deps.maxTtlSeconds);
  const asked = {
    resource: request.resource,
    mode: request.mode,
    ttlMs: request.ttlSeconds * 1_000,
    holder: holderOf(caller),
    requestKey: request.idempotencyKey ?? crypto.randomUUID(),
  };
  if (request.waitSeconds > 0) {
    try {
      return await deps.locks.acquire(asked, { timeoutMs: request.waitSeconds * 1_000 });
    } catch (error) {
      if (error instanceof Error && error.name === "LockTimeoutError") {
        throw new LockHeldError(request.resource, (error as Error & { blockers: Blocker[] }).blockers);
      }
      throw error;
    }
  }
  const result = await deps.locks.tryAcquire(asked);
  if (!result.acquired) throw new LockHeldError(request.resource, result.blockers);
  return result.lease;
}

/** The lease a lease id names, as the row holds it now; `LeaseNotFoundError` otherwise. */
async function heldLease(leaseId: string, locks: LockService): Promise<{ lease: Lease; state: LockState }> {
  const ref = parseLeaseId(leaseId);
  if (!ref) throw new LeaseNotFoundError(leaseId, "it is not a lease id");
  const state = await locks.inspect(ref.resource);
  const entry = leasesOf(state).find((e) => e.leaseId === leaseId);
  if (!entry || lapsed(entry.expiresAt, locks.time())) {
    const end = state.ended.find((e) => e.leaseId === leaseId);
    throw new LeaseNotFoundError(leaseId, end ? `it was ${end.how}` : "no such lease is held");
  }
  return { lease: toLease(ref.resource, entry), state };
}

/** Renews a person's own lease. */
export async function renewFor(caller: Caller, leaseId: string, ttlSeconds: number, deps: LockApiDeps): Promise<Lease> {
  if (ttlSeconds > deps.maxTtlSeconds) throw new LeaseTooLongError(ttlSeconds, deps.maxTtlSeconds);
  const { lease } = await heldLease(leaseId, deps.locks);
  if (lease.holder !== holderOf(caller)) throw new NotLeaseHolderError(leaseId, lease.holder, "only its holder renews it");
  try {
    return await deps.locks.renew(lease, ttlSeconds * 1_000);
  } catch (error) {
    if (error instanceof LeaseLostError) throw new LeaseNotFoundError(leaseId, `it was ${error.reason}`);
    throw error;
  }
}

/** Releases a person's own lease, or — for an admin, with `force` — anyone's, recorded with who and why. */
export async function releaseFor(
  caller: Caller,
  leaseId: string,
  force: { readonly force: boolean; readonly reason?: string },
  deps: LockApiDeps,
): Promise<{ released: Lease; forced: boolean }> {
  const { lease } = await heldLease(leaseId, deps.locks);
  const own = lease.holder === holderOf(caller);
  if (!own && !force.force)
    throw new NotLeaseHolderError(leaseId, lease.holder, "only its holder releases it (an admin may force)");
  if (!own && !caller.roles.includes("admin"))
    throw new NotLeaseHolderError(leaseId, lease.holder, "only an admin may force a release");
  const result = own
    ? await deps.locks.release(lease)
    : await deps.locks.forceRelease(lease, holderOf(caller), force.reason ?? "forced");
  if (!result.released) throw new LeaseNotFoundError(leaseId, `it was ${result.reason}`);
  return { released: result.lease, forced: !own };
}

/** A lock row as the API shows it to someone asking at `t`: leases and waiters that lapsed are left out. */
export function lockView(row: LockState, t: ProtocolTime): LockView {
  const state = prune(row, t);
  return {
    resource: state.resource,
    fence: state.fence,
    ...(state.exclusive ? { exclusive: toLease(state.resource, state.exclusive) } : {}),
    shared: Object.values(state.shared)
      .sort((a, b) => a.token - b.token)
      .map((e) => toLease(state.resource, e)),
    waiters: state.waiters.map((w) => ({
      holder: w.holder,
      since: new Date(w.since).toISOString(),
      until: new Date(w.until).toISOString(),
    })),
  };
}
