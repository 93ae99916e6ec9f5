import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { ModelArtifacts, SourceObject } from "../domain/ports";

async function bytesOf(s3: S3Client, input: { Bucket: string; Key: string; VersionId?: string }): Promise<Uint8Array> {
  const output = await s3.send(new GetObjectCommand(input));
  if (!output.Body) throw new Error(`GetObject of s3://${input.Bucket}/${input.Key} answered without a body`);
  return output.Body.transformToByteArray();
}

/**
 * The versioned models bucket (one object per registered job under `models/<name>/`), and
 * reading a job's artifact from the bucket the job wrote it to.
 */
export class S3ModelArtifacts implements ModelArtifacts {
  constructor(
    private readonly s3: S3Client,
    private readonly bucketName: string,
  ) {}

  readSource(source: SourceObject) {
    return bytesOf(this.s3, {
      Bucket: source.bucket,
      Key: source.key,
      ...(source.versionId ? { VersionId: source.versionId } : {}),
    });
  }

  async put(key: string, body: Uint8Array) {
    const output = await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucketName, Key: key, Body: body, ContentType: "application/json" }),
    );
    if (!output.VersionId)
      throw new Error(`the models bucket ${this.bucketName} answered without a version id: is it versioned?`);
    return { versionId: output.VersionId };
  }

  read(key: string, versionId: string) {
    return bytesOf(this.s3, { Bucket: this.bucketName, Key: key, VersionId: versionId });
  }

  exportUrl(key: string, versionId: string, expiresInSeconds: number) {
    return getSignedUrl(this.s3, new GetObjectCommand({ Bucket: this.bucketName, Key: key, VersionId: versionId }), {
      expiresIn: expiresInSeconds,
    });
  }
}
