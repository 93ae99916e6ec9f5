import * as z from "zod";
import { SettingsName } from "#optimization/published/settings-schemas";

/** What an uploaded file is for: a labelled dataset for `scorer-training`, or a settings document for agents. */
export const FILE_TYPES = ["dataset", "agent-config"] as const;
export const FileType = z.enum(FILE_TYPES);
export type FileType = z.infer<typeof FileType>;

/** `pending` until the uploaded object has been validated; then `valid` or `invalid` with the reasons. */
export const FILE_STATUSES = ["pending", "valid", "invalid"] as const;
export const FileStatus = z.enum(FILE_STATUSES);
export type FileStatus = z.infer<typeof FileStatus>;

/** The content types each file type may be uploaded as; the presigned POST's policy pins the one declared. */
export const CONTENT_TYPES: Readonly<Record<FileType, readonly string[]>> = {
  dataset: ["application/json", "application/feed+json"],
  "agent-config": ["application/json"],
};

/** Files one `POST /api/files/uploads` may ask for (seed 004). */
export const MAX_FILES_PER_UPLOAD = 10;

const Tag = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\w.:/-]+$/, "letters, digits and . _ : / - only");
const MetadataKey = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\w.-]+$/, "letters, digits and . _ - only");

/** One file a caller means to upload. Its size is checked against the stage's limit by `checkUploadLimits`. */
export const FileSpec = z
  .object({
    /** The file's name as the user knows it; downloads are offered under it. */
    name: z
      .string()
      .min(1)
      .max(255)
      .refine((name) => !/[/\\]/.test(name) && ![...name].some((c) => c.charCodeAt(0) < 0x20), {
        message: "must be a file name without slashes or control characters",
      }),
    /** Its size in bytes; the upload must be exactly this size to validate. */
    size: z.number().int().min(1),
    contentType: z.string().min(1).max(100),
    fileType: FileType,
    /** For an `agent-config`: the settings document it is a version of (its schema is the one it must pass). */
    settingsDocument: SettingsName.optional(),
    tags: z.array(Tag).max(20).default([]),
    metadata: z
      .record(MetadataKey, z.string().max(1_024))
      .refine((map) => Object.keys(map).length <= 20, "at most 20 entries")
      .default({}),
  })
  .strict()
  .superRefine((spec, ctx) => {
    const allowed = CONTENT_TYPES[spec.fileType];
    if (!allowed.includes(spec.contentType)) {
      ctx.addIssue({
        code: "custom",
        path: ["contentType"],
        message: `must be one of ${allowed.join(", ")} for ${spec.fileType}`,
      });
    }
    if (spec.fileType === "agent-config" && spec.settingsDocument === undefined) {
      ctx.addIssue({ code: "custom", path: ["settingsDocument"], message: "is required for an agent-config" });
    }
    if (spec.fileType === "dataset" && spec.settingsDocument !== undefined) {
      ctx.addIssue({ code: "custom", path: ["settingsDocument"], message: "applies to agent-config files only" });
    }
  });
export type FileSpec = z.infer<typeof FileSpec>;

export const UploadRequest = z
  .object({
    files: z
      .array(FileSpec)
      // A refinement that runs even when items are bad, so eleven files with a bad one are refused
      // naming both; but only on an array (a missing `files` is already named, and has no length).
      .refine((files) => files.length >= 1 && files.length <= MAX_FILES_PER_UPLOAD, {
        message: `must hold 1 to ${MAX_FILES_PER_UPLOAD} files`,
        when: ({ value }) => Array.isArray(value),
      })
      .meta({ minItems: 1, maxItems: MAX_FILES_PER_UPLOAD }),
  })
  .strict()
  .meta({ id: "UploadRequest" });
export type UploadRequest = z.infer<typeof UploadRequest>;

/** Why a file is invalid (or still pending): the path in the file (or `size`, `contentType`, `malware`) and what is wrong there. */
export const ValidationReason = z.object({ path: z.string(), message: z.string() });
export type ValidationReason = z.infer<typeof ValidationReason>;

/** The object a record's validation judged: which version of which key, as S3 stored it. */
export const StoredObject = z.object({
  key: z.string(),
  /** Absent only where a bucket is unversioned (ours never is). */
  versionId: z.string().optional(),
  etag: z.string(),
  size: z.number().int().min(0),
  contentType: z.string(),
  /** The content's SHA-256 (hex), computed by validation. */
  sha256: z.string().optional(),
});
export type StoredObject = z.infer<typeof StoredObject>;

/** One file, as the files table keeps it. */
export const FileRecord = z.object({
  fileId: z.string(),
  name: z.string(),
  /** Declared by the uploader. */
  size: z.number().int(),
  /** Declared by the uploader, and pinned by the upload's policy. */
  contentType: z.string(),
  fileType: FileType,
  settingsDocument: SettingsName.optional(),
  tags: z.array(z.string()),
  metadata: z.record(z.string(), z.string()),
  status: FileStatus,
  reasons: z.array(ValidationReason),
  uploadedBy: z.string(),
  createdAt: z.string(),
  /** When S3 first held the object (its first validation). */
  uploadedAt: z.string().optional(),
  validatedAt: z.string().optional(),
  /** The key uploads go to (the published layout); `object` is what was found there. */
  key: z.string(),
  object: StoredObject.optional(),
  /** Rises with every settled validation: the condition of the next one (a duplicate notification loses). */
  revision: z.number().int().min(0),
});
export type FileRecord = z.infer<typeof FileRecord>;

/** A file as the API shows it. */
export const FileView = FileRecord.omit({ revision: true }).meta({ id: "File" });
export type FileView = z.infer<typeof FileView>;

export const viewOf = (record: FileRecord): FileView => {
  const { revision: _revision, ...view } = record;
  return view;
};

/** A browser-style form upload: POST `fields` and then the file (as `file`) as multipart/form-data to `url`. */
export const PresignedUpload = z.object({
  url: z.string(),
  fields: z.record(z.string(), z.string()),
  expiresAt: z.string(),
  maxBytes: z.number().int(),
});
export type PresignedUpload = z.infer<typeof PresignedUpload>;

export const UploadsResponse = z
  .object({ files: z.array(z.object({ file: FileView, upload: PresignedUpload })) })
  .meta({ id: "Uploads" });

export const FileIdParams = z.object({ fileId: z.string().min(1).max(80) }).strict();

export const FileListQuery = z
  .object({
    fileType: FileType.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().min(1).max(2_048).optional(),
  })
  .strict();
export type FileListQuery = z.infer<typeof FileListQuery>;

export const FilePage = z.object({ items: z.array(FileView), nextCursor: z.string().optional() }).meta({ id: "FilePage" });

export const DownloadView = z
  .object({ fileId: z.string(), url: z.string(), expiresAt: z.string(), versionId: z.string().optional() })
  .meta({ id: "FileDownload" });

/** Counts by file type and status, and the bytes uploaded per type. */
export const FileStatistics = z
  .object({
    total: z.number().int(),
    totalBytes: z.number().int(),
    byType: z.record(
      FileType,
      z.object({ count: z.number().int(), bytes: z.number().int(), byStatus: z.record(FileStatus, z.number().int()) }),
    ),
    byStatus: z.record(FileStatus, z.number().int()),
  })
  .meta({ id: "FileStatistics" });
export type FileStatistics = z.infer<typeof FileStatistics>;
