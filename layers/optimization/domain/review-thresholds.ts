import * as z from "zod";

/** The settings document the reviewers' thresholds live in. */
export const REVIEW_THRESHOLDS_DOCUMENT = "review-thresholds";

/**
 * The `review-thresholds` document: when api-reliability and performance-optimizer propose a
 * change. Read by the reviewer agents at every review.
 */
export const ReviewThresholds = z
  .object({
    /** Below this many finished tasks a failure rate says little: no reliability advice. */
    minFinishedForAdvice: z.number().int().min(1).max(100_000),
    /** A type failing more often than this needs gentler retries. */
    failureRate: z.number().min(0).max(1),
    /** Timeouts above this share of finished tasks suggest the timeout is too tight. */
    timeoutShare: z.number().min(0).max(1),
    /** Mean CPU above this: fewer tasks per agent. */
    hotCpuPercent: z.number().min(1).max(100),
    /** Mean memory above this: fewer tasks per agent. */
    hotMemoryPercent: z.number().min(1).max(100),
    /** Mean CPU below this while work waits: more tasks per agent. */
    coolCpuPercent: z.number().min(0).max(100),
  })
  .strict()
  .refine((t) => t.coolCpuPercent < t.hotCpuPercent, { message: "must be below hotCpuPercent", path: ["coolCpuPercent"] });
export type ReviewThresholds = z.infer<typeof ReviewThresholds>;

/** The thresholds a stage starts with. */
export const DEFAULT_REVIEW_THRESHOLDS: ReviewThresholds = {
  minFinishedForAdvice: 20,
  failureRate: 0.1,
  timeoutShare: 0.05,
  hotCpuPercent: 80,
  hotMemoryPercent: 85,
  coolCpuPercent: 30,
};
