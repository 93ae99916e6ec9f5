import { RequestValidationError, type FieldIssue } from "#shared/errors";
import type { UploadRequest } from "./files";

/** What the stage allows one upload to be. */
export interface UploadLimits {
  /** Largest object in bytes (the stage's `maxUploadBytes`); S3 enforces it too, through the form's policy. */
  readonly maxBytes: number;
  /** How long a presigned form or download link stays usable, in seconds. */
  readonly expirySeconds: number;
}

/** Links are short-lived: long enough to start a 50 MB upload, too short to be worth sharing. */
export const LINK_EXPIRY_SECONDS = 300;

/**
 * The size limit is the stage's, not the schema's: checked here, each file over it named by its
 * index. (The schema has already named every other bad field.)
 *
 * @example
 * checkUploadLimits(request, { maxBytes: 52_428_800, expirySeconds: 300 }); // throws RequestValidationError
 */
export function checkUploadLimits(request: UploadRequest, limits: UploadLimits): void {
  const fields: FieldIssue[] = request.files.flatMap((file, index) =>
    file.size > limits.maxBytes
      ? [{ field: `files.${index}.size`, message: `must be at most ${limits.maxBytes} bytes (got ${file.size})` }]
      : [],
  );
  if (fields.length > 0) throw new RequestValidationError(fields);
}
