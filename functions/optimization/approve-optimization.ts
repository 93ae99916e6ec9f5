import { decisionHandler } from "./decide-optimization";

/** POST /api/optimizations/{recommendationId}/approve (see `decisionHandler`). */
export const handler = decisionHandler("approved");
