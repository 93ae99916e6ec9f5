import { JobSummary } from "#kernel/bus/job-events";
import * as z from "zod";
import { distinct } from "#shared/distinct";
import { FileType } from "#files/published/file-access";

/** What `file-validation` is asked: named files, or the newest `limit` files (of one type, or of all). */
export const FileValidationParameters = z
  .object({
    fileIds: z
      .array(z.string().regex(/^[\w-]{1,80}$/, "is a file id"))
      .min(1)
      .max(100)
      .refine((ids) => distinct(ids), "names a file twice")
      .optional(),
    fileType: FileType.optional(),
    /** How many of the newest files, when no `fileIds` are given. @default 100 */
    limit: z.number().int().min(1).max(1_000).default(100),
  })
  .strict()
  .refine((p) => !(p.fileIds && p.fileType), { message: "give fileIds or fileType, not both", path: ["fileType"] });
export type FileValidationParameters = z.infer<typeof FileValidationParameters>;

export const FILE_OUTCOMES = ["valid", "invalid", "pending", "not-uploaded", "unknown"] as const;

/** Files listed in a result, and reasons per file: the result is stored in the job's row and carried by its event. */
export const MAX_LISTED_FILES = 100;
export const MAX_LISTED_REASONS = 3;

export const FileValidationResult = JobSummary.extend({
  checked: z.number().int().min(0),
  counts: z.record(z.enum(FILE_OUTCOMES), z.number().int().min(0)),
  /** The first `MAX_LISTED_FILES` files judged, each with its first reasons. */
  files: z.array(
    z.object({
      fileId: z.string(),
      outcome: z.enum(FILE_OUTCOMES),
      reasons: z.array(z.object({ path: z.string(), message: z.string().max(300) })),
      /** How many reasons there were in all. */
      reasonCount: z.number().int().min(0),
    }),
  ),
});
export type FileValidationResult = z.infer<typeof FileValidationResult>;
