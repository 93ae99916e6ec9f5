import type * as z from "zod";
import { LabelledDataset } from "#detection/published/datasets";
import { settingsSchemaOf } from "#optimization/published/settings-schemas";
import type { FileRecord, FileStatus, ValidationReason } from "./files";

/** The object as validation sees it: what S3 holds at the record's key, its tags and its bytes. */
export interface UploadedObject {
  readonly versionId?: string;
  readonly etag: string;
  readonly size: number;
  readonly contentType: string;
  readonly lastModified: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/**
 * Whether uploads must be scanned for malware before they can be valid: `guardduty` where
 * GuardDuty Malware Protection for S3 scans the bucket (prod), `none` where nothing does.
 */
export type MalwareScan = "guardduty" | "none";

/** The tag GuardDuty Malware Protection for S3 puts on each object it scanned, and its verdicts. */
export const MALWARE_SCAN_TAG = "GuardDutyMalwareScanStatus";
export const MALWARE_CLEAN = "NO_THREATS_FOUND";
export const MALWARE_FOUND = "THREATS_FOUND";

/** Reasons listed at most: a file with thousands of bad items names the first ones. */
const MAX_REASONS = 50;

/** The reason a file the scan found threats in carries; such a file is never offered for download. */
const THREATS_FOUND: ValidationReason = { path: "malware", message: "the malware scan found threats" };
export const isThreat = (reason: ValidationReason) =>
  reason.path === THREATS_FOUND.path && reason.message === THREATS_FOUND.message;

export interface Judgement {
  readonly status: FileStatus;
  readonly reasons: ValidationReason[];
}

const reasonsOf = (issues: readonly z.core.$ZodIssue[]): ValidationReason[] =>
  issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message }));

/** The schema the content of a file of this record's type must pass. */
function contentSchema(record: FileRecord): z.ZodType {
  if (record.fileType === "dataset") return LabelledDataset;
  // The upload schema requires it for agent configs; a record without one cannot pass.
  if (record.settingsDocument === undefined) throw new Error(`agent-config ${record.fileId} names no settings document`);
  return settingsSchemaOf(record.settingsDocument);
}

/**
 * The verdict on an uploaded object, pure: a malware finding, a size or content type other
 * than declared, content that is not JSON, or JSON its type's schema refuses makes it
 * `invalid`, with every reason found (field paths into the file); a file the stage must scan
 * that has no verdict yet stays `pending`.
 *
 * @example
 * judge(record, object, "none") // → { status: "invalid", reasons: [{ path: "feed.items.2.id", message: "item x has no label" }] }
 */
export function judge(record: FileRecord, object: UploadedObject, malwareScan: MalwareScan): Judgement {
  const reasons: ValidationReason[] = [];
  const scan = object.tags[MALWARE_SCAN_TAG];
  if (scan === MALWARE_FOUND) reasons.push(THREATS_FOUND);
  else if (scan !== undefined && scan !== MALWARE_CLEAN)
    reasons.push({ path: "malware", message: `the malware scan could not vouch for it (${scan})` });
  if (object.size !== record.size)
    reasons.push({ path: "size", message: `declared ${record.size} bytes, uploaded ${object.size}` });
  if (object.contentType !== record.contentType)
    reasons.push({ path: "contentType", message: `declared ${record.contentType}, uploaded ${object.contentType}` });

  let content: unknown;
  try {
    content = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(object.body));
  } catch (error) {
    reasons.push({ path: "", message: `is not UTF-8 JSON (${error instanceof Error ? error.message : String(error)})` });
  }
  if (content !== undefined) {
    const parsed = contentSchema(record).safeParse(content);
    if (!parsed.success) reasons.push(...reasonsOf(parsed.error.issues));
  }
  if (reasons.length > 0) return { status: "invalid", reasons: reasons.slice(0, MAX_REASONS) };
  if (malwareScan === "guardduty" && scan === undefined)
    return { status: "pending", reasons: [{ path: "malware", message: "waiting for the malware scan" }] };
  return { status: "valid", reasons: [] };
}
