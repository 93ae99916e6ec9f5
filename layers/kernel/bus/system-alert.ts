import * as z from "zod";

export const SYSTEM_ALERT = "SystemAlert";

/** A `SystemAlert` event detail: something an operator should look at. Every context may raise one. */
export const SystemAlert = z.object({
  severity: z.enum(["info", "warning", "critical"]),
  source: z.string(),
  title: z.string(),
  message: z.string(),
  resource: z.record(z.string(), z.string()).default({}),
  raisedAt: z.string(),
});
export type SystemAlert = z.infer<typeof SystemAlert>;
