import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createHash } from "node:crypto";
import * as z from "zod";
import { envContract, envVar } from "#shared/env-contract";
import { ConflictError, NotFoundError } from "#shared/errors";
import { DynamoDbFileStore } from "../adapters/dynamodb-file-store";
import type { FileRecord, FileType } from "../domain/files";

export { FILES_PREFIX, fileKey, fileTypePattern, VALIDATION_TAG } from "../domain/layout";
export { FileType } from "../domain/files";

/** What a reader of files is given: the table of records and the bucket of objects. */
export const FilesEnv = envContract({ FILES_TABLE: envVar.name(), FILES_BUCKET: envVar.name() });

/** How a job names an uploaded dataset: `file:<fileId>` (beside `fixture:<name>` for the shipped ones). */
export const FILE_DATASET_PREFIX = "file:";
export const FileDatasetRef = z
  .string()
  .regex(/^file:[\w-]{1,80}$/, "must be file:<fileId>")
  .transform((ref) => ref.slice(FILE_DATASET_PREFIX.length));

/** The file exists but cannot be used as asked: not valid (yet), of another type, or changed since it was validated. */
export class FileNotUsableError extends ConflictError {
  constructor(fileId: string, why: string) {
    super("FileNotUsable", `file ${fileId} ${why}`);
    this.name = "FileNotUsableError";
  }
}

/** The content of valid files, read as validation judged them. */
export interface ValidFileReader {
  /**
   * The JSON content of a valid `dataset` file: 404 without a record, 409 when it is not valid
   * or not a dataset. Validation held it to detection's `LabelledDataset`; the reader parses it
   * with that schema for its types (a published module passes on no other context's types).
   */
  readDataset(fileId: string): Promise<unknown>;
}

/**
 * Reads valid files for other contexts (the `scorer-training` job's `file:<fileId>` datasets):
 * the record must say `valid`, the bytes read are the version validation judged (by version
 * id), and their SHA-256 must be the one recorded, so what is trained on is exactly what was
 * validated. The stack's `grantReadValidDatasets` gives the reading and nothing else.
 *
 * @example
 * const files = validFileReader(dynamoDocumentClient(), s3Client(), FilesEnv.read());
 * const dataset = LabelledDataset.parse(await files.readDataset("0b9e…"));
 */
export function validFileReader(
  db: DynamoDBDocumentClient,
  s3: S3Client,
  env: { readonly FILES_TABLE: string; readonly FILES_BUCKET: string },
): ValidFileReader {
  const store = new DynamoDbFileStore(db, env.FILES_TABLE);
  const validRecord = async (
    fileId: string,
    fileType: FileType,
  ): Promise<FileRecord & { object: NonNullable<FileRecord["object"]> }> => {
    const record = await store.get(fileId);
    if (!record) throw new NotFoundError("file", fileId);
    if (record.fileType !== fileType) throw new FileNotUsableError(fileId, `is a ${record.fileType}, not a ${fileType}`);
    if (record.status !== "valid" || !record.object) throw new FileNotUsableError(fileId, `is ${record.status}, not valid`);
    return { ...record, object: record.object };
  };
  return {
    async readDataset(fileId) {
      const record = await validRecord(fileId, "dataset");
      const object = await s3.send(
        new GetObjectCommand({
          Bucket: env.FILES_BUCKET,
          Key: record.object.key,
          ...(record.object.versionId ? { VersionId: record.object.versionId } : {}),
        }),
      );
      const body = (await object.Body?.transformToByteArray()) ?? new Uint8Array();
      if (record.object.sha256 && createHash("sha256").update(body).digest("hex") !== record.object.sha256)
        throw new FileNotUsableError(fileId, "does not hold the bytes that were validated");
      return JSON.parse(new TextDecoder().decode(body)) as unknown;
    },
  };
}
