import { decisionHandler } from "./decide-optimization";

/** POST /api/optimizations/{recommendationId}/reject (see `decisionHandler`). */
export const handler = decisionHandler("rejected");
