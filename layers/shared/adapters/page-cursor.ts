import * as z from "zod";
import { RequestValidationError } from "../errors";

/**
 * What a page's cursor must hold to be handed to DynamoDB as `ExclusiveStartKey`: the key
 * attributes of the table and the index it pages through, of the types the key schema says,
 * and the partition the query reads. Anything else DynamoDB would refuse with a
 * ValidationException — a 500 — so it is refused here as a 400 on `cursor`.
 */
export interface CursorShape {
  /** The index the list reads. */
  readonly index: string;
  /** Every key attribute (table key and index key) with its DynamoDB type. */
  readonly keys: Readonly<Record<string, "S" | "N">>;
  /** Key attributes the query fixes (its partition): a cursor from another list is refused. */
  readonly fixed?: Readonly<Record<string, string | number>>;
}

const Cursor = z.object({ index: z.string().min(1), key: z.record(z.string(), z.union([z.string(), z.number()])) }).strict();

/** An opaque cursor for the page after `key` of `index`. */
export const encodeCursor = (index: string, key: Record<string, unknown>) =>
  Buffer.from(JSON.stringify({ index, key })).toString("base64url");

const refused = () =>
  new RequestValidationError([{ field: "cursor", message: "is not a cursor from a previous page of this list" }]);

/**
 * The start key a cursor names, if it is one this list could have handed out; otherwise a 400
 * on `cursor`, so a cursor from another list, a tampered one or a made-up one never reaches
 * DynamoDB.
 *
 * @example
 * const start = decodeCursor(raw, { index: "by-status", keys: { taskId: "S", status: "S", createdAt: "S" }, fixed: { status: "queued" } });
 */
export function decodeCursor(raw: string, shape: CursorShape): Record<string, string | number> {
  let cursor: z.infer<typeof Cursor>;
  try {
    cursor = Cursor.parse(JSON.parse(Buffer.from(raw, "base64url").toString("utf8")));
  } catch {
    throw refused();
  }
  const names = Object.keys(shape.keys);
  const fits =
    cursor.index === shape.index &&
    Object.keys(cursor.key).length === names.length &&
    names.every((name) => {
      const value = cursor.key[name];
      const typed = shape.keys[name] === "S" ? typeof value === "string" && value.length > 0 : Number.isFinite(value);
      return typed && (shape.fixed?.[name] === undefined || shape.fixed[name] === value);
    });
  if (!fits) throw refused();
  return cursor.key;
}
