import * as z from "zod";

export const COORDINATION_EVENT = "CoordinationEvent";

/**
 * What a coordination event says happened: a lease granted, given up, lapsed or taken away by an
 * admin; two claims that overlapped and which one proceeds; an insight that changed what the
 * shared memory says about a key.
 */
export const COORDINATION_EVENT_KINDS = ["acquired", "released", "expired", "stolen", "conflict", "insight"] as const;
export const CoordinationEventKind = z.enum(COORDINATION_EVENT_KINDS);
export type CoordinationEventKind = z.infer<typeof CoordinationEventKind>;

/** One side of a conflict, with what the resolution policy ranks it by. */
export const ConflictingClaim = z.object({
  claimId: z.string(),
  claimant: z.string(),
  /** Higher goes first. */
  priority: z.number().int(),
  createdAt: z.iso.datetime(),
  confidence: z.number().min(0).max(1),
});
export type ConflictingClaim = z.infer<typeof ConflictingClaim>;

/**
 * The `CoordinationEvent` detail (the dashboard's `coordination_event` on topic `coordination`),
 * one per change, with the part that concerns its kind.
 */
export const CoordinationEvent = z.object({
  /** Stable for one change: a redelivered change has the same id. */
  eventId: z.string().min(1),
  kind: CoordinationEventKind,
  at: z.iso.datetime(),
  resource: z.string().optional(),
  lease: z
    .object({ leaseId: z.string(), token: z.number().int(), mode: z.enum(["shared", "exclusive"]), holder: z.string() })
    .optional(),
  /** Who forced a release (`stolen`), and why. */
  by: z.string().optional(),
  reason: z.string().optional(),
  conflict: z
    .object({
      resources: z.array(z.string()),
      claims: z.array(ConflictingClaim).min(2),
      winner: z.string(),
      /** What decided it: an earlier claim already started, priority, age, confidence, or the claim id as the last tie-break. */
      decidedBy: z.enum(["committed", "priority", "age", "confidence", "claimId"]),
    })
    .optional(),
  insight: z
    .object({
      topic: z.string(),
      key: z.string(),
      contributor: z.string(),
      confidence: z.number().min(0).max(1),
      contradicted: z.boolean(),
    })
    .optional(),
});
export type CoordinationEvent = z.infer<typeof CoordinationEvent>;
