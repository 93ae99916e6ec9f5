import { jobStatistics } from "#jobs/domain/statistics";
import { JOB_ROUTES } from "#jobs/published/routes";
import { httpRoute, json } from "#shared/http";
import { maxConcurrentJobs, store } from "./wiring";

/** The newest jobs the statistics cover: enough for a dashboard, bounded so the answer stays fast. */
const SAMPLE = 1_000;

/** GET /api/jobs/statistics */
export const handler = httpRoute(JOB_ROUTES.getJobStatistics, async () => {
  const [jobs, slots] = await Promise.all([store().recent(SAMPLE), store().slotsInUse()]);
  return json(200, jobStatistics(jobs, slots, maxConcurrentJobs()));
});
