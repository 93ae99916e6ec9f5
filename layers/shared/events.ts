import * as z from "zod";

/** The EventBridge envelope, as a Lambda target receives it (only the fields we read). */
export const BusEvent = z.object({
  id: z.string().min(1),
  "detail-type": z.string().min(1),
  source: z.string().min(1),
  time: z.string(),
  detail: z.unknown(),
});
export type BusEvent = z.infer<typeof BusEvent>;
