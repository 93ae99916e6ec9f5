import { ACTOR_ROLES, type Role } from "#shared/identity";

/** How a person settles a recommendation waiting for approval. */
export const DECISIONS = ["approve", "reject"] as const;
export type Decision = (typeof DECISIONS)[number];

/**
 * Who may approve or reject a recommendation. The route table checks it; the dashboard reads it to
 * decide whether to show the buttons (kept apart from the route table, which the page cannot bundle).
 */
export const DECIDER_ROLES: readonly Role[] = ACTOR_ROLES;

/** The route template of a decision, e.g. `/api/optimizations/{recommendationId}/approve`. */
export const decisionRoute = (decision: Decision) => `/api/optimizations/{recommendationId}/${decision}` as const;

/** The path to POST a decision on one recommendation. */
export const decisionPath = (decision: Decision, recommendationId: string): string =>
  decisionRoute(decision).replace("{recommendationId}", encodeURIComponent(recommendationId));
