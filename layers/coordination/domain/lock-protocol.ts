import { type Blocker, type Lease, type LeaseRef, toLease } from "./lease";
import type { LossReason } from "./errors";
import { type EndedLease, type LeaseEntry, leaseIdOf, leasesOf, type LockMode, type LockState } from "./lock-state";

/**
 * How far apart two participants' clocks may be. Expiry is judged by the clock of whoever asks:
 * a holder stops at `expiresAt` by its own clock, and anyone else may take the lock over only
 * once `expiresAt` lies this far in the past by theirs. So as long as no two clocks differ by
 * more than this, a holder has stopped before anyone else starts:
 *
 *   holder H (clock c_H)      ──grant──renew──────┤expiresAt (H stops here by c_H)
 *   taker  T (clock c_T)                          ·········├ expiresAt + margin: T may take over
 *                                                  ◀─margin─▶
 *
 * AWS hosts keep time with NTP (Amazon Time Sync) to well under a millisecond; two seconds leaves
 * room for a host that lost its time source for a while, and costs a crashed holder's successor
 * two seconds at most (never a whole extra lease, as a lock client that waits a lease on its own
 * timer does).
 */
export const CLOCK_SKEW_MARGIN_MS = 2_000;
/** Readers one resource admits at once: the row must stay far below DynamoDB's 400 KB. */
export const MAX_SHARED_LEASES = 50;
/** Writers that may wait in line for one resource; more are refused without a place. */
export const MAX_WAITERS = 25;
/** Ended leases a row remembers, so a late renewal can be told why. */
export const MAX_ENDED = 10;

/** The asker's time and the skew margin its judgements allow for. */
export interface ProtocolTime {
  /** The asker's clock, epoch ms. */
  readonly now: number;
  readonly marginMs: number;
}

/** From anyone else's side: a lease (or a waiter) whose end lies more than the margin in the past is gone. */
export const lapsed = (until: number, t: ProtocolTime): boolean => until <= t.now - t.marginMs;

export interface AcquireRequest {
  readonly resource: string;
  readonly mode: LockMode;
  readonly ttlMs: number;
  readonly holder: string;
  /** The same key gets the same lease back while it lasts (a retried acquire). */
  readonly requestKey: string;
  /**
   * Wait in line: a refused exclusive request takes a place among the waiters until
   * `now + reserveMs`, renewed each time it asks again. @default no place
   */
  readonly reserveMs?: number;
}

export type AcquirePlan =
  | { readonly outcome: "granted"; readonly lease: Lease; readonly next: LockState }
  | { readonly outcome: "held"; readonly lease: Lease; readonly next?: undefined }
  | { readonly outcome: "refused"; readonly blockers: readonly Blocker[]; readonly next?: LockState };

export type RenewPlan =
  | { readonly outcome: "renewed"; readonly lease: Lease; readonly next: LockState }
  /** A reader's lease is not extended while a writer waits: readers drain, and the writer's wait is bounded. */
  | { readonly outcome: "draining"; readonly lease: Lease; readonly next?: undefined }
  | { readonly outcome: "lost"; readonly reason: LossReason; readonly detail: string; readonly next?: undefined };

export type ReleasePlan =
  | { readonly outcome: "released"; readonly lease: Lease; readonly next: LockState }
  | { readonly outcome: "gone"; readonly reason: LossReason; readonly next?: undefined };

const ended = (state: LockState, entries: readonly EndedLease[]): EndedLease[] => [...state.ended, ...entries].slice(-MAX_ENDED);

const endOf = (entry: LeaseEntry, how: EndedLease["how"], at: number, extra: Pick<EndedLease, "by" | "reason"> = {}) => ({
  leaseId: entry.leaseId,
  token: entry.token,
  mode: entry.mode,
  holder: entry.holder,
  how,
  at,
  ...extra,
});

/** Drops leases and waiters that have lapsed, recording each lease as expired. */
export function prune(state: LockState, t: ProtocolTime): LockState {
  const gone = leasesOf(state).filter((entry) => lapsed(entry.expiresAt, t));
  const waiters = state.waiters.filter((waiter) => !lapsed(waiter.until, t));
  if (gone.length === 0 && waiters.length === state.waiters.length) return state;
  const goneIds = new Set(gone.map((entry) => entry.leaseId));
  return {
    ...state,
    exclusive: state.exclusive && !goneIds.has(state.exclusive.leaseId) ? state.exclusive : undefined,
    shared: Object.fromEntries(Object.entries(state.shared).filter(([leaseId]) => !goneIds.has(leaseId))),
    waiters,
    ended: ended(
      state,
      gone.map((entry) => endOf(entry, "expired", t.now)),
    ),
  };
}

const blockerOf = (resource: string, entry: LeaseEntry): Blocker => ({
  resource,
  holder: entry.holder,
  mode: entry.mode,
  token: entry.token,
  expiresAt: new Date(entry.expiresAt).toISOString(),
});

/**
 * Decides an acquire against the row as it is: grant (the fence rises by one and the new token is
 * the lease's), hand back the lease this request key already holds, or refuse naming who is in
 * the way. An exclusive request is granted only when nobody holds the resource and no writer
 * waits ahead of it; a shared one only when no writer holds it or waits for it (writer
 * preference). Lapsed leases are expired in the same write that grants.
 */
export function planAcquire(state: LockState, request: AcquireRequest, t: ProtocolTime): AcquirePlan {
  const current = prune(state, t);
  const { resource } = current;
  const mine = leasesOf(current).find((entry) => entry.requestKey === request.requestKey && entry.holder === request.holder);
  if (mine && mine.mode === request.mode && mine.expiresAt > t.now) return { outcome: "held", lease: toLease(resource, mine) };

  const place = current.waiters.findIndex((waiter) => waiter.requestKey === request.requestKey);
  const ahead = place >= 0 ? current.waiters.slice(0, place) : current.waiters;
  const waiting = (list: typeof current.waiters): Blocker[] =>
    list.map((waiter) => ({ resource, holder: waiter.holder, mode: "exclusive", waiting: true }));
  const shared = Object.values(current.shared);
  const blockers: Blocker[] =
    request.mode === "exclusive"
      ? [...leasesOf(current).map((entry) => blockerOf(resource, entry)), ...waiting(ahead)]
      : [
          ...(current.exclusive ? [blockerOf(resource, current.exclusive)] : []),
          ...waiting(current.waiters),
          ...(shared.length >= MAX_SHARED_LEASES ? shared.map((entry) => blockerOf(resource, entry)) : []),
        ];

  if (blockers.length === 0) {
    const token = current.fence + 1;
    const entry: LeaseEntry = {
      leaseId: leaseIdOf(resource, token),
      token,
      mode: request.mode,
      holder: request.holder,
      requestKey: request.requestKey,
      acquiredAt: t.now,
      expiresAt: t.now + request.ttlMs,
    };
    const next: LockState = {
      ...current,
      fence: token,
      version: state.version + 1,
      ...(request.mode === "exclusive" ? { exclusive: entry } : { shared: { ...current.shared, [entry.leaseId]: entry } }),
      waiters: current.waiters.filter((waiter) => waiter.requestKey !== request.requestKey),
    };
    return { outcome: "granted", lease: toLease(resource, entry), next };
  }

  if (request.mode !== "exclusive" || request.reserveMs === undefined) return { outcome: "refused", blockers };
  const until = t.now + request.reserveMs;
  const waiter = current.waiters[place];
  let waiters: LockState["waiters"];
  if (waiter) {
    // Renew the place only when half of it is used up: each renewal is a write others must retry around.
    if (waiter.until - t.now >= request.reserveMs / 2) return { outcome: "refused", blockers };
    waiters = current.waiters.map((w, i) => (i === place ? { ...w, until } : w));
  } else if (current.waiters.length < MAX_WAITERS) {
    waiters = [...current.waiters, { requestKey: request.requestKey, holder: request.holder, since: t.now, until }];
  } else {
    return { outcome: "refused", blockers };
  }
  return { outcome: "refused", blockers, next: { ...current, version: state.version + 1, waiters } };
}

const entryOf = (state: LockState, leaseId: string): LeaseEntry | undefined =>
  state.exclusive?.leaseId === leaseId ? state.exclusive : state.shared[leaseId];

function lossOf(state: LockState, lease: LeaseRef): { reason: LossReason; detail: string } {
  const end = state.ended.find((e) => e.leaseId === lease.leaseId && e.token === lease.token);
  const now = state.exclusive ? `now held by ${state.exclusive.holder} with token ${state.exclusive.token}` : "not held now";
  if (end)
    return {
      reason: end.how,
      detail: `${end.how}${end.by ? ` by ${end.by}` : ""}${end.reason ? `: ${end.reason}` : ""}; ${now}`,
    };
  return state.fence > lease.token
    ? { reason: "superseded", detail: `token ${state.fence} was granted since; ${now}` }
    : { reason: "unknown", detail: `the lock holds no such lease; ${now}` };
}

/**
 * Extends a lease by `ttlMs` from the holder's now, if the row still holds that very lease (same
 * id and token) and the holder's own clock has not passed its end. A released, expired, stolen or
 * superseded lease is never revived: it is absent from the row, so a renewal that races a release
 * finds nothing to extend.
 */
export function planRenew(state: LockState, lease: LeaseRef, ttlMs: number, t: ProtocolTime): RenewPlan {
  const entry = entryOf(state, lease.leaseId);
  if (!entry || entry.token !== lease.token) return { outcome: "lost", ...lossOf(state, lease) };
  if (entry.expiresAt <= t.now)
    return { outcome: "lost", reason: "expired", detail: `it ended at ${new Date(entry.expiresAt).toISOString()}` };
  const writerWaits = state.waiters.some((waiter) => !lapsed(waiter.until, t));
  if (entry.mode === "shared" && writerWaits) return { outcome: "draining", lease: toLease(state.resource, entry) };
  const renewed = { ...entry, expiresAt: t.now + ttlMs };
  const next: LockState = {
    ...state,
    version: state.version + 1,
    ...(entry.mode === "exclusive" ? { exclusive: renewed } : { shared: { ...state.shared, [entry.leaseId]: renewed } }),
  };
  return { outcome: "renewed", lease: toLease(state.resource, renewed), next };
}

function planEnd(
  state: LockState,
  lease: LeaseRef,
  how: "released" | "stolen",
  t: ProtocolTime,
  extra: Pick<EndedLease, "by" | "reason"> = {},
): ReleasePlan {
  const entry = entryOf(state, lease.leaseId);
  if (!entry || entry.token !== lease.token) return { outcome: "gone", reason: lossOf(state, lease).reason };
  const next: LockState = {
    ...state,
    version: state.version + 1,
    exclusive: state.exclusive?.leaseId === entry.leaseId ? undefined : state.exclusive,
    shared: Object.fromEntries(Object.entries(state.shared).filter(([leaseId]) => leaseId !== entry.leaseId)),
    ended: ended(state, [endOf(entry, how, t.now, extra)]),
  };
  return { outcome: "released", lease: toLease(state.resource, entry), next };
}

/** The holder gives its lease up. */
export const planRelease = (state: LockState, lease: LeaseRef, t: ProtocolTime): ReleasePlan =>
  planEnd(state, lease, "released", t);

/** An admin takes a lease away; recorded with who and why. */
export const planForceRelease = (state: LockState, lease: LeaseRef, by: string, reason: string, t: ProtocolTime): ReleasePlan =>
  planEnd(state, lease, "stolen", t, { by, reason });

export type AcquireAllPlan =
  | { readonly outcome: "granted"; readonly leases: readonly Lease[]; readonly nexts: readonly LockState[] }
  | { readonly outcome: "refused"; readonly blockers: readonly Blocker[]; readonly nexts: readonly LockState[] };

/**
 * Decides a set of acquires, all or nothing: granted only if each one is; otherwise nothing is
 * granted, the refusal names every blocker, and (when waiting) only the first refused resource
 * in order takes a place in line. Taking places in one fixed order means two sets that overlap
 * never wait for each other in a circle. `states` and `requests` are in the same, sorted order.
 */
export function planAcquireAll(
  states: readonly LockState[],
  requests: readonly AcquireRequest[],
  t: ProtocolTime,
): AcquireAllPlan {
  const plans = requests.map((request, i) => planAcquire(states[i] as LockState, { ...request, reserveMs: undefined }, t));
  const refused = plans.flatMap((plan) => (plan.outcome === "refused" ? [plan] : []));
  if (refused.length === 0) {
    return {
      outcome: "granted",
      leases: plans.map((plan) => (plan as Exclude<AcquirePlan, { outcome: "refused" }>).lease),
      nexts: plans.flatMap((plan) => (plan.next ? [plan.next] : [])),
    };
  }
  const first = plans.findIndex((plan) => plan.outcome === "refused");
  const request = requests[first] as AcquireRequest;
  const reserved = request.reserveMs !== undefined ? planAcquire(states[first] as LockState, request, t).next : undefined;
  return { outcome: "refused", blockers: refused.flatMap((plan) => plan.blockers), nexts: reserved ? [reserved] : [] };
}
