import type { S3Client } from "@aws-sdk/client-s3";
import { ConcurrentChangeError, type ResourceLocks, StaleTokenError } from "#coordination/published/locks";
import type { DocumentLocks, FencedWrite, HeldLock, VersionMetadata } from "../domain/ports";
import type { SettingsName } from "../domain/settings-catalog";
import { settingsKey, toMetadata } from "./s3-settings-bucket";

/**
 * The pipeline's locks are the coordination context's resource locks (exclusive leases with
 * fencing tokens, `#coordination/published/locks`), and its document writes are coordination's
 * fenced S3 puts: the lease must be current, no later token may have written the object, and
 * the put is conditional on the version the change was based on. The token is recorded beside
 * the new version, with who made it and through which optimization.
 */
export class CoordinationDocumentLocks implements DocumentLocks {
  constructor(
    private readonly locks: ResourceLocks,
    private readonly s3: S3Client,
    /** Read only when a document is written: the release step has no bucket to name. */
    private readonly bucketName: () => string,
  ) {}

  async acquire(resource: string, holder: string, requestKey: string, ttlSeconds: number) {
    const result = await this.locks.tryAcquire({ resource, mode: "exclusive", ttlMs: ttlSeconds * 1_000, holder, requestKey });
    if (result.acquired) {
      return { acquired: true as const, lock: { resource, leaseId: result.lease.leaseId, token: result.lease.token } };
    }
    const heldBy = result.blockers
      .map((b) => `${b.holder}${b.token === undefined ? "" : ` (token ${b.token})`}${b.waiting ? " (waiting)" : ""}`)
      .join(", ");
    return { acquired: false as const, heldBy: heldBy || "someone" };
  }

  async release(lock: HeldLock): Promise<void> {
    // A lease already gone (expired, taken over) has nothing to give back; coordination says why, and so do its events.
    await this.locks.release(lock);
  }

  async writeFenced(
    name: SettingsName,
    body: Uint8Array,
    lock: HeldLock,
    basedOn: string,
    metadata: VersionMetadata,
  ): Promise<FencedWrite> {
    try {
      const fence = await this.locks.putObject(this.s3, lock, {
        bucket: this.bucketName(),
        key: settingsKey(name),
        body,
        basedOn,
        metadata: toMetadata(metadata),
      });
      if (!fence.versionId) throw new Error(`the settings bucket gave ${settingsKey(name)} no version id: is versioning on?`);
      return { outcome: "written", versionId: fence.versionId, etag: fence.etag };
    } catch (error) {
      if (error instanceof StaleTokenError) return { outcome: "fenced", reason: error.message };
      if (error instanceof ConcurrentChangeError) return { outcome: "stale", reason: error.message };
      throw error;
    }
  }
}
