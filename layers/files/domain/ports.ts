import type { FileListQuery, FileRecord, FileStatistics, PresignedUpload } from "./files";
import type { UploadedObject } from "./validation";

/** Where file records and their statistics are kept. */
export interface FileStore {
  /** Stores new `pending` records and counts them, all or none. */
  create(records: readonly FileRecord[]): Promise<void>;
  get(fileId: string): Promise<FileRecord | undefined>;
  /** Newest first, of one type or of all; never a scan. */
  list(query: FileListQuery): Promise<{ items: FileRecord[]; nextCursor?: string }>;
  /**
   * Replaces `before` with `after` (whose `revision` is one more) only if the stored record is
   * still at `before.revision`, and moves the statistics in the same write. False when another
   * write came first: nothing was written or counted.
   */
  settle(before: FileRecord, after: FileRecord): Promise<boolean>;
  statistics(): Promise<FileStatistics>;
}

/** The files bucket: presigned forms and links, and what validation reads and marks. */
export interface FileObjects {
  /** A form that can put exactly `contentType` at exactly `key`, between 1 and `maxBytes` bytes, until `expiresAt`. */
  presignUpload(request: {
    key: string;
    contentType: string;
    maxBytes: number;
    expirySeconds: number;
  }): Promise<Omit<PresignedUpload, "expiresAt" | "maxBytes">>;
  /** A link that gets this version of `key`, offered for download as `filename`. */
  presignDownload(request: { key: string; versionId?: string; filename: string; expirySeconds: number }): Promise<string>;
  /** The current version at `key` with its tags and bytes, or nothing if no upload arrived. */
  read(key: string): Promise<UploadedObject | undefined>;
  /** Sets `tags` on that version, keeping the tags others (the malware scanner) put there. */
  tag(key: string, versionId: string | undefined, tags: Readonly<Record<string, string>>): Promise<void>;
}
