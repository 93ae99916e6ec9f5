import { applyJsonPatch, type PatchOperation, type PatchResult } from "./json-patch";
import { SETTINGS_DOCUMENTS, type SettingsName } from "./settings-catalog";

/** How a settings document is stored: pretty JSON with a final newline, so versions diff well. */
export const documentBytes = (document: unknown): Uint8Array => Buffer.from(`${JSON.stringify(document, null, 2)}\n`, "utf8");

/** A stored version's JSON, or why it is not JSON. */
export function parseDocument(
  body: Uint8Array,
): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string } {
  try {
    return { ok: true, value: JSON.parse(Buffer.from(body).toString("utf8")) };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

/** Problems the document's schema finds, as `/path: message` lines; empty when it is valid. */
export function schemaProblems(name: SettingsName, document: unknown): string[] {
  const result = SETTINGS_DOCUMENTS[name].schema.safeParse(document);
  return result.success
    ? []
    : result.error.issues.map((issue) =>
        `/${issue.path.map(String).join("/")}: ${issue.message}`.replace(/^\/: /, "/ (the document): "),
      );
}

/** What a patch does to a document: the patched document and any schema problems, or the operation that does not apply. */
export type ChangeResult =
  | { readonly applies: true; readonly before: unknown; readonly after: unknown; readonly problems: readonly string[] }
  | Extract<PatchResult, { applies: false }>;

/**
 * Applies a recommendation's patch to the document version it was computed from, then checks the
 * result against the document's schema.
 *
 * @example
 * const change = changeOf("detection-keywords", base, [{ op: "replace", path: "/threshold", value: 0.6 }]);
 */
export function changeOf(name: SettingsName, before: unknown, patch: readonly PatchOperation[]): ChangeResult {
  const patched = applyJsonPatch(before, patch);
  if (!patched.applies) return patched;
  return { applies: true, before, after: patched.document, problems: schemaProblems(name, patched.document) };
}
