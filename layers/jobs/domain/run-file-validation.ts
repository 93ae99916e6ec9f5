import type { FileType } from "#files/published/file-access";
import type { FileValidation } from "#files/published/file-validation";
import {
  FILE_OUTCOMES,
  type FileValidationResult,
  FileValidationParameters,
  MAX_LISTED_FILES,
  MAX_LISTED_REASONS,
} from "./file-validation";
import type { JobRunner } from "./run-job";

/** Validation as the files context offers it. */
export type FileValidator = FileValidation;

/**
 * `file-validation` (seed 004's file processing): the named files, or the newest `limit` of a
 * type, judged again one by one as `POST /api/files/{id}/validate` judges one (a settings
 * schema changed, a scan finished), each verdict recorded on its file; the result counts the
 * outcomes and lists the first files with their first reasons.
 */
export const fileValidationRunner =
  (files: FileValidator): JobRunner =>
  async (_jobId, raw, { progress }): Promise<FileValidationResult> => {
    const parameters = FileValidationParameters.parse(raw);
    await progress.report(0, "listing files", { force: true });
    const fileIds = parameters.fileIds ?? (await newest(files, parameters.fileType, parameters.limit));
    const counts = Object.fromEntries(FILE_OUTCOMES.map((o) => [o, 0])) as FileValidationResult["counts"];
    const listed: FileValidationResult["files"] = [];
    for (const [index, fileId] of fileIds.entries()) {
      const verdict = await files.revalidate(fileId);
      counts[verdict.outcome]++;
      if (listed.length < MAX_LISTED_FILES)
        listed.push({
          fileId,
          outcome: verdict.outcome,
          reasons: verdict.reasons
            .slice(0, MAX_LISTED_REASONS)
            .map((r) => ({ path: r.path.slice(0, 300), message: r.message.slice(0, 300) })),
          reasonCount: verdict.reasons.length,
        });
      await progress.report((100 * (index + 1)) / Math.max(1, fileIds.length), `validating ${index + 1} of ${fileIds.length}`);
    }
    const summary = `${fileIds.length} files checked: ${counts.valid} valid, ${counts.invalid} invalid${
      counts.pending + counts["not-uploaded"] + counts.unknown > 0
        ? `, ${counts.pending} pending, ${counts["not-uploaded"]} not uploaded, ${counts.unknown} unknown`
        : ""
    }`;
    await progress.report(100, "done", { force: true, message: summary });
    return { summary, checked: fileIds.length, counts, files: listed };
  };

async function newest(files: FileValidator, fileType: FileType | undefined, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await files.page({
      ...(fileType ? { fileType } : {}),
      limit: Math.min(100, limit - ids.length),
      ...(cursor ? { cursor } : {}),
    });
    ids.push(...page.fileIds);
    cursor = page.nextCursor;
  } while (cursor && ids.length < limit);
  return ids.slice(0, limit);
}
