import * as z from "zod";
import { fileIdOf } from "#files/domain/layout";
import { validateFile } from "#files/domain/uploads";
import { instrumented } from "#shared/instrumented";
import { logger, metrics } from "#shared/powertools";
import { validateDeps } from "./wiring";

/** S3's `Object Created` (EventBridge notifications) and, where GuardDuty scans the bucket, its scan result. */
const UploadEvent = z.union([
  z.object({
    source: z.literal("aws.s3"),
    "detail-type": z.literal("Object Created"),
    detail: z.object({ object: z.object({ key: z.string().min(1) }) }),
  }),
  z.object({
    source: z.literal("aws.guardduty"),
    "detail-type": z.literal("GuardDuty Malware Protection Object Scan Result"),
    detail: z.object({ s3ObjectDetails: z.object({ objectKey: z.string().min(1) }) }),
  }),
]);

/**
 * An upload arrived (or its malware scan finished): validate the object now at its key and
 * record the verdict. Duplicate deliveries change nothing (`validateFile` is idempotent per
 * version); an error is thrown so EventBridge retries and then keeps the event (ADR 0017).
 */
export const handler = instrumented(
  async (raw: unknown) => {
    const event = UploadEvent.parse(raw);
    const key = event.source === "aws.s3" ? event.detail.object.key : event.detail.s3ObjectDetails.objectKey;
    // EventBridge carries the key as written; S3's direct notifications URL-encode it.
    const fileId = fileIdOf(decodeURIComponent(key.replace(/\+/g, " ")));
    if (!fileId) {
      logger.warn("an object outside the upload layout", { key });
      return { outcome: "ignored" as const };
    }
    const run = await validateFile(fileId, validateDeps());
    if (run.outcome === "unknown") logger.warn("an upload no record names", { key });
    if (run.outcome === "settled") {
      metrics.addMetric(run.record.status === "valid" ? "UploadsValid" : "UploadsInvalid", "Count", 1);
      logger.info("upload validated", { fileId, status: run.record.status, reasons: run.record.reasons.length });
    }
    return { outcome: run.outcome, fileId };
  },
  (result) => result,
);
