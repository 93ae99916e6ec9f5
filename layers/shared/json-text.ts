import * as z from "zod";

/**
 * A string holding JSON, decoded and then validated by `schema`. Text that is not JSON is an
 * issue at this string's own path ("is not valid JSON"), so callers can name the field.
 *
 * @example
 * const Body = jsonText(z.object({ name: z.string() }), "a JSON body is required");
 */
export const jsonText = <S extends z.ZodType>(schema: S, missing = "is required") =>
  z
    .string({ error: missing })
    .transform((raw, ctx) => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "is not valid JSON" });
        return z.NEVER;
      }
    })
    .pipe(schema);
