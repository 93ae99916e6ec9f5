import type { S3Client } from "@aws-sdk/client-s3";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { systemClock } from "#shared/clock";
import { DynamoDbFileStore } from "../adapters/dynamodb-file-store";
import { S3FileObjects } from "../adapters/s3-file-objects";
import type { FileType } from "../domain/files";
import { validateFile } from "../domain/uploads";
import type { MalwareScan } from "../domain/validation";

export { ValidationEnv } from "./upload-environment";

/** What judging a file again came to: its verdict and reasons, or why there is none. */
export interface FileVerdict {
  readonly fileId: string;
  /** `pending` while a malware scan it waits on has not answered. */
  readonly outcome: "valid" | "invalid" | "pending" | "not-uploaded" | "unknown";
  readonly reasons: readonly { readonly path: string; readonly message: string }[];
}

/** Validation for other contexts (the `file-validation` job), as `POST /api/files/{id}/validate` does it. */
export interface FileValidation {
  /** Judges the file's current upload again and records the verdict (idempotent: a rerun writes the same). */
  revalidate(fileId: string): Promise<FileVerdict>;
  /** File ids, newest first, of one type or of all, a page at a time. */
  page(query: { fileType?: FileType; limit: number; cursor?: string }): Promise<{ fileIds: string[]; nextCursor?: string }>;
}

/**
 * Validation of uploaded files, for a function or task of another stack that the files stack's
 * `grantValidateFiles` gave the table and bucket rights validation needs.
 *
 * @example
 * const files = fileValidation(dynamoDocumentClient(), s3Client(), { ...FilesEnv.read(), ...ValidationEnv.read() });
 * const verdict = await files.revalidate("0b9e…");
 */
export function fileValidation(
  db: DynamoDBDocumentClient,
  s3: S3Client,
  env: { readonly FILES_TABLE: string; readonly FILES_BUCKET: string; readonly MALWARE_SCAN: MalwareScan },
): FileValidation {
  const store = new DynamoDbFileStore(db, env.FILES_TABLE);
  const deps = { store, objects: new S3FileObjects(s3, env.FILES_BUCKET), clock: systemClock, malwareScan: env.MALWARE_SCAN };
  return {
    async revalidate(fileId) {
      const run = await validateFile(fileId, deps, { force: true });
      if (run.outcome === "unknown") return { fileId, outcome: "unknown", reasons: [] };
      if (run.outcome === "not-uploaded") return { fileId, outcome: "not-uploaded", reasons: [] };
      return { fileId, outcome: run.record.status, reasons: run.record.reasons };
    },
    async page(query) {
      const { items, nextCursor } = await store.list(query);
      return { fileIds: items.map((record) => record.fileId), ...(nextCursor ? { nextCursor } : {}) };
    },
  };
}
