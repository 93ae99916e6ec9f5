import type { ModelSummary, ModelVersion, ModelVersionsQuery } from "#models/domain/model-version";
import type {
  CurrentDocument,
  ModelArtifacts,
  ModelRegistryStore,
  PromotionSettlement,
  RegisterResult,
  SourceObject,
  VersionRef,
} from "#models/domain/ports";
import { applyVersionWrite, type VersionWrite, versionWriteHolds } from "#models/domain/transitions";

const keyOf = (ref: VersionRef) => `${ref.name}/${ref.version}`;
/** Lets other callers run between a read and a write, as a network round trip would. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The registry's store in memory, refusing the same writes the DynamoDB adapter's transactions
 * refuse. `unconditional` drops the number check of `register` — the control that shows the
 * numbering test can fail.
 */
export class InMemoryModelStore implements ModelRegistryStore {
  readonly versions = new Map<string, ModelVersion>();
  readonly summaries = new Map<string, ModelSummary>();
  readonly jobs = new Map<string, VersionRef>();
  readonly promotions = new Map<string, VersionRef>();
  readonly promoted = new Map<string, VersionRef>();

  constructor(private readonly options: { unconditional?: boolean } = {}) {}

  async registrationOf(jobId: string) {
    await tick();
    return this.jobs.get(jobId);
  }

  async summary(name: string) {
    await tick();
    const summary = this.summaries.get(name);
    return summary ? structuredClone(summary) : undefined;
  }

  async register(version: ModelVersion): Promise<RegisterResult> {
    await tick();
    if (this.jobs.has(version.jobId)) return "job-registered";
    const summary = this.summaries.get(version.name);
    if (!this.options.unconditional && (summary?.versions ?? 0) !== version.number - 1) return "number-taken";
    const ref = { name: version.name, version: version.version };
    this.jobs.set(version.jobId, ref);
    this.versions.set(keyOf(ref), structuredClone(version));
    this.summaries.set(version.name, {
      name: version.name,
      versions: version.number,
      latestVersion: version.version,
      ...(summary?.promotedVersion ? { promotedVersion: summary.promotedVersion } : {}),
      createdAt: summary?.createdAt ?? version.createdAt,
      updatedAt: version.createdAt,
    });
    return "registered";
  }

  async get(ref: VersionRef) {
    await tick();
    const version = this.versions.get(keyOf(ref));
    return version ? structuredClone(version) : undefined;
  }

  async listVersions(name: string, query: ModelVersionsQuery) {
    const all = [...this.versions.values()].filter((v) => v.name === name).sort((a, b) => b.number - a.number);
    const start = query.cursor ? Number(query.cursor) : 0;
    const items = all.slice(start, start + query.limit).map((v) => structuredClone(v));
    return { items, ...(start + query.limit < all.length ? { nextCursor: String(start + query.limit) } : {}) };
  }

  async listModels() {
    return [...this.summaries.values()].map((s) => structuredClone(s));
  }

  private holds(ref: VersionRef | undefined, write: VersionWrite) {
    return ref !== undefined && versionWriteHolds(this.versions.get(keyOf(ref)), write);
  }

  private write(ref: VersionRef, write: VersionWrite) {
    const current = this.versions.get(keyOf(ref));
    if (current) this.versions.set(keyOf(ref), applyVersionWrite(current, write));
  }

  async startPromotion(ref: VersionRef, write: VersionWrite, recommendationId: string) {
    await tick();
    if (!this.holds(ref, write) || this.promotions.has(recommendationId)) return false;
    this.write(ref, write);
    this.promotions.set(recommendationId, ref);
    return true;
  }

  async promotionOf(recommendationId: string) {
    return this.promotions.get(recommendationId);
  }

  async promotedFor(document: string) {
    return this.promoted.get(document);
  }

  async settle(settlement: PromotionSettlement, document: string) {
    await tick();
    const { ref, write, replaces } = settlement;
    if (!this.holds(ref, write)) return false;
    if (replaces?.ref && !this.holds(replaces.ref, replaces.write)) return false;
    this.write(ref, write);
    if (replaces) {
      this.promoted.set(document, ref);
      const summary = this.summaries.get(ref.name);
      if (summary) this.summaries.set(ref.name, { ...summary, promotedVersion: ref.version });
      if (replaces.ref) {
        this.write(replaces.ref, replaces.write);
        const before = this.summaries.get(replaces.ref.name);
        if (before && replaces.ref.name !== ref.name) {
          const { promotedVersion: _gone, ...rest } = before;
          this.summaries.set(replaces.ref.name, rest);
        }
      }
    }
    return true;
  }
}

/** Buckets in memory: sources by `bucket/key`, the models bucket's objects by key with every version kept. */
export class InMemoryArtifacts implements ModelArtifacts {
  readonly sources = new Map<string, Uint8Array>();
  readonly objects = new Map<string, { versionId: string; body: Uint8Array }[]>();
  puts = 0;

  putSource(bucket: string, key: string, body: unknown): SourceObject {
    this.sources.set(`${bucket}/${key}`, Buffer.from(typeof body === "string" ? body : JSON.stringify(body)));
    return { bucket, key };
  }

  async readSource(source: SourceObject) {
    const body = this.sources.get(`${source.bucket}/${source.key}`);
    if (!body) throw new Error(`NoSuchKey ${source.bucket}/${source.key}`);
    return body;
  }

  async put(key: string, body: Uint8Array) {
    this.puts++;
    const versions = this.objects.get(key) ?? [];
    const versionId = `ver-${versions.length + 1}`;
    this.objects.set(key, [...versions, { versionId, body }]);
    return { versionId };
  }

  async read(key: string, versionId: string) {
    const found = this.objects.get(key)?.find((v) => v.versionId === versionId);
    if (!found) throw new Error(`NoSuchVersion ${key} ${versionId}`);
    return found.body;
  }

  async exportUrl(key: string, versionId: string, expiresInSeconds: number) {
    return `https://models.example/${key}?versionId=${versionId}&X-Amz-Expires=${expiresInSeconds}`;
  }
}

/** The settings document's current version, settable. */
export class FixedDocument implements CurrentDocument {
  constructor(public version = "doc-v1") {}
  async currentVersion() {
    return this.version;
  }
}
