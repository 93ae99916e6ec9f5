import { ACTOR_ROLES, READER_ROLES } from "#shared/identity";
import type { RouteTable } from "#shared/routes";
import { CancelJobRequest, JobIdParams, JobListQuery, JobPage, JobView, SubmitJobRequest } from "../domain/job";
import { JobStatistics } from "../domain/statistics";

/** The jobs API: long-running jobs (each an ECS task of its own), their progress, results and figures. */
export const JOB_ROUTES = {
  submitJob: {
    method: "POST",
    path: "/api/jobs",
    entry: "jobs/submit-job",
    roles: ACTOR_ROLES,
    summary: "Start a long-running job: a type and its parameters",
    description:
      "The parameters are checked against the type's schema (an unknown type answers 400 listing the known ones). The job is stored `queued` and starts as its own ECS task once fewer than `maxConcurrentJobs` jobs run; queued jobs start in the order they came. Its progress is on the `jobs` WebSocket topic (`job_progress`, then one `job_result`).",
    body: SubmitJobRequest,
    responses: {
      202: { description: "Accepted: the job is queued", schema: JobView, headers: { location: "/api/jobs/{jobId}" } },
    },
    errors: [400],
  },
  listJobs: {
    method: "GET",
    path: "/api/jobs",
    entry: "jobs/list-jobs",
    roles: READER_ROLES,
    summary: "Jobs, newest first, by type and status",
    query: JobListQuery,
    pagedBy: "nextCursor",
    responses: { 200: { description: "A page of jobs", schema: JobPage } },
    errors: [400],
  },
  getJobStatistics: {
    method: "GET",
    path: "/api/jobs/statistics",
    entry: "jobs/get-job-statistics",
    roles: READER_ROLES,
    summary: "Counts by type and status, durations and success rates of the newest jobs, and the slots in use",
    responses: { 200: { description: "The job statistics", schema: JobStatistics } },
    errors: [],
  },
  getJob: {
    method: "GET",
    path: "/api/jobs/{jobId}",
    entry: "jobs/get-job",
    roles: READER_ROLES,
    summary: "A job: its status, last progress, result or reason, and where its task's logs are",
    params: JobIdParams,
    responses: { 200: { description: "The job", schema: JobView } },
    errors: [400, 404],
  },
  cancelJob: {
    method: "POST",
    path: "/api/jobs/{jobId}/cancel",
    entry: "jobs/cancel-job",
    roles: ACTOR_ROLES,
    summary: "Cancel a queued or running job",
    description:
      "A queued job never starts; a running one frees its slot and its task is stopped. The job ends `cancelled` with who cancelled it as the reason. A job that already ended answers 409.",
    params: JobIdParams,
    body: CancelJobRequest,
    optionalBody: true,
    responses: { 200: { description: "The cancelled job", schema: JobView } },
    errors: [400, 404, 409],
  },
} as const satisfies RouteTable;
