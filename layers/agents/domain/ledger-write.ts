/**
 * Writes to the fleet ledger are plans, like task transitions: worked out from the row as it
 * was read, they name the version the row must still be at, and what it becomes. Stores apply
 * a plan atomically (the DynamoDB adapter as one conditional UpdateItem, the in-memory ledger
 * with `applyLedgerWrite`), so of two writers that read the same version, one wins and the
 * other is refused instead of overwriting it.
 *
 *   scaler   read v3 ─────── decide ─────── write if v3 ✗ refused → read v4 → decide → write if v4 ✓
 *   API              read v3 ── write if v3 ✓ (v4: manual size)
 */

/** A ledger row as read: what it holds and its version (0: never written). */
export interface Versioned<T> {
  readonly value: T;
  readonly version: number;
}

/** One write of a ledger row: allowed only while the row is at `expectVersion`; it then holds `set` at the next version. */
export interface LedgerWritePlan<T> {
  readonly expectVersion: number;
  readonly set: T;
}

/** A writer lost a race: the row changed between its read and its write. */
export class LedgerConflictError extends Error {
  constructor(
    readonly row: string,
    readonly expectedVersion: number,
    readonly foundVersion: number | undefined,
    options?: ErrorOptions,
  ) {
    super(
      `ledger row ${row} is at version ${foundVersion ?? "unknown"}, not ${expectedVersion}: another writer changed it since it was read`,
      options,
    );
    this.name = "LedgerConflictError";
  }
}

/** The plan that replaces `read`'s value with `next`, if nobody wrote the row in between. */
export const planLedgerWrite = <T>(read: Versioned<unknown>, next: T): LedgerWritePlan<T> => ({
  expectVersion: read.version,
  set: next,
});

/**
 * Applies a plan to a row held in memory, as the DynamoDB condition does.
 * @throws LedgerConflictError when the row is no longer at the plan's version.
 */
export function applyLedgerWrite<T>(row: string, current: Versioned<T> | undefined, plan: LedgerWritePlan<T>): Versioned<T> {
  const version = current?.version ?? 0;
  if (version !== plan.expectVersion) throw new LedgerConflictError(row, plan.expectVersion, version);
  return { value: plan.set, version: version + 1 };
}

/** Read-decide-write rounds a caller makes before giving up on a row that keeps changing. */
export const LEDGER_WRITE_ROUNDS = 5;

/**
 * Runs one read-decide-write round, and runs it again from a fresh read whenever its write lost a
 * race. A round must read the row itself, so each retry decides on what the winner wrote; any
 * effect it had before its write (an ECS size) is redone by the round that wins. After `rounds`
 * lost races the last conflict is thrown: nothing is written over another's change.
 *
 * Each lost race means another writer's write succeeded during that round, so with `n` writers
 * racing, `n` rounds always suffice.
 *
 * @example
 * await retryOnConflict(async () => {
 *   const read = await ledger.scaling("data-quality");
 *   await ledger.saveScaling("data-quality", planLedgerWrite(read, { ...read.value, manualDesired: 2 }));
 * });
 */
export async function retryOnConflict<R>(round: (attempt: number) => Promise<R>, rounds = LEDGER_WRITE_ROUNDS): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await round(attempt);
    } catch (error) {
      if (!(error instanceof LedgerConflictError) || attempt >= rounds) throw error;
    }
  }
}
