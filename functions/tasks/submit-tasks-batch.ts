import { HttpEvent, httpHandler, json, jsonBody } from "#shared/http";
import { ACTOR_ROLES, callerFromClaims, requireRole } from "#shared/identity";
import { metrics } from "#shared/powertools";
import { SubmitBatchEnvelope, submitBatch } from "#tasks/domain/submit-batch";
import { submitDeps } from "./wiring";

const SubmitBatchEvent = HttpEvent.extend({ body: jsonBody(SubmitBatchEnvelope) });

/**
 * POST /api/tasks/batch — up to 100 tasks; answers 200 with a result per item, in order, each
 * with the status that item alone would have got.
 */
export const handler = httpHandler(
  SubmitBatchEvent,
  async (event) => {
    const caller = callerFromClaims(event.requestContext.authorizer?.jwt?.claims);
    requireRole(caller, ACTOR_ROLES);
    const response = await submitBatch(event.body.tasks, caller, submitDeps());
    metrics.addMetric("TasksSubmitted", "Count", response.summary.created);
    return json(200, response);
  },
  // Lambda takes 6 MB of request at most; refuse more ourselves, with a clear 413.
  { maxBodyBytes: 6_000_000 },
);
