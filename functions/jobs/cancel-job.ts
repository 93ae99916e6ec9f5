import { jobView } from "#jobs/domain/job";
import { cancelJob } from "#jobs/domain/lifecycle";
import { JOB_ROUTES } from "#jobs/published/routes";
import { httpRoute, json } from "#shared/http";
import { clock, logsOf, store, tasks } from "./wiring";

/** POST /api/jobs/{jobId}/cancel — the job ends `cancelled` (its slot freed in the same write), then its task is stopped. */
export const handler = httpRoute(JOB_ROUTES.cancelJob, async ({ params, body, caller }) =>
  json(200, jobView(await cancelJob(params.jobId, caller, body.reason, { store: store(), tasks: tasks(), clock }), logsOf())),
);
