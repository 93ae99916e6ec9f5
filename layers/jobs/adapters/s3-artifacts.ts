import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { ArtifactLocation, ArtifactStore } from "../domain/ports";

/** Job outputs in the versioned artifacts bucket: each write a new version, named in the job's result. */
export class S3Artifacts implements ArtifactStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  putJson(key: string, document: unknown): Promise<ArtifactLocation> {
    return this.putText(key, `${JSON.stringify(document, null, 2)}\n`, "application/json");
  }

  async putText(key: string, body: string, contentType: string): Promise<ArtifactLocation> {
    const { VersionId } = await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
    );
    return { bucket: this.bucket, key, ...(VersionId ? { versionId: VersionId } : {}) };
  }
}
