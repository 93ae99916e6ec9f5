import { httpRoute, json } from "#shared/http";
import { metrics } from "#shared/powertools";
import { submitBatch } from "#tasks/domain/submit-batch";
import { TASK_ROUTES } from "#tasks/published/routes";
import { queueAdmission, submitDeps, taskStore } from "./wiring";

/**
 * POST /api/tasks/batch — up to 100 tasks; answers 200 with a result per item, in order, each
 * with the status that item alone would have got.
 */
export const handler = httpRoute(
  TASK_ROUTES.submitTasksBatch,
  async ({ body, caller }) => {
    const response = await submitBatch(body.tasks, caller, {
      ...submitDeps(),
      writer: taskStore(),
      reader: taskStore(),
      batchAdmission: () => queueAdmission().forBatch(),
    });
    metrics.addMetric("TasksSubmitted", "Count", response.summary.created);
    return json(200, response);
  },
  // Lambda takes 6 MB of request at most; refuse more ourselves, with a clear 413.
  { maxBodyBytes: 6_000_000 },
);
