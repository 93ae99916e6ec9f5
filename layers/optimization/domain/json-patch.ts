import type { Operation } from "fast-json-patch";
// The default export: fast-json-patch's CommonJS entry (what Node loads) has no named ESM exports.
import jsonpatch from "fast-json-patch";
import * as z from "zod";
import { JsonValue } from "#kernel/json";

/** A JSON Pointer (RFC 6901): `""` (the whole document) or `/a/b/0`, with `~0` and `~1` escapes. */
const Pointer = z.string().regex(/^(\/([^/~]|~[01])*)*$/, "must be a JSON Pointer such as /threshold or /positive/0/weight");

/** One RFC 6902 operation; unknown members are refused, so a typo is a 400, not a silent no-op. */
export const PatchOperation = z.discriminatedUnion("op", [
  z.object({ op: z.literal("add"), path: Pointer, value: JsonValue }).strict(),
  z.object({ op: z.literal("remove"), path: Pointer }).strict(),
  z.object({ op: z.literal("replace"), path: Pointer, value: JsonValue }).strict(),
  z.object({ op: z.literal("move"), from: Pointer, path: Pointer }).strict(),
  z.object({ op: z.literal("copy"), from: Pointer, path: Pointer }).strict(),
  z.object({ op: z.literal("test"), path: Pointer, value: JsonValue }).strict(),
]);
export type PatchOperation = z.infer<typeof PatchOperation>;

/** A JSON Patch (RFC 6902): the change a recommendation makes to one settings document. */
export const JsonPatch = z.array(PatchOperation).min(1).max(100);
export type JsonPatch = z.infer<typeof JsonPatch>;

/** The result of applying a patch: the new document, or the first operation that does not apply and why. */
export type PatchResult =
  | { readonly applies: true; readonly document: unknown }
  | { readonly applies: false; readonly opIndex: number; readonly op: PatchOperation; readonly message: string };

const WHY: Readonly<Record<string, string>> = {
  TEST_OPERATION_FAILED: "the test does not hold: the document has another value there",
  OPERATION_PATH_UNRESOLVABLE: "the path does not exist in the document",
  OPERATION_FROM_UNRESOLVABLE: "the `from` path does not exist in the document",
  OPERATION_PATH_CANNOT_ADD: "the path's parent does not exist, so nothing can be added there",
  OPERATION_PATH_ILLEGAL_ARRAY_INDEX: "the path names an array index that is not a number",
  OPERATION_VALUE_OUT_OF_BOUNDS: "the array index is beyond the end of the array",
  OPERATION_VALUE_CANNOT_CONTAIN_UNDEFINED: "the value is not JSON",
};

/**
 * Applies `patch` to a copy of `document` with fast-json-patch, checking every operation
 * against the document as it goes (a `test` that fails stops the patch). The original is never
 * changed. When an operation does not apply, says which (its index in the patch) and why.
 *
 * @example
 * applyJsonPatch({ threshold: 0.5 }, [{ op: "replace", path: "/threshold", value: 0.6 }]) // → { applies: true, document: { threshold: 0.6 } }
 */
export function applyJsonPatch(document: unknown, patch: readonly PatchOperation[]): PatchResult {
  let current: unknown = jsonpatch.deepClone(document);
  // One operation at a time, so whichever way one fails, we know which it was.
  for (const [opIndex, op] of patch.entries()) {
    try {
      current = jsonpatch.applyOperation(current, op as Operation, true, true, true, opIndex).newDocument;
    } catch (error) {
      if (error instanceof jsonpatch.JsonPatchError) {
        return { applies: false, opIndex, op, message: WHY[error.name] ?? error.message.split("\n")[0] ?? error.name };
      }
      // fast-json-patch refuses prototype pollution with a plain TypeError.
      if (error instanceof TypeError && /__proto__|prototype/.test(error.message)) {
        return { applies: false, opIndex, op, message: "the path reaches __proto__ or a constructor's prototype" };
      }
      throw error;
    }
  }
  return { applies: true, document: current };
}

/** One line of a change as people read it: `replace /threshold: 0.5 → 0.6`. */
export const DiffLine = z.object({
  op: z.enum(["add", "remove", "replace", "move", "copy", "test"]),
  path: z.string(),
  /** The value before, where there was one (JSON text, shortened). */
  before: z.string().optional(),
  /** The value after, where there is one (JSON text, shortened). */
  after: z.string().optional(),
});
export type DiffLine = z.infer<typeof DiffLine>;

const brief = (value: unknown) => {
  const text = JSON.stringify(value) ?? "undefined";
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
};

function valueAt(document: unknown, pointer: string): unknown {
  if (pointer === "") return document;
  let here: unknown = document;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (here === null || typeof here !== "object" || !Object.hasOwn(here, key)) return undefined;
    here = (here as Record<string, unknown>)[key];
  }
  return here;
}

/**
 * The diff a patch makes, one line per operation that changes something (`test` lines are
 * checks, not changes): each with the value before (in `base`) and after (in `patched`).
 */
export function diffOf(base: unknown, patched: unknown, patch: readonly PatchOperation[]): DiffLine[] {
  return patch
    .filter((op) => op.op !== "test")
    .map((op) => {
      const before = op.op === "add" || op.op === "copy" ? undefined : valueAt(base, op.op === "move" ? op.from : op.path);
      const after = op.op === "remove" ? undefined : valueAt(patched, op.path);
      return {
        op: op.op,
        path: op.op === "move" || op.op === "copy" ? `${op.from} → ${op.path}` : op.path,
        ...(before === undefined ? {} : { before: brief(before) }),
        ...(after === undefined ? {} : { after: brief(after) }),
      };
    });
}

/** `replace /threshold: 0.5 → 0.6`, as the approval notice and the page show it. */
export const diffLineText = (line: DiffLine): string =>
  `${line.op} ${line.path}${line.before !== undefined || line.after !== undefined ? `: ${line.before ?? "∅"} → ${line.after ?? "∅"}` : ""}`;
