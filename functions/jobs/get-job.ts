import { jobView } from "#jobs/domain/job";
import { getJob } from "#jobs/domain/lifecycle";
import { JOB_ROUTES } from "#jobs/published/routes";
import { httpRoute, json } from "#shared/http";
import { logsOf, store } from "./wiring";

/** GET /api/jobs/{jobId} — status, last progress, result or reason, and the logs' location. */
export const handler = httpRoute(JOB_ROUTES.getJob, async ({ params }) =>
  json(200, jobView(await getJob(store(), params.jobId), logsOf(), process.env.AWS_REGION)),
);
