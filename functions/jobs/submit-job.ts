import { jobView } from "#jobs/domain/job";
import { submitJob } from "#jobs/domain/lifecycle";
import { JOB_ROUTES } from "#jobs/published/routes";
import { httpRoute, json } from "#shared/http";
import { metrics } from "#shared/powertools";
import { clock, logsOf, store } from "./wiring";

/** POST /api/jobs — 202 with the queued job; the stream wakes the dispatcher, which starts it when a slot is free. */
export const handler = httpRoute(JOB_ROUTES.submitJob, async ({ body, caller }) => {
  const job = await submitJob(body, caller, { store: store(), clock });
  metrics.addMetric("JobsSubmitted", "Count", 1);
  return json(202, jobView(job, logsOf()), { location: `/api/jobs/${job.jobId}` });
});
