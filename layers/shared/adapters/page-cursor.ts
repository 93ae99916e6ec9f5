import * as z from "zod";
import { RequestValidationError } from "../errors";

/** The last key of a page, as handed back to the caller inside an opaque cursor. */
const CursorKey = z.record(z.string(), z.union([z.string(), z.number()]));
const Cursor = z.object({ index: z.string().min(1), key: CursorKey }).strict();

/** An opaque cursor for the page after `key` of `index`. */
export const encodeCursor = (index: string, key: Record<string, unknown>) =>
  Buffer.from(JSON.stringify({ index, key })).toString("base64url");

/**
 * The start key a cursor names, if it is one we handed out for `index`; otherwise a 400 on
 * `cursor`, so a cursor from another list or a made-up one never reads the wrong page.
 */
export function decodeCursor(raw: string, index: string): Record<string, string | number> {
  try {
    const cursor = Cursor.parse(JSON.parse(Buffer.from(raw, "base64url").toString("utf8")));
    if (cursor.index === index) return cursor.key;
  } catch {
    // fall through: not a cursor we handed out
  }
  throw new RequestValidationError([{ field: "cursor", message: "is not a cursor from a previous page of this list" }]);
}
