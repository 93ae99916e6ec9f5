import { type Clock, systemClock } from "#shared/clock";
import { sleep as realSleep } from "#shared/concurrency";
import { type ClaimRequest, planCommit, planDeclare, planSettle, type Verdict } from "./conflicts";
import { LeaseLostError, LockContentionError, LockTimeoutError, StaleTokenError } from "./errors";
import type { Blocker, Lease, LeaseRef } from "./lease";
import {
  type AcquireRequest,
  CLOCK_SKEW_MARGIN_MS,
  planAcquire,
  planAcquireAll,
  planForceRelease,
  planRelease,
  planRenew,
  prune,
  type ProtocolTime,
} from "./lock-protocol";
import { emptyLock, leasesOf, type LockMode, type LockState } from "./lock-state";
import type { LockStore } from "./ports";

/**
 * A holder's renewal or release tries this many times more rounds than an acquire before giving
 * up: waiters keep writing the row while they wait, and a release that gave up would leave the
 * lock held until its lease ran out.
 */
const HOLDER_PERSISTENCE = 4;

export interface LockServiceOptions {
  /** @default the system clock */
  readonly clock?: Clock;
  /** @default CLOCK_SKEW_MARGIN_MS */
  readonly marginMs?: number;
  /** Conditional writes one change may lose in a row before giving up (a waiting acquire backs off and asks again). @default 25 */
  readonly maxRounds?: number;
  /** `acquire`'s first wait between attempts; it doubles up to `backoffCapMs`, with full jitter. @default 25 */
  readonly backoffBaseMs?: number;
  /** The longest wait between attempts; the writer next in line waits at most a quarter of it. @default 400 */
  readonly backoffCapMs?: number;
  /** How long a waiting writer's place in line lasts without it asking again (it renews at half). @default 4000 */
  readonly reserveMs?: number;
  /** @default Math.random */
  readonly random?: () => number;
  /** @default a timer (fake timers drive it in tests) */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** What one resource is asked for. */
export interface LockRequest {
  readonly resource: string;
  readonly mode: LockMode;
  readonly ttlMs: number;
  /** Who will hold it: `agent:<id>`, `user:<name>`, `function:<name>`. */
  readonly holder: string;
  /** A retried acquire with the same key gets the same lease and token back. */
  readonly requestKey: string;
}

export type TryAcquireResult =
  | { readonly acquired: true; readonly lease: Lease; readonly replayed: boolean }
  | { readonly acquired: false; readonly blockers: readonly Blocker[] };

export type TryAcquireAllResult =
  | { readonly acquired: true; readonly leases: readonly Lease[] }
  | { readonly acquired: false; readonly blockers: readonly Blocker[] };

export type ReleaseResult =
  { readonly released: true; readonly lease: Lease } | { readonly released: false; readonly reason: string };

export interface WaitOptions {
  /** Give up after this long. */
  readonly timeoutMs: number;
  /** Stops waiting early (the caller's own deadline or shutdown). */
  readonly signal?: AbortSignal;
}

/**
 * Resource locks as leases with fencing tokens, over a `LockStore`. Each operation reads the row
 * (or trusts the row it last wrote), plans the change with the pure protocol in
 * `lock-protocol.ts`, and writes it conditionally on the version it planned from; a refused
 * write hands back the current row and the plan is made again. An answer that writes nothing (a
 * refusal, a replayed acquire) is always made from a fresh read, never from memory.
 *
 * @example
 * const locks = new LockService(store);
 * const lease = await locks.acquire({ resource: "feed/example.com", mode: "exclusive", ttlMs: 15_000, holder: "agent:1", requestKey: "poll" }, { timeoutMs: 5_000 });
 * try { … protected work, fenced with lease.token … } finally { await locks.release(lease); }
 */
export class LockService {
  private readonly known = new Map<string, LockState>();
  private readonly clock: Clock;
  private readonly marginMs: number;

  constructor(
    private readonly store: LockStore,
    private readonly options: LockServiceOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.marginMs = options.marginMs ?? CLOCK_SKEW_MARGIN_MS;
  }

  /** The asker's time, for the protocol's judgements. */
  time(): ProtocolTime {
    return { now: this.clock.now().getTime(), marginMs: this.marginMs };
  }

  /** Asks once and answers at once: the lease, or who is in the way. */
  async tryAcquire(request: LockRequest): Promise<TryAcquireResult> {
    return this.attempt(request, undefined);
  }

  /**
   * Waits for the lock up to `timeoutMs`, with capped exponential backoff and full jitter between
   * attempts. An exclusive request takes a place in line, so new readers and later writers let
   * it pass (its wait is bounded by the longest lease ahead of it).
   * @throws LockTimeoutError naming who held it last.
   */
  async acquire(request: LockRequest, wait: WaitOptions): Promise<Lease> {
    const reserveMs = this.options.reserveMs ?? 4_000;
    return this.waitFor<Lease>([request.resource], wait, async () => {
      const result = await this.attempt(request, request.mode === "exclusive" ? reserveMs : undefined);
      return result.acquired ? { done: result.lease } : { blockers: result.blockers };
    });
  }

  /** Several resources at once, all or nothing, in the fixed order of their names. */
  async tryAcquireAll(requests: readonly LockRequest[]): Promise<TryAcquireAllResult> {
    return this.attemptAll(requests, undefined);
  }

  /** `tryAcquireAll`, waiting as `acquire` does. */
  async acquireAll(requests: readonly LockRequest[], wait: WaitOptions): Promise<readonly Lease[]> {
    const reserveMs = this.options.reserveMs ?? 4_000;
    return this.waitFor<readonly Lease[]>(
      requests.map((r) => r.resource),
      wait,
      async () => {
        const result = await this.attemptAll(requests, reserveMs);
        return result.acquired ? { done: result.leases } : { blockers: result.blockers };
      },
    );
  }

  /**
   * Extends the lease by `ttlMs` from now. A reader's lease is handed back unchanged while a
   * writer waits.
   * @throws LeaseLostError when the lease is gone (never retried);
   *         CoordinationUnavailableError when the store could not answer (retry until the lease ends).
   */
  async renew(lease: LeaseRef, ttlMs: number): Promise<Lease> {
    return this.settle<Lease>(
      lease.resource,
      false,
      (state) => {
        const plan = planRenew(state, lease, ttlMs, this.time());
        if (plan.outcome === "lost") return { answer: () => Promise.reject(new LeaseLostError(lease, plan.reason, plan.detail)) };
        return { next: plan.next, answer: () => Promise.resolve(plan.lease) };
      },
      HOLDER_PERSISTENCE,
    );
  }

  /** Gives the lease up; a lease already gone answers why, and changes nothing. */
  async release(lease: LeaseRef): Promise<ReleaseResult> {
    return this.settle<ReleaseResult>(
      lease.resource,
      false,
      (state) => {
        const plan = planRelease(state, lease, this.time());
        return plan.outcome === "released"
          ? { next: plan.next, answer: () => Promise.resolve({ released: true, lease: plan.lease }) }
          : { answer: () => Promise.resolve({ released: false, reason: plan.reason }) };
      },
      HOLDER_PERSISTENCE,
    );
  }

  /** Takes a lease away from its holder (an admin's act), recording who and why. */
  async forceRelease(lease: LeaseRef, by: string, reason: string): Promise<ReleaseResult> {
    return this.settle<ReleaseResult>(
      lease.resource,
      true,
      (state) => {
        const plan = planForceRelease(state, lease, by, reason, this.time());
        return plan.outcome === "released"
          ? { next: plan.next, answer: () => Promise.resolve({ released: true, lease: plan.lease }) }
          : { answer: () => Promise.resolve({ released: false, reason: plan.reason }) };
      },
      HOLDER_PERSISTENCE,
    );
  }

  /**
   * Checks, from a fresh read, that `lease` is the resource's current exclusive lease and has not
   * ended by this clock: what a write to a store that cannot check the fence itself does first.
   * @throws StaleTokenError otherwise.
   */
  async assertCurrent(lease: LeaseRef): Promise<void> {
    const state = await this.load(lease.resource);
    const holder = state.exclusive;
    if (holder?.leaseId === lease.leaseId && holder.token === lease.token && holder.expiresAt > this.time().now) return;
    throw new StaleTokenError(
      lease,
      holder?.leaseId === lease.leaseId
        ? `it ended at ${new Date(holder.expiresAt).toISOString()}`
        : holder
          ? `${holder.holder} holds the resource with token ${holder.token}`
          : "nobody holds the resource exclusively now",
    );
  }

  /** Every row that holds a lease or a waiter now (lapsed ones included until they are expired). */
  async list(): Promise<LockState[]> {
    return this.store.listActive();
  }

  /**
   * Expires what has lapsed on `resource` (leases a margin past their end, waiters gone quiet),
   * so the row says so and the events relay announces it even when nobody asks for the lock.
   * Answers the leases it expired.
   */
  async expireLapsed(resource: string): Promise<number> {
    return this.settle<number>(resource, true, (state) => {
      const next = prune(state, this.time());
      if (next === state) return { answer: () => Promise.resolve(0) };
      const expired = leasesOf(state).length - leasesOf(next).length;
      return { next: { ...next, version: state.version + 1 }, answer: () => Promise.resolve(expired) };
    });
  }

  /**
   * Declares an intent to change `request.resources` (conflict detection, ADR 0014). If it meets
   * live claims on overlapping resources, the policy (a started claim, then priority, age,
   * confidence) decides in the same write which one proceeds, and the conflict is recorded (and
   * announced as a `conflict` coordination event). Declare, then `commitClaim` before starting.
   */
  async declareClaim(request: ClaimRequest): Promise<Verdict> {
    return this.settleRows(request.resources, (states) => {
      const plan = planDeclare(states, request, this.time());
      return { nexts: plan.nexts, answer: plan.verdict };
    });
  }

  /** Starts a declared claim, unless it has yielded meanwhile (then it must not start). */
  async commitClaim(claimId: string, resources: readonly string[]): Promise<Verdict> {
    return this.settleRows(resources, (states) => {
      const plan = planCommit(states, claimId, this.time());
      return { nexts: plan.nexts, answer: plan.verdict };
    });
  }

  /** Removes a finished or abandoned claim. */
  async settleClaim(claimId: string, resources: readonly string[]): Promise<void> {
    await this.settleRows(resources, (states) => ({ nexts: planSettle(states, claimId), answer: undefined }));
  }

  /** Reads the rows fresh, plans, and writes all or nothing; plans again when a row changed meanwhile. */
  private async settleRows<T>(
    resources: readonly string[],
    plan: (states: LockState[]) => { nexts: readonly LockState[]; answer: T },
  ): Promise<T> {
    const sorted = [...new Set(resources)].sort();
    const rounds = this.options.maxRounds ?? 25;
    for (let round = 0; round < rounds; round++) {
      const states = await Promise.all(sorted.map((resource) => this.load(resource)));
      const planned = plan(states);
      if (planned.nexts.length === 0) return planned.answer;
      const written = await this.store.writeAll(planned.nexts);
      if (written.ok) {
        for (const next of planned.nexts) this.remember(next);
        return planned.answer;
      }
      await this.afterLostWrite(round);
    }
    throw new LockContentionError(sorted.join(", "), rounds);
  }

  /** The row as it is now (a fresh read). */
  async inspect(resource: string): Promise<LockState> {
    return this.load(resource);
  }

  private attempt(request: LockRequest, reserveMs: number | undefined): Promise<TryAcquireResult> {
    const asked: AcquireRequest = { ...request, ...(reserveMs !== undefined ? { reserveMs } : {}) };
    return this.settle<TryAcquireResult>(request.resource, false, (state) => {
      const plan = planAcquire(state, asked, this.time());
      switch (plan.outcome) {
        case "granted":
          return { next: plan.next, answer: () => Promise.resolve({ acquired: true, lease: plan.lease, replayed: false }) };
        case "held":
          return { answer: () => Promise.resolve({ acquired: true, lease: plan.lease, replayed: true }) };
        case "refused":
          // A place in line is written, but the answer is still "not yet".
          return { next: plan.next, answer: () => Promise.resolve({ acquired: false, blockers: plan.blockers }), confirm: true };
      }
    });
  }

  /**
   * Plans against the row, writes conditionally, and plans again on a refused write. Answers
   * that write nothing — and refusals, even when they write a place in line — are made only
   * from a row just read, because a remembered row may be stale.
   */
  private async settle<T>(
    resource: string,
    fresh: boolean,
    plan: (state: LockState) => { next?: LockState; answer: () => Promise<T>; confirm?: boolean },
    persistence = 1,
  ): Promise<T> {
    let state = fresh ? await this.load(resource) : (this.known.get(resource) ?? emptyLock(resource));
    let confirmed = fresh;
    const rounds = (this.options.maxRounds ?? 25) * persistence;
    for (let round = 0; round < rounds; round++) {
      const planned = plan(state);
      if ((!planned.next || planned.confirm) && !confirmed) {
        state = await this.load(resource);
        confirmed = true;
        continue;
      }
      if (!planned.next) return planned.answer();
      const written = await this.store.write(planned.next);
      if (written.ok) {
        this.remember(planned.next);
        return planned.answer();
      }
      state = written.current ?? emptyLock(resource);
      confirmed = true;
      this.remember(state);
      await this.afterLostWrite(round);
    }
    throw new LockContentionError(resource, rounds);
  }

  private async attemptAll(requests: readonly LockRequest[], reserveMs: number | undefined): Promise<TryAcquireAllResult> {
    const sorted = [...requests].sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
    const resources = sorted.map((r) => r.resource);
    if (new Set(resources).size !== resources.length) throw new RangeError(`a resource is named twice: ${resources.join(", ")}`);
    const asked = sorted.map((r): AcquireRequest => ({ ...r, ...(reserveMs !== undefined ? { reserveMs } : {}) }));
    let states = await Promise.all(resources.map((resource) => this.load(resource)));
    const rounds = this.options.maxRounds ?? 25;
    for (let round = 0; round < rounds; round++) {
      const plan = planAcquireAll(states, asked, this.time());
      if (plan.nexts.length === 0) {
        return plan.outcome === "granted"
          ? { acquired: true, leases: plan.leases }
          : { acquired: false, blockers: plan.blockers };
      }
      const written = await this.store.writeAll(plan.nexts);
      if (written.ok) {
        for (const next of plan.nexts) this.remember(next);
        return plan.outcome === "granted"
          ? { acquired: true, leases: plan.leases }
          : { acquired: false, blockers: plan.blockers };
      }
      states = states.map((state) =>
        written.current.has(state.resource) ? (written.current.get(state.resource) ?? emptyLock(state.resource)) : state,
      );
      await this.afterLostWrite(round);
    }
    throw new LockContentionError(resources.join(", "), rounds);
  }

  private async waitFor<T>(
    resources: readonly string[],
    wait: WaitOptions,
    attempt: () => Promise<{ done: T } | { blockers: readonly Blocker[] }>,
  ): Promise<T> {
    const sleep = this.options.sleep ?? realSleep;
    const random = this.options.random ?? Math.random;
    const base = this.options.backoffBaseMs ?? 25;
    const cap = this.options.backoffCapMs ?? 400;
    const started = this.clock.now().getTime();
    const deadline = started + wait.timeoutMs;
    let blockers: readonly Blocker[] = [];
    for (let n = 0; ; n++) {
      let result: { done: T } | { blockers: readonly Blocker[] };
      try {
        result = await attempt();
      } catch (error) {
        // Others kept writing the row: a reason to back off and ask again, not to give up early.
        if (!(error instanceof LockContentionError)) throw error;
        result = { blockers };
      }
      if ("done" in result) return result.done;
      blockers = result.blockers;
      const left = deadline - this.clock.now().getTime();
      if (left <= 0 || wait.signal?.aborted) {
        throw new LockTimeoutError(resources, this.clock.now().getTime() - started, result.blockers);
      }
      // Next in line (nobody waits ahead, only leases are in the way): ask more often, so the lock
      // does not sit free after its release while the next holder sleeps out a long backoff.
      const next = result.blockers.every((b) => !b.waiting);
      const delay = Math.max(1, Math.floor(random() * Math.min(next ? cap / 4 : cap, base * 2 ** n)));
      try {
        await sleep(Math.min(delay, left), wait.signal);
      } catch {
        throw new LockTimeoutError(resources, this.clock.now().getTime() - started, result.blockers);
      }
    }
  }

  /** After a few lost writes in a row, a short jittered pause, so twenty writers do not keep colliding. */
  private async afterLostWrite(round: number): Promise<void> {
    if (round < 2) return;
    const sleep = this.options.sleep ?? realSleep;
    await sleep(Math.floor((this.options.random ?? Math.random)() * Math.min(100, 5 * 2 ** round)));
  }

  private async load(resource: string): Promise<LockState> {
    const state = (await this.store.read(resource)) ?? emptyLock(resource);
    this.remember(state);
    return state;
  }

  private remember(state: LockState): void {
    this.known.delete(state.resource);
    this.known.set(state.resource, state);
    // A scraper or a function touches a handful of resources; keep memory bounded all the same.
    if (this.known.size > 1_000) {
      const oldest = this.known.keys().next().value;
      if (oldest !== undefined) this.known.delete(oldest);
    }
  }
}
