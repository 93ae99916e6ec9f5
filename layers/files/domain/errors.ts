import { ConflictError } from "#shared/errors";

/** A download or a validation was asked of a file whose upload has not arrived. */
export class FileNotUploadedError extends ConflictError {
  constructor(fileId: string) {
    super("FileNotUploaded", `file ${fileId} has not been uploaded yet`);
    this.name = "FileNotUploadedError";
  }
}

/** A download was asked of a file the malware scan found threats in. */
export class FileQuarantinedError extends ConflictError {
  constructor(fileId: string) {
    super("FileQuarantined", `file ${fileId} is quarantined: the malware scan found threats`);
    this.name = "FileQuarantinedError";
  }
}
