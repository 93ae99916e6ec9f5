import type { FileType } from "./files";

/** Every upload lives under this prefix; the bucket's notifications and grants are scoped to it. */
export const FILES_PREFIX = "files/";

/**
 * Where a file's object lives: by type, then id, so a grant can name one type's objects
 * (`files/dataset/*`) and a file's name never becomes part of a key.
 *
 * @example
 * fileKey("dataset", "0b9e…") // "files/dataset/0b9e…"
 */
export const fileKey = (fileType: FileType, fileId: string) => `${FILES_PREFIX}${fileType}/${fileId}`;

/** The key pattern of one type's objects, for IAM (`files/dataset/*`). */
export const fileTypePattern = (fileType: FileType) => `${FILES_PREFIX}${fileType}/*`;

/** The tag validation puts on the version it judged, so reads can be granted on valid objects only. */
export const VALIDATION_TAG = "tge-swarm:validation";

/** The file a key belongs to, if it is an upload's key (`files/<type>/<id>`). */
export function fileIdOf(key: string): string | undefined {
  const match = /^files\/(?:dataset|agent-config)\/([\w-]{1,80})$/.exec(key);
  return match?.[1];
}
