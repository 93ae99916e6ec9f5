import { DynamoDbFileStore } from "#files/adapters/dynamodb-file-store";
import { S3FileObjects } from "#files/adapters/s3-file-objects";
import { LINK_EXPIRY_SECONDS, type UploadLimits } from "#files/domain/limits";
import type { ValidateDeps } from "#files/domain/uploads";
import { FilesEnv } from "#files/published/file-access";
import { UploadEnv, ValidationEnv } from "#files/published/upload-environment";
import { dynamoDocumentClient, s3Client } from "#shared/adapters/aws-clients";
import { systemClock } from "#shared/clock";
import { once } from "#shared/once";

/**
 * Wiring shared by the files handlers; each piece reads its variables on first use, so a
 * function is configured with exactly what it uses and fails at once if one is bad.
 */
const env = once(() => FilesEnv.read());

export const clock = systemClock;
export const store = once(() => new DynamoDbFileStore(dynamoDocumentClient(), env().FILES_TABLE));
// Reading a 50 MB upload takes longer than the SDK's default request deadline.
export const objects = once(() => new S3FileObjects(s3Client({ requestTimeoutMs: 30_000 }), env().FILES_BUCKET));
export const limits = once((): UploadLimits => ({
  maxBytes: UploadEnv.read().MAX_UPLOAD_BYTES,
  expirySeconds: LINK_EXPIRY_SECONDS,
}));
export const validateDeps = once((): ValidateDeps => ({
  store: store(),
  objects: objects(),
  clock,
  malwareScan: ValidationEnv.read().MALWARE_SCAN,
}));
