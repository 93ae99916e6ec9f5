import * as z from "zod";

export const TGE_DETECTED = "TgeDetected";

export const HEADLINE_MAX_LENGTH = 200;
export const SUMMARY_MAX_LENGTH = 500;

export const DetectedProject = z
  .object({
    slug: z.string().min(1),
    name: z.string().min(1),
    symbol: z.string().optional(),
  })
  .strict();
export type DetectedProject = z.infer<typeof DetectedProject>;

/** One TGE event as the swarm reports it (the `TgeDetected` detail), possibly seen in several items. */
export const TgeDetection = z.object({
  detectionId: z.string().min(1),
  /** Same key, same event. */
  eventKey: z.string().min(1),
  project: DetectedProject,
  headline: z.string().min(1).max(HEADLINE_MAX_LENGTH),
  summary: z.string().max(SUMMARY_MAX_LENGTH),
  url: z.url({ protocol: /^https?$/ }),
  source: z.string().min(1),
  publishedAt: z.iso.datetime(),
  detectedAt: z.iso.datetime(),
  score: z.number().min(0).max(1),
  signals: z.array(z.string()),
  itemIds: z.array(z.string().min(1)).min(1),
});
export type TgeDetection = z.infer<typeof TgeDetection>;
