import { fill, formatTime, h } from "../dom";
import type { DashboardState, JobRow } from "../state";

const eta = (seconds: number | undefined) =>
  seconds === undefined ? "" : seconds < 60 ? `, about ${seconds}s left` : `, about ${Math.round(seconds / 60)} min left`;

function runningJob(job: JobRow) {
  return h(
    "li",
    { "data-job-id": job.jobId, "data-status": job.status },
    h("strong", {}, job.jobType),
    " ",
    h("progress", { max: "100", value: String(job.percent), "aria-label": `${job.jobType} ${job.percent}%` }),
    h("span", { class: "percent" }, ` ${job.percent}%`),
    h("p", {}, job.step, job.message ? ` — ${job.message}` : "", eta(job.etaSeconds)),
    h("small", {}, `updated ${formatTime(job.updatedAt)}`),
  );
}

function finishedJob(job: JobRow) {
  return h(
    "li",
    { "data-job-id": job.jobId, "data-status": job.status },
    h("span", { class: `badge job-${job.status}` }, job.status),
    h("strong", {}, job.jobType),
    job.heldOutF1 !== undefined
      ? h(
          "p",
          { class: "figures" },
          `held-out F1 ${job.heldOutF1.toFixed(3)}`,
          job.baselineF1 !== undefined ? ` (was ${job.baselineF1.toFixed(3)})` : "",
        )
      : null,
    job.summary ? h("p", { class: "figures" }, job.summary) : null,
    job.reason ? h("p", { class: "detail" }, job.reason) : null,
    h("small", {}, `finished ${formatTime(job.updatedAt)}`),
  );
}

/** Running jobs with a progress bar each (from `job_progress`), and recent results (from `job_result`). */
export function renderJobs(container: Element, state: DashboardState): void {
  const jobs = Object.values(state.jobs);
  if (jobs.length === 0) {
    fill(container, h("p", { class: "empty" }, "No jobs yet."));
    return;
  }
  const running = jobs.filter((job) => job.status === "running");
  const finished = jobs.filter((job) => job.status !== "running");
  fill(
    container,
    h("h3", {}, `Running (${running.length})`),
    running.length > 0
      ? h("ul", { class: "feed jobs-running" }, running.map(runningJob))
      : h("p", { class: "empty" }, "None running."),
    h("h3", {}, "Recent results"),
    finished.length > 0
      ? h("ul", { class: "feed jobs-finished" }, finished.map(finishedJob))
      : h("p", { class: "empty" }, "None yet."),
  );
}
