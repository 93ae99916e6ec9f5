import {
  GetObjectCommand,
  GetObjectTaggingCommand,
  NoSuchKey,
  PutObjectTaggingCommand,
  type S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { PresignedUpload } from "../domain/files";
import type { FileObjects } from "../domain/ports";
import type { UploadedObject } from "../domain/validation";

const missing = (error: unknown) =>
  error instanceof NoSuchKey || (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404);

/** `attachment; filename="…"` with the name as RFC 6266 allows it (quotes and non-ASCII escaped). */
const attachment = (filename: string) =>
  `attachment; filename="${filename.replace(/[^\x20-\x7e]|"/g, "_")}"; filename*=UTF-8''${encodeURIComponent(filename)}`;

/**
 * The files bucket over the SDK. The presigned form's policy carries the conditions S3 itself
 * enforces: the exact key, the exact `Content-Type`, `content-length-range` 1…max, and the
 * expiry; the SDK adds the bucket and the signing fields. Links and forms are never logged.
 */
export class S3FileObjects implements FileObjects {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async presignUpload(request: {
    key: string;
    contentType: string;
    maxBytes: number;
    expirySeconds: number;
  }): Promise<Omit<PresignedUpload, "expiresAt" | "maxBytes">> {
    const { url, fields } = await createPresignedPost(this.s3, {
      Bucket: this.bucket,
      Key: request.key,
      Conditions: [
        ["content-length-range", 1, request.maxBytes],
        ["eq", "$Content-Type", request.contentType],
      ],
      Fields: { "Content-Type": request.contentType },
      Expires: request.expirySeconds,
    });
    return { url, fields };
  }

  async presignDownload(request: { key: string; versionId?: string; filename: string; expirySeconds: number }): Promise<string> {
    return getSignedUrl(
      this.s3,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: request.key,
        ...(request.versionId ? { VersionId: request.versionId } : {}),
        ResponseContentDisposition: attachment(request.filename),
      }),
      { expiresIn: request.expirySeconds },
    );
  }

  async read(key: string): Promise<UploadedObject | undefined> {
    let object;
    try {
      object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      if (missing(error)) return undefined;
      throw error;
    }
    const body = await object.Body?.transformToByteArray();
    const versionId = object.VersionId && object.VersionId !== "null" ? object.VersionId : undefined;
    return {
      ...(versionId ? { versionId } : {}),
      etag: (object.ETag ?? "").replace(/"/g, ""),
      size: object.ContentLength ?? body?.byteLength ?? 0,
      contentType: object.ContentType ?? "",
      lastModified: (object.LastModified ?? new Date()).toISOString(),
      tags: await this.tagsOf(key, versionId),
      body: body ?? new Uint8Array(),
    };
  }

  async tag(key: string, versionId: string | undefined, tags: Readonly<Record<string, string>>): Promise<void> {
    // PutObjectTagging replaces the whole set: keep the scanner's verdict beside ours.
    const merged = { ...(await this.tagsOf(key, versionId)), ...tags };
    await this.s3.send(
      new PutObjectTaggingCommand({
        Bucket: this.bucket,
        Key: key,
        ...(versionId ? { VersionId: versionId } : {}),
        Tagging: { TagSet: Object.entries(merged).map(([Key, Value]) => ({ Key, Value })) },
      }),
    );
  }

  private async tagsOf(key: string, versionId: string | undefined): Promise<Record<string, string>> {
    const { TagSet } = await this.s3.send(
      new GetObjectTaggingCommand({ Bucket: this.bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }),
    );
    return Object.fromEntries((TagSet ?? []).flatMap((tag) => (tag.Key ? [[tag.Key, tag.Value ?? ""]] : [])));
  }
}
