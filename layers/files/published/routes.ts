import { ACTOR_ROLES, READER_ROLES } from "#shared/identity";
import type { RouteTable } from "#shared/routes";
import {
  DownloadView,
  FileIdParams,
  FileListQuery,
  FilePage,
  FileStatistics,
  FileView,
  UploadRequest,
  UploadsResponse,
} from "../domain/files";

/** The files API: uploads through presigned forms, their validation, and what was uploaded. */
export const FILE_ROUTES = {
  requestUploads: {
    method: "POST",
    path: "/api/files/uploads",
    entry: "files/request-uploads",
    roles: ACTOR_ROLES,
    summary: "Ask to upload up to 10 files: one presigned form per file, and a `pending` record",
    description:
      "Each file names its `fileType` (`dataset`: a labelled JSON Feed, `{ feed, labels }`; `agent-config`: a version of the settings document named by `settingsDocument`), its size, its content type (`application/json`, or `application/feed+json` for a dataset), tags and metadata. Each answer holds a form: POST its `fields`, then the file as `file`, as multipart/form-data to its `url` before `expiresAt`. S3 itself refuses another key, another `Content-Type`, or a size outside 1…`maxBytes` (the stage's `maxUploadBytes`, 50 MB by default). Once the object arrives it is validated and the record becomes `valid` or `invalid` with the reasons; an upload whose size or type differs from the declared one is `invalid`. A size over the limit, an 11th file, an unknown type or a disallowed content type answer 400 naming each field.",
    body: UploadRequest,
    responses: { 201: { description: "The records and their upload forms, in the order asked", schema: UploadsResponse } },
    errors: [400],
  },
  listFiles: {
    method: "GET",
    path: "/api/files",
    entry: "files/list-files",
    roles: READER_ROLES,
    summary: "Uploaded files, newest first, of one type or all",
    query: FileListQuery,
    pagedBy: "nextCursor",
    responses: { 200: { description: "A page of files", schema: FilePage } },
    errors: [400],
  },
  getFileStatistics: {
    method: "GET",
    path: "/api/files/statistics",
    entry: "files/get-file-statistics",
    roles: READER_ROLES,
    summary: "Files by type and status, and the bytes uploaded",
    responses: { 200: { description: "The statistics", schema: FileStatistics } },
    errors: [],
  },
  getFile: {
    method: "GET",
    path: "/api/files/{fileId}",
    entry: "files/get-file",
    roles: READER_ROLES,
    summary: "A file's record: status, the reasons it is invalid, the version validated",
    params: FileIdParams,
    responses: { 200: { description: "The file", schema: FileView } },
    errors: [404],
  },
  downloadFile: {
    method: "GET",
    path: "/api/files/{fileId}/download",
    entry: "files/download-file",
    roles: READER_ROLES,
    summary: "A short-lived link to the version that was validated",
    description:
      "The link (a presigned GET, valid a few minutes) gets exactly the version the record describes, as an attachment under the file's name. 409 before an upload was validated, or when the malware scan found threats.",
    params: FileIdParams,
    // A link that expires must not be served from a cache.
    cache: "no-store",
    responses: { 200: { description: "The link", schema: DownloadView } },
    errors: [404, 409],
  },
  validateFile: {
    method: "POST",
    path: "/api/files/{fileId}/validate",
    entry: "files/validate-file",
    roles: ACTOR_ROLES,
    summary: "Validate the uploaded file again",
    description:
      "Judges the current upload again (a settings schema may have changed, or a malware scan finished) and answers the record with the verdict. 409 when no upload arrived yet.",
    params: FileIdParams,
    responses: { 200: { description: "The file, with the new verdict", schema: FileView } },
    errors: [404, 409],
  },
} as const satisfies RouteTable;
