import { createHash } from "node:crypto";
import type { Caller } from "#shared/identity";
import type { Clock } from "#shared/clock";
import { NotFoundError } from "#shared/errors";
import { FileNotUploadedError, FileQuarantinedError } from "./errors";
import type { FileRecord, PresignedUpload, UploadRequest } from "./files";
import { fileKey, VALIDATION_TAG } from "./layout";
import { checkUploadLimits, type UploadLimits } from "./limits";
import type { FileObjects, FileStore } from "./ports";
import { isThreat, judge, type MalwareScan } from "./validation";

export interface UploadDeps {
  readonly store: FileStore;
  readonly objects: FileObjects;
  readonly clock: Clock;
  readonly newId: () => string;
  readonly limits: UploadLimits;
}

/**
 * `POST /api/files/uploads`: checks the stage's size limit (every file over it named), stores a
 * `pending` record per file, and answers a presigned form per file that lets S3 itself refuse
 * another size range, another content type or another key.
 */
export async function requestUploads(
  request: UploadRequest,
  caller: Caller,
  deps: UploadDeps,
): Promise<{ record: FileRecord; upload: PresignedUpload }[]> {
  checkUploadLimits(request, deps.limits);
  const now = deps.clock.now();
  const records: FileRecord[] = request.files.map((spec) => {
    const fileId = deps.newId();
    return {
      fileId,
      name: spec.name,
      size: spec.size,
      contentType: spec.contentType,
      fileType: spec.fileType,
      ...(spec.settingsDocument ? { settingsDocument: spec.settingsDocument } : {}),
      tags: spec.tags,
      metadata: spec.metadata,
      status: "pending",
      reasons: [],
      uploadedBy: caller.username,
      createdAt: now.toISOString(),
      key: fileKey(spec.fileType, fileId),
      revision: 0,
    };
  });
  await deps.store.create(records);
  const expiresAt = new Date(now.getTime() + deps.limits.expirySeconds * 1_000).toISOString();
  return Promise.all(
    records.map(async (record) => ({
      record,
      upload: {
        ...(await deps.objects.presignUpload({
          key: record.key,
          contentType: record.contentType,
          maxBytes: deps.limits.maxBytes,
          expirySeconds: deps.limits.expirySeconds,
        })),
        expiresAt,
        maxBytes: deps.limits.maxBytes,
      },
    })),
  );
}

export interface ValidateDeps {
  readonly store: FileStore;
  readonly objects: FileObjects;
  readonly clock: Clock;
  readonly malwareScan: MalwareScan;
}

/** What one validation run did. */
export type ValidationRun =
  /** The object's verdict was recorded. */
  | { readonly outcome: "settled"; readonly record: FileRecord }
  /** This version was judged before (a duplicate notification): nothing was written. */
  | { readonly outcome: "unchanged"; readonly record: FileRecord }
  /** No upload has arrived at the record's key. */
  | { readonly outcome: "not-uploaded"; readonly record: FileRecord }
  /** No record names this file (an object put there by other means). */
  | { readonly outcome: "unknown" };

/** Attempts at settling before giving up to the caller's retry (each loses only to a concurrent settle). */
const SETTLE_ATTEMPTS = 3;

/**
 * Validates the object now at a file's key and records the verdict. Idempotent: a second run
 * for a version already judged changes nothing unless `force` (the revalidate route) asks to
 * judge again, and two concurrent runs settle once each revision, through the record's
 * `revision` condition, so a duplicate notification never counts a file twice.
 *
 * ```
 * notification 1 ─ read rev 3 ─ judge ─ settle(rev 3 → 4) ✓
 * notification 2 ─ read rev 3 ─ judge ─ settle(rev 3 → 4) ✗ ─ read rev 4: same version, judged → unchanged
 * ```
 */
export async function validateFile(
  fileId: string,
  deps: ValidateDeps,
  options: { force?: boolean } = {},
): Promise<ValidationRun> {
  for (let attempt = 1; ; attempt++) {
    const before = await deps.store.get(fileId);
    if (!before) return { outcome: "unknown" };
    const object = await deps.objects.read(before.key);
    if (!object) return { outcome: "not-uploaded", record: before };
    const sameVersion =
      before.object !== undefined && before.object.versionId === object.versionId && before.object.etag === object.etag;
    if (sameVersion && before.status !== "pending" && !options.force) return { outcome: "unchanged", record: before };

    const verdict = judge(before, object, deps.malwareScan);
    const now = deps.clock.now().toISOString();
    // The tag comes first: a retry after a failed settle tags again (the same tag), never settles untagged.
    await deps.objects.tag(before.key, object.versionId, { [VALIDATION_TAG]: verdict.status });
    const after: FileRecord = {
      ...before,
      status: verdict.status,
      reasons: verdict.reasons,
      uploadedAt: before.uploadedAt ?? object.lastModified,
      validatedAt: now,
      object: {
        key: before.key,
        ...(object.versionId ? { versionId: object.versionId } : {}),
        etag: object.etag,
        size: object.size,
        contentType: object.contentType,
        sha256: createHash("sha256").update(object.body).digest("hex"),
      },
      revision: before.revision + 1,
    };
    if (await deps.store.settle(before, after)) return { outcome: "settled", record: after };
    if (attempt >= SETTLE_ATTEMPTS) throw new Error(`file ${fileId}: ${SETTLE_ATTEMPTS} settles lost to concurrent writes`);
  }
}

/**
 * `POST /api/files/{fileId}/validate`: judges the current upload again (a settings schema may
 * have changed, a scan may have finished since); 404 without a record, 409 without an upload.
 */
export async function revalidate(fileId: string, deps: ValidateDeps): Promise<FileRecord> {
  const run = await validateFile(fileId, deps, { force: true });
  if (run.outcome === "unknown") throw new NotFoundError("file", fileId);
  if (run.outcome === "not-uploaded") throw new FileNotUploadedError(fileId);
  return run.record;
}

/** A file's record, or 404. */
export async function fileOf(store: FileStore, fileId: string): Promise<FileRecord> {
  const record = await store.get(fileId);
  if (!record) throw new NotFoundError("file", fileId);
  return record;
}

/**
 * `GET /api/files/{fileId}/download`: a short-lived link to the version validation judged (so
 * what is downloaded is what the record describes); 409 before an upload was validated, or when
 * the scan found malware.
 */
export async function downloadLink(
  fileId: string,
  deps: { store: FileStore; objects: FileObjects; clock: Clock; expirySeconds: number },
): Promise<{ fileId: string; url: string; expiresAt: string; versionId?: string }> {
  const record = await fileOf(deps.store, fileId);
  if (!record.object) throw new FileNotUploadedError(fileId);
  if (record.reasons.some(isThreat)) throw new FileQuarantinedError(fileId);
  const url = await deps.objects.presignDownload({
    key: record.object.key,
    ...(record.object.versionId ? { versionId: record.object.versionId } : {}),
    filename: record.name,
    expirySeconds: deps.expirySeconds,
  });
  return {
    fileId,
    url,
    expiresAt: new Date(deps.clock.now().getTime() + deps.expirySeconds * 1_000).toISOString(),
    ...(record.object.versionId ? { versionId: record.object.versionId } : {}),
  };
}
