import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { ArtifactStore } from "../domain/run-scorer-training";

/** Job outputs in the versioned artifacts bucket: each write a new version, named in the job's result. */
export class S3Artifacts implements ArtifactStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async putJson(key: string, document: unknown): Promise<{ bucket: string; key: string; versionId?: string }> {
    const { VersionId } = await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: `${JSON.stringify(document, null, 2)}\n`,
        ContentType: "application/json",
      }),
    );
    return { bucket: this.bucket, key, ...(VersionId ? { versionId: VersionId } : {}) };
  }
}
