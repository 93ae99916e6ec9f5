import { HeadObjectCommand, PutObjectCommand, type S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { StaleTokenError } from "../domain/errors";
import type { LeaseRef } from "../domain/lease";
import { storeCall } from "./transient-errors";

/** Object metadata that records, beside each version, the lease that wrote it. */
export const FENCE_METADATA = { token: "fence-token", resource: "fence-resource", lease: "fence-lease" } as const;

/** What a fenced object's current version says about who wrote it. */
export interface ObjectFence {
  readonly etag: string;
  readonly versionId?: string;
  /** The token of the lease that wrote this version; absent for a version written without a fence. */
  readonly token?: number;
  readonly resource?: string;
}

/** The object changed between reading it and writing it, under a lease that is still current. */
export class ConcurrentChangeError extends Error {
  constructor(
    readonly bucket: string,
    readonly key: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`s3://${bucket}/${key} changed meanwhile: ${detail}`, options);
    this.name = "ConcurrentChangeError";
  }
}

export interface FencedPut {
  readonly bucket: string;
  readonly key: string;
  readonly body: string | Uint8Array;
  /** @default application/json */
  readonly contentType?: string;
  /**
   * The version the change was computed from (its ETag), or `null` for "the object must not
   * exist yet". @default whatever is current (the write still refuses a version of a later token)
   */
  readonly basedOn?: string | null;
  /**
   * More user metadata to record beside the version (who changed it, and why); the fence's own
   * keys (`FENCE_METADATA`) cannot be overridden. @default none
   */
  readonly metadata?: Readonly<Record<string, string>>;
}

const isStatus = (error: unknown, ...statuses: number[]) =>
  error instanceof S3ServiceException && statuses.includes(error.$metadata.httpStatusCode ?? 0);

/** The current version's ETag and fence, or undefined when there is no object. */
export async function readFence(s3: S3Client, bucket: string, key: string): Promise<ObjectFence | undefined> {
  try {
    const head = await storeCall(`reading s3://${bucket}/${key}`, () =>
      s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })),
    );
    const token = head.Metadata?.[FENCE_METADATA.token];
    const resource = head.Metadata?.[FENCE_METADATA.resource];
    return {
      etag: head.ETag ?? "",
      ...(head.VersionId ? { versionId: head.VersionId } : {}),
      ...(token !== undefined && /^\d+$/.test(token) ? { token: Number(token) } : {}),
      ...(resource ? { resource } : {}),
    };
  } catch (error) {
    if (isStatus(error, 404)) return undefined;
    throw error;
  }
}

/**
 * Writes an object version fenced by `lease`: S3 has no transaction with the lock, so the write
 * is ordered by the object itself. It checks the lease is current (`assertCurrent`), reads the
 * current version's recorded token, refuses if a later token wrote it, and puts the new version
 * with `If-Match` on the version it read (`If-None-Match: *` when there is none), recording the
 * token beside it. A holder whose lease was taken over therefore cannot overwrite anything its
 * successor wrote: the ETag moved, and the recorded token is greater than its own.
 *
 * The window S3 leaves open (ADR 0014): a holder that pauses between `assertCurrent` and the put,
 * past its lease, can still land one version before its successor's first write; that version
 * carries its older token and the successor's conditional write (based on the version it read)
 * is refused as a `ConcurrentChangeError` instead of overwriting it blindly.
 *
 * @throws StaleTokenError when the lease is no longer current, or a later token wrote the object;
 *         ConcurrentChangeError when the object is not at `basedOn`, or changed meanwhile.
 */
export async function fencedPutObject(
  s3: S3Client,
  assertCurrent: (lease: LeaseRef) => Promise<void>,
  lease: LeaseRef,
  put: FencedPut,
): Promise<ObjectFence> {
  await assertCurrent(lease);
  const current = await readFence(s3, put.bucket, put.key);
  refuseLaterToken(lease, current, put);
  if (put.basedOn !== undefined && (current?.etag ?? null) !== put.basedOn) {
    throw new ConcurrentChangeError(
      put.bucket,
      put.key,
      `it is at ${current?.etag ?? "no version"}, not ${put.basedOn ?? "absent"}`,
    );
  }
  try {
    const written = await storeCall(`writing s3://${put.bucket}/${put.key}`, () =>
      s3.send(
        new PutObjectCommand({
          Bucket: put.bucket,
          Key: put.key,
          Body: put.body,
          ContentType: put.contentType ?? "application/json",
          Metadata: {
            ...put.metadata,
            [FENCE_METADATA.token]: String(lease.token),
            [FENCE_METADATA.resource]: lease.resource,
            [FENCE_METADATA.lease]: lease.leaseId,
          },
          ...(current ? { IfMatch: current.etag } : { IfNoneMatch: "*" }),
        }),
      ),
    );
    return {
      etag: written.ETag ?? "",
      ...(written.VersionId ? { versionId: written.VersionId } : {}),
      token: lease.token,
      resource: lease.resource,
    };
  } catch (error) {
    if (!isStatus(error, 409, 412)) throw error;
    const now = await readFence(s3, put.bucket, put.key);
    refuseLaterToken(lease, now, put, error);
    throw new ConcurrentChangeError(put.bucket, put.key, `another version (${now?.etag ?? "none"}) landed first`, {
      cause: error,
    });
  }
}

function refuseLaterToken(lease: LeaseRef, current: ObjectFence | undefined, put: FencedPut, cause?: unknown): void {
  if (current?.token !== undefined && current.resource === lease.resource && current.token > lease.token) {
    throw new StaleTokenError(
      lease,
      `s3://${put.bucket}/${put.key} is at a version written with token ${current.token}`,
      cause ? { cause } : undefined,
    );
  }
}
