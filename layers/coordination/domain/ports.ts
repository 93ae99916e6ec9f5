import type { LockState } from "./lock-state";

/** A conditional write's answer: applied, or refused with the row as it is now. */
export type LockWrite = { readonly ok: true } | { readonly ok: false; readonly current: LockState | undefined };

/**
 * Where lock rows live. Every write is conditional on the row still being at the version the
 * plan was made from (`next.version - 1`; 0 means "no row yet"), so a plan made on a row that
 * has changed since is refused, never applied over someone else's change. Errors other than a
 * refused condition are `CoordinationUnavailableError`s.
 */
export interface LockStore {
  /** The row as it is now (a strongly consistent read). */
  read(resource: string): Promise<LockState | undefined>;
  write(next: LockState): Promise<LockWrite>;
  /** Writes every row or none. On refusal, `current` has the rows as they are now. */
  writeAll(
    nexts: readonly LockState[],
  ): Promise<{ readonly ok: true } | { readonly ok: false; readonly current: ReadonlyMap<string, LockState | undefined> }>;
  /** Rows that hold a lease or a waiter, by resource. */
  listActive(): Promise<LockState[]>;
}
