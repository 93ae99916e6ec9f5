import { createHash } from "node:crypto";
import type { FileListQuery, FileRecord, FileStatistics, PresignedUpload } from "#files/domain/files";
import type { FileObjects, FileStore } from "#files/domain/ports";
import { statisticsDelta, statisticsOf } from "#files/domain/statistics";
import type { UploadedObject } from "#files/domain/validation";

/** The FileStore contract in memory: settles conditional on the revision, counters moved in the same write. */
export class InMemoryFileStore implements FileStore {
  readonly records = new Map<string, FileRecord>();
  readonly counters: Record<string, number> = {};
  /** Settles that landed, in order. */
  readonly settles: FileRecord[] = [];

  async create(records: readonly FileRecord[]): Promise<void> {
    if (records.some((record) => this.records.has(record.fileId))) throw new Error("a record already exists");
    for (const record of records) {
      this.records.set(record.fileId, structuredClone(record));
      this.count(statisticsDelta(undefined, record));
    }
  }

  async get(fileId: string): Promise<FileRecord | undefined> {
    const record = this.records.get(fileId);
    return record && structuredClone(record);
  }

  async list(query: FileListQuery): Promise<{ items: FileRecord[]; nextCursor?: string }> {
    const all = [...this.records.values()]
      .filter((record) => query.fileType === undefined || record.fileType === query.fileType)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.fileId.localeCompare(a.fileId));
    const start = query.cursor ? Number(query.cursor) : 0;
    const items = all.slice(start, start + query.limit);
    return { items, ...(start + query.limit < all.length ? { nextCursor: String(start + query.limit) } : {}) };
  }

  async settle(before: FileRecord, after: FileRecord): Promise<boolean> {
    const current = this.records.get(before.fileId);
    if (!current || current.revision !== before.revision) return false;
    this.records.set(after.fileId, structuredClone(after));
    this.count(statisticsDelta(before, after));
    this.settles.push(structuredClone(after));
    return true;
  }

  async statistics(): Promise<FileStatistics> {
    return statisticsOf(this.counters);
  }

  private count(delta: Readonly<Record<string, number>>) {
    for (const [key, n] of Object.entries(delta)) this.counters[key] = (this.counters[key] ?? 0) + n;
  }
}

interface Stored {
  versionId: string;
  body: Uint8Array;
  contentType: string;
  tags: Record<string, string>;
  lastModified: string;
}

/** The files bucket in memory: versions per key, tags per version; presigning records what it was asked. */
export class InMemoryFileObjects implements FileObjects {
  readonly objects = new Map<string, Stored[]>();
  readonly presigned: Parameters<FileObjects["presignUpload"]>[0][] = [];
  private versions = 0;

  put(key: string, body: string | Uint8Array, contentType: string, tags: Record<string, string> = {}): string {
    const versionId = `v${++this.versions}`;
    const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
    const list = this.objects.get(key) ?? [];
    list.push({
      versionId,
      body: bytes,
      contentType,
      tags: { ...tags },
      lastModified: new Date(1_000 * this.versions).toISOString(),
    });
    this.objects.set(key, list);
    return versionId;
  }

  current(key: string): Stored | undefined {
    return this.objects.get(key)?.at(-1);
  }

  async presignUpload(
    request: Parameters<FileObjects["presignUpload"]>[0],
  ): Promise<Omit<PresignedUpload, "expiresAt" | "maxBytes">> {
    this.presigned.push(request);
    return { url: "memory://files", fields: { key: request.key, "Content-Type": request.contentType } };
  }

  async presignDownload(request: { key: string; versionId?: string; filename: string }): Promise<string> {
    return `memory://files/${request.key}?versionId=${request.versionId ?? ""}`;
  }

  async read(key: string): Promise<UploadedObject | undefined> {
    const stored = this.current(key);
    if (!stored) return undefined;
    return {
      versionId: stored.versionId,
      etag: createHash("md5").update(stored.body).digest("hex"),
      size: stored.body.byteLength,
      contentType: stored.contentType,
      lastModified: stored.lastModified,
      tags: { ...stored.tags },
      body: stored.body,
    };
  }

  async tag(key: string, versionId: string | undefined, tags: Readonly<Record<string, string>>): Promise<void> {
    const stored = this.objects.get(key)?.find((version) => version.versionId === versionId);
    if (!stored) throw new Error(`no version ${versionId} of ${key}`);
    Object.assign(stored.tags, tags);
  }
}
