import { type LockState, LockState as LockStateSchema } from "#coordination/domain/lock-state";
import type { LockStore, LockWrite } from "#coordination/domain/ports";

/** The LockStore contract in memory: writes conditional on the version, all-or-nothing sets. */
export class InMemoryLockStore implements LockStore {
  readonly rows = new Map<string, LockState>();
  /** Every write that landed, in order, for tests that check what was written. */
  readonly writes: LockState[] = [];
  /** When set, every call throws it (a partition, an outage). */
  failWith: Error | undefined;

  async read(resource: string): Promise<LockState | undefined> {
    this.fail();
    const row = this.rows.get(resource);
    return row ? structuredClone(row) : undefined;
  }

  async write(next: LockState): Promise<LockWrite> {
    this.fail();
    const current = this.rows.get(next.resource);
    if ((current?.version ?? 0) !== next.version - 1) return { ok: false, current: current && structuredClone(current) };
    this.land(next);
    return { ok: true };
  }

  async writeAll(nexts: readonly LockState[]) {
    this.fail();
    const stale = nexts.filter((next) => (this.rows.get(next.resource)?.version ?? 0) !== next.version - 1);
    if (stale.length > 0) {
      return {
        ok: false as const,
        current: new Map(nexts.map((next) => [next.resource, structuredClone(this.rows.get(next.resource))])),
      };
    }
    for (const next of nexts) this.land(next);
    return { ok: true as const };
  }

  async listActive(): Promise<LockState[]> {
    this.fail();
    return [...this.rows.values()]
      .filter((row) => row.exclusive || Object.keys(row.shared).length > 0 || row.waiters.length > 0 || row.claims.length > 0)
      .sort((a, b) => (a.resource < b.resource ? -1 : 1))
      .map((row) => structuredClone(row));
  }

  private land(next: LockState): void {
    // Parse as the DynamoDB adapter does on read, so a plan that writes a malformed row fails here too.
    const row = LockStateSchema.parse(structuredClone(next));
    this.rows.set(next.resource, row);
    this.writes.push(row);
  }

  private fail(): void {
    if (this.failWith) throw this.failWith;
  }
}
