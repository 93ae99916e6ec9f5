import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import type { SettingsBucket, StoredVersion, VersionInfo, VersionMetadata, VersionOrigin, WriteCondition } from "../domain/ports";
import type { SettingsName } from "../domain/settings-catalog";

/** The S3 key a settings document lives under. */
export const settingsKey = (name: string): string => `settings/${name}.json`;

const ORIGINS: readonly VersionOrigin[] = ["seed", "applied", "rolled_back"];

/** S3 user metadata (x-amz-meta-*) is lower-case text. */
export function toMetadata(metadata: VersionMetadata): Record<string, string> {
  return {
    origin: metadata.origin,
    "changed-by": metadata.changedBy,
    ...(metadata.recommendationId ? { "recommendation-id": metadata.recommendationId } : {}),
    ...(metadata.fencingToken !== undefined ? { "fencing-token": String(metadata.fencingToken) } : {}),
    ...(metadata.restoredFrom ? { "restored-from": metadata.restoredFrom } : {}),
  };
}

function fromMetadata(raw: Record<string, string> | undefined): VersionMetadata {
  const origin = ORIGINS.find((o) => o === raw?.origin) ?? "seed";
  const token = raw?.["fencing-token"];
  return {
    origin,
    changedBy: raw?.["changed-by"] ?? "unknown",
    ...(raw?.["recommendation-id"] ? { recommendationId: raw["recommendation-id"] } : {}),
    ...(token !== undefined && /^\d+$/.test(token) ? { fencingToken: Number(token) } : {}),
    ...(raw?.["restored-from"] ? { restoredFrom: raw["restored-from"] } : {}),
  };
}

const statusOf = (error: unknown) => (error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined);
/** No such key, no such version (S3 answers 404, or 400 for a version id it cannot parse). */
const isMissing = (error: unknown) =>
  error instanceof S3ServiceException &&
  (error.name === "NoSuchKey" ||
    error.name === "NoSuchVersion" ||
    error.name === "NotFound" ||
    statusOf(error) === 404 ||
    (statusOf(error) === 400 && /version/i.test(error.message)));

function infoOf(output: {
  VersionId?: string;
  ETag?: string;
  LastModified?: Date;
  Metadata?: Record<string, string>;
}): VersionInfo {
  if (!output.VersionId || !output.ETag)
    throw new Error("the settings bucket answered without a version id or ETag: is versioning enabled?");
  return {
    versionId: output.VersionId,
    etag: output.ETag,
    lastModified: (output.LastModified ?? new Date(0)).toISOString(),
    metadata: fromMetadata(output.Metadata),
  };
}

/** A version's bytes, or a sign that the version asked about is still current. */
export type FetchedVersion =
  { readonly changed: false } | { readonly changed: true; readonly version: StoredVersion | undefined };

/**
 * The versioned settings bucket: one object per document under `settings/<name>.json`, each
 * write a new S3 version with who made it (and through which optimization, under which
 * fencing token) in its metadata. Writes are conditional: over one ETag (`If-Match`) or only
 * when there is no object yet (`If-None-Match: *`).
 */
export class S3SettingsBucket implements SettingsBucket {
  constructor(
    private readonly s3: S3Client,
    private readonly bucketName: string,
  ) {}

  async head(name: SettingsName): Promise<VersionInfo | undefined> {
    try {
      return infoOf(await this.s3.send(new HeadObjectCommand({ Bucket: this.bucketName, Key: settingsKey(name) })));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async get(name: SettingsName, versionId?: string): Promise<StoredVersion | undefined> {
    const fetched = await this.fetch(name, { versionId });
    return fetched.changed ? fetched.version : undefined;
  }

  /**
   * The current version if it is not `versionId`: a HEAD when nothing changed (no bytes sent),
   * a GET of the version the HEAD named when something did.
   */
  async getIfChanged(name: string, versionId: string | undefined): Promise<FetchedVersion> {
    if (versionId === undefined) return this.fetch(name, {});
    let current: VersionInfo;
    try {
      current = infoOf(await this.s3.send(new HeadObjectCommand({ Bucket: this.bucketName, Key: settingsKey(name) })));
    } catch (error) {
      if (isMissing(error)) return { changed: true, version: undefined };
      throw error;
    }
    if (current.versionId === versionId) return { changed: false };
    return this.fetch(name, { versionId: current.versionId });
  }

  async put(
    name: SettingsName,
    body: Uint8Array,
    condition: WriteCondition,
    metadata: VersionMetadata,
  ): Promise<{ versionId: string; etag: string } | undefined> {
    try {
      const output = await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucketName,
          Key: settingsKey(name),
          Body: body,
          ContentType: "application/json",
          Metadata: toMetadata(metadata),
          ...("ifMatch" in condition ? { IfMatch: condition.ifMatch } : { IfNoneMatch: "*" }),
        }),
      );
      if (!output.VersionId || !output.ETag) throw new Error("PutObject answered without a version id: is versioning enabled?");
      return { versionId: output.VersionId, etag: output.ETag };
    } catch (error) {
      // 412: the condition failed; 409: a concurrent conditional write won.
      if (statusOf(error) === 412 || statusOf(error) === 409) return undefined;
      throw error;
    }
  }

  private async fetch(name: string, options: { versionId?: string }): Promise<FetchedVersion> {
    try {
      const output = await this.s3.send(
        new GetObjectCommand({
          Bucket: this.bucketName,
          Key: settingsKey(name),
          ...(options.versionId ? { VersionId: options.versionId } : {}),
        }),
      );
      if (!output.Body) throw new Error(`GetObject of ${settingsKey(name)} answered without a body`);
      const body = await output.Body.transformToByteArray();
      return { changed: true, version: { ...infoOf(output), body } };
    } catch (error) {
      if (isMissing(error)) return { changed: true, version: undefined };
      throw error;
    }
  }
}
