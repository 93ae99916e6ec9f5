import * as z from "zod";

/** Deepest nesting of arrays and objects a JSON text may have; deeper is refused before it is parsed. */
export const MAX_JSON_DEPTH = 32;

/**
 * How deeply `raw` nests arrays and objects, counted on the text (brackets outside strings),
 * so a body like `[[[[…]]]]` a hundred thousand deep is refused without building it.
 */
export function jsonDepth(raw: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/**
 * A string holding JSON, decoded and then validated by `schema`. Text that is not JSON, or that
 * nests deeper than MAX_JSON_DEPTH, is an issue at this string's own path, so callers can name
 * the field.
 *
 * @example
 * const Body = jsonText(z.object({ name: z.string() }), "a JSON body is required");
 */
export const jsonText = <S extends z.ZodType>(schema: S, missing = "is required") =>
  z
    .string({ error: missing })
    .transform((raw, ctx) => {
      if (jsonDepth(raw) > MAX_JSON_DEPTH) {
        ctx.addIssue({ code: "custom", message: `nests deeper than ${MAX_JSON_DEPTH} levels` });
        return z.NEVER;
      }
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "is not valid JSON" });
        return z.NEVER;
      }
    })
    .pipe(schema);
