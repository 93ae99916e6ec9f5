import { createHash } from "node:crypto";
import type { Clock } from "#shared/clock";
import { applyPlan, planHolds, type UpdatePlan } from "#shared/update-plan";
import { documentBytes } from "#optimization/domain/documents";
import type { Optimization, OptimizationListQuery, PipelineStep } from "#optimization/domain/optimization";
import type {
  DecisionOutput,
  DocumentLocks,
  LedgerEntry,
  MetricCounters,
  OptimizationStore,
  PipelineControl,
  SettingsBucket,
  StoredVersion,
  VersionInfo,
  VersionLedger,
  VersionMetadata,
  WriteCondition,
} from "#optimization/domain/ports";
import type { SettingsName } from "#optimization/domain/settings-catalog";

/** A clock a test moves by hand (with vi.useFakeTimers, `Date` moves with it). */
export const fakeClock = (): Clock => ({ now: () => new Date() });

/** A versioned bucket in memory: every put a new version, ETags from the bytes (as S3's MD5), conditions as S3 checks them. */
export class InMemorySettingsBucket implements SettingsBucket {
  readonly versions = new Map<string, StoredVersion[]>();
  private counter = 0;
  /** Called before each put, so a test can slip a write in between a read and a write. */
  beforePut?: (name: SettingsName) => void;

  seed(name: SettingsName, document: unknown, metadata: VersionMetadata = { origin: "seed", changedBy: "deploy" }): string {
    return this.write(name, documentBytes(document), metadata).versionId;
  }

  write(name: string, body: Uint8Array, metadata: VersionMetadata): StoredVersion {
    const version: StoredVersion = {
      versionId: `v${++this.counter}`,
      etag: `"${createHash("md5").update(body).digest("hex")}"`,
      lastModified: new Date().toISOString(),
      metadata,
      body: new Uint8Array(body),
    };
    this.versions.set(name, [...(this.versions.get(name) ?? []), version]);
    return version;
  }

  async head(name: SettingsName): Promise<VersionInfo | undefined> {
    const current = this.versions.get(name)?.at(-1);
    if (!current) return undefined;
    const { body: _body, ...info } = current;
    return info;
  }

  async get(name: SettingsName, versionId?: string): Promise<StoredVersion | undefined> {
    const all = this.versions.get(name) ?? [];
    return versionId ? all.find((v) => v.versionId === versionId) : all.at(-1);
  }

  async put(name: SettingsName, body: Uint8Array, condition: WriteCondition, metadata: VersionMetadata) {
    this.beforePut?.(name);
    const current = this.versions.get(name)?.at(-1);
    if ("ifAbsent" in condition ? current !== undefined : current?.etag !== condition.ifMatch) return undefined;
    const { versionId, etag } = this.write(name, body, metadata);
    return { versionId, etag };
  }
}

export class InMemoryLedger implements VersionLedger {
  readonly fences = new Map<string, number>();
  readonly entries: LedgerEntry[] = [];

  async fence(name: SettingsName, token: number): Promise<boolean> {
    if ((this.fences.get(name) ?? -1) > token) return false;
    this.fences.set(name, token);
    return true;
  }

  async record(entry: LedgerEntry): Promise<void> {
    if (!this.entries.some((e) => e.document === entry.document && e.versionId === entry.versionId)) this.entries.push(entry);
  }

  async history(name: SettingsName, limit: number) {
    return {
      items: this.entries
        .filter((e) => e.document === name)
        .reverse()
        .slice(0, limit),
    };
  }
}

/** The optimization store in memory, applying the same plans the DynamoDB adapter turns into conditional writes. */
export class InMemoryOptimizationStore implements OptimizationStore {
  readonly records = new Map<string, Optimization>();
  readonly stepsOf = new Map<string, PipelineStep[]>();
  readonly tokens = new Map<string, string>();
  readonly totals: Record<string, number> = {};

  async create(record: Optimization): Promise<boolean> {
    if (this.records.has(record.recommendationId)) return false;
    this.records.set(record.recommendationId, structuredClone(record));
    return true;
  }

  async get(id: string): Promise<Optimization | undefined> {
    const record = this.records.get(id);
    return record ? structuredClone(record) : undefined;
  }

  async apply(id: string, plan: UpdatePlan) {
    const current = this.records.get(id);
    if (!current || !planHolds(current, plan))
      return current ? { applied: false as const, current: structuredClone(current) } : { applied: false as const };
    const next = applyPlan(current, plan);
    this.records.set(id, next);
    return { applied: true as const, record: structuredClone(next) };
  }

  async settle(id: string, plan: UpdatePlan, counters: MetricCounters): Promise<boolean> {
    const result = await this.apply(id, plan);
    if (!result.applied) return false;
    for (const [name, n] of Object.entries(counters)) this.totals[name] = (this.totals[name] ?? 0) + n;
    return true;
  }

  async awaitDecision(id: string, plan: UpdatePlan, token: string): Promise<boolean> {
    const result = await this.apply(id, plan);
    if (result.applied) this.tokens.set(id, token);
    return result.applied;
  }

  async takeToken(id: string): Promise<string | undefined> {
    const token = this.tokens.get(id);
    this.tokens.delete(id);
    return token;
  }

  async addStep(id: string, step: PipelineStep): Promise<void> {
    this.stepsOf.set(id, [...(this.stepsOf.get(id) ?? []), step]);
  }

  async steps(id: string): Promise<PipelineStep[]> {
    return [...(this.stepsOf.get(id) ?? [])];
  }

  async list(query: OptimizationListQuery) {
    const items = [...this.records.values()]
      .filter((r) => (!query.status || r.status === query.status) && (!query.target || r.target === query.target))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .slice(0, query.limit);
    return { items };
  }

  async counters(): Promise<MetricCounters> {
    return { ...this.totals };
  }
}

/** Exclusive leases with a fencing counter that only rises, as coordination grants them. */
export class InMemoryLocks implements DocumentLocks {
  readonly held = new Map<string, { holder: string; token: number }>();
  private counter = 0;
  readonly released: string[] = [];

  /** Someone else (an operator) takes the lock. */
  holdAs(resource: string, holder: string): number {
    const token = ++this.counter;
    this.held.set(resource, { holder, token });
    return token;
  }

  async acquire(resource: string, holder: string) {
    const current = this.held.get(resource);
    if (current && current.holder !== holder) return { acquired: false as const, heldBy: current.holder };
    if (current) return { acquired: false as const, heldBy: holder };
    return { acquired: true as const, fencingToken: this.holdAs(resource, holder) };
  }

  async release(resource: string, holder: string): Promise<void> {
    if (this.held.get(resource)?.holder === holder) {
      this.held.delete(resource);
      this.released.push(resource);
    }
  }
}

/** Records starts and resumes as Step Functions would take them; a token is good once. */
export class FakePipelineControl implements PipelineControl {
  readonly started: string[] = [];
  readonly resumed: { token: string; output: DecisionOutput }[] = [];
  readonly gone = new Set<string>();

  async start(id: string) {
    if (this.started.includes(id)) return "already-started" as const;
    this.started.push(id);
    return "started" as const;
  }

  async resume(token: string, output: DecisionOutput) {
    if (this.gone.has(token)) return "gone" as const;
    this.gone.add(token);
    this.resumed.push({ token, output });
    return "resumed" as const;
  }
}
