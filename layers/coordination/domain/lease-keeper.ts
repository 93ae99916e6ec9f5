import { LeaseLostError } from "./errors";
import type { Lease } from "./lease";
import type { LockRequest, LockService, WaitOptions } from "./lock-service";

export interface KeepOptions {
  /** What each renewal extends the lease to, from the moment it is made. */
  readonly ttlMs: number;
  /** @default a third of ttlMs */
  readonly renewEveryMs?: number;
  /** Told of each renewal that failed for a reason other than losing the lease. @default nothing */
  readonly onTransientError?: (error: unknown) => void;
}

/** A lease being renewed in the background. */
export interface KeptLease {
  /**
   * Aborts, with a `LeaseLostError` as its reason, once the lease is lost or its end passes by
   * this process's clock without a successful renewal: protected work must stop then.
   */
  readonly signal: AbortSignal;
  /** The lease as last renewed. */
  current(): Lease;
  /** Stops renewing; waits for a renewal in flight, so a later release cannot race it. */
  stop(): Promise<void>;
}

/**
 * Renews `lease` every `renewEveryMs` until stopped. A renewal refused because the lease is gone
 * aborts at once; a renewal that fails otherwise (the store unreachable: a partition, throttling)
 * is retried, and if none succeeds before the lease's end by this process's own clock, the
 * signal aborts then — a partitioned holder stops on time, and its successor starts only a skew
 * margin later.
 *
 *   renew ok ──▶ deadline moves to the new expiresAt
 *   renew: lease lost ──▶ abort now (reason: released | expired | stolen | superseded)
 *   renew: unavailable ──▶ retry soon; deadline unchanged ──▶ abort at expiresAt (reason: expired)
 *
 * @example
 * const kept = keepLease(locks, lease, { ttlMs: 15_000 });
 * try { await work(kept.signal); } finally { await kept.stop(); await locks.release(kept.current()); }
 */
export function keepLease(locks: LockService, lease: Lease, options: KeepOptions): KeptLease {
  const controller = new AbortController();
  const every = options.renewEveryMs ?? Math.max(1, Math.floor(options.ttlMs / 3));
  let current = lease;
  let lastError: unknown;
  let stopped = false;
  let inFlight: Promise<void> | undefined;
  let renewTimer: NodeJS.Timeout | undefined;
  let deadlineTimer: NodeJS.Timeout | undefined;

  const now = () => locks.time().now;
  const abort = (error: LeaseLostError) => {
    if (controller.signal.aborted) return;
    clearTimeout(renewTimer);
    clearTimeout(deadlineTimer);
    controller.abort(error);
  };
  const armDeadline = () => {
    clearTimeout(deadlineTimer);
    deadlineTimer = setTimeout(
      () => {
        const why =
          lastError !== undefined
            ? `no renewal succeeded before it ended (last: ${lastError instanceof Error ? lastError.message : String(lastError)})`
            : "it was not renewed before it ended";
        abort(new LeaseLostError(current, "expired", why));
      },
      Math.max(0, Date.parse(current.expiresAt) - now()),
    );
  };
  const schedule = (ms: number) => {
    if (stopped || controller.signal.aborted) return;
    renewTimer = setTimeout(() => {
      inFlight = renew().finally(() => {
        inFlight = undefined;
      });
    }, ms);
  };
  const renew = async () => {
    try {
      const renewed = await locks.renew(current, options.ttlMs);
      if (stopped || controller.signal.aborted) return;
      lastError = undefined;
      current = renewed;
      armDeadline();
      schedule(every);
    } catch (error) {
      if (error instanceof LeaseLostError) return abort(error);
      lastError = error;
      options.onTransientError?.(error);
      const left = Date.parse(current.expiresAt) - now();
      schedule(Math.max(50, Math.min(every, Math.floor(left / 4))));
    }
  };

  armDeadline();
  schedule(every);
  return {
    signal: controller.signal,
    current: () => current,
    stop: async () => {
      stopped = true;
      clearTimeout(renewTimer);
      await inFlight;
      clearTimeout(deadlineTimer);
    },
  };
}

export interface WithLeaseOptions extends WaitOptions {
  /** @default a third of the request's ttlMs */
  readonly renewEveryMs?: number;
  readonly onTransientError?: (error: unknown) => void;
  /**
   * Told when the final release fails; the lease then ends by itself at its expiry. @default the
   * release error is thrown (after the work's own error, if any)
   */
  readonly onReleaseError?: (error: unknown) => void;
}

/**
 * Acquires, runs `work` while renewing the lease, and releases. `work` gets the lease (its token
 * fences protected writes) and a signal that aborts when the lease is lost; if `work` ignores the
 * signal, its promise is rejected at that moment all the same, with the `LeaseLostError`.
 *
 * @example
 * await withLease(locks, { resource: "fleet/data-quality", mode: "exclusive", ttlMs: 10_000, holder, requestKey }, { timeoutMs: 5_000 },
 *   (lease, signal) => ledger.saveFenced(lease, record, { signal }));
 */
export async function withLease<T>(
  locks: LockService,
  request: LockRequest,
  options: WithLeaseOptions,
  work: (lease: Lease, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const lease = await locks.acquire(request, options);
  const kept = keepLease(locks, lease, {
    ttlMs: request.ttlMs,
    ...(options.renewEveryMs !== undefined ? { renewEveryMs: options.renewEveryMs } : {}),
    ...(options.onTransientError ? { onTransientError: options.onTransientError } : {}),
  });
  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await untilAborted(work(lease, kept.signal), kept.signal) };
  } catch (error) {
    outcome = { ok: false, error };
  }
  await kept.stop();
  try {
    await locks.release(kept.current());
  } catch (error) {
    if (!options.onReleaseError) {
      throw outcome.ok ? error : new AggregateError([outcome.error, error], "the work and the release both failed");
    }
    options.onReleaseError(error);
  }
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

/** Rejects with the signal's reason as soon as it aborts, even if `work` ignores it. */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
