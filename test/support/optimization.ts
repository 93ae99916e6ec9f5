import { createHash } from "node:crypto";
import type { Clock } from "#shared/clock";
import { applyPlan, planHolds, type UpdatePlan } from "#shared/update-plan";
import { documentBytes } from "#optimization/domain/documents";
import type { Optimization, OptimizationListQuery, PipelineStep } from "#optimization/domain/optimization";
import type {
  DecisionOutput,
  DocumentLocks,
  FencedWrite,
  HeldLock,
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
  readonly entries: LedgerEntry[] = [];

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

/**
 * Exclusive leases with a fencing counter that only rises, and writes fenced by them, as the
 * coordination context grants and checks them: a repeated request key gets its lease back; a
 * fenced write needs its lease to be the resource's current one, no later token on the
 * document, and the document at the version it was based on.
 */
export class InMemoryLocks implements DocumentLocks {
  readonly held = new Map<string, HeldLock & { holder: string; requestKey: string }>();
  private counter = 0;
  readonly released: string[] = [];

  constructor(private readonly bucket: InMemorySettingsBucket) {}

  /** Someone else (an operator) takes the lock, or takes it over. */
  holdAs(resource: string, holder: string): HeldLock {
    const lock = { resource, leaseId: `lease-${++this.counter}`, token: this.counter, holder, requestKey: holder };
    this.held.set(resource, lock);
    return lock;
  }

  async acquire(resource: string, holder: string, requestKey: string) {
    const current = this.held.get(resource);
    if (current?.requestKey === requestKey) return { acquired: true as const, lock: current };
    if (current) return { acquired: false as const, heldBy: current.holder };
    const lock = { ...this.holdAs(resource, holder), holder, requestKey };
    this.held.set(resource, lock);
    return { acquired: true as const, lock };
  }

  async release(lock: HeldLock): Promise<void> {
    if (this.held.get(lock.resource)?.leaseId === lock.leaseId) {
      this.held.delete(lock.resource);
      this.released.push(lock.resource);
    }
  }

  async writeFenced(
    name: SettingsName,
    body: Uint8Array,
    lock: HeldLock,
    basedOn: string,
    metadata: VersionMetadata,
  ): Promise<FencedWrite> {
    if (this.held.get(lock.resource)?.leaseId !== lock.leaseId)
      return { outcome: "fenced", reason: `token ${lock.token} on ${lock.resource} is no longer the current lease` };
    const current = await this.bucket.head(name);
    if ((current?.metadata.fencingToken ?? 0) > lock.token)
      return { outcome: "fenced", reason: `a later token (${current?.metadata.fencingToken}) wrote ${name}` };
    this.bucket.beforePut?.(name);
    const now = await this.bucket.head(name);
    if (now?.etag !== basedOn) return { outcome: "stale", reason: `${name} changed while it was being written` };
    const { versionId, etag } = this.bucket.write(name, body, metadata);
    return { outcome: "written", versionId, etag };
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
