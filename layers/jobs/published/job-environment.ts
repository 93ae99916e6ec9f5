import * as z from "zod";
import { envContract, envVar } from "#shared/env-contract";
import { ExportTable } from "../domain/data-export";

/** The job task definition's one container. */
export const JOB_CONTAINER = "job";

/**
 * What the job container reads, declared once: the task definition sets it (the CDK), the job
 * process reads it. `JOB_ID` and `JOB_TYPE` come per task, as RunTask's container overrides.
 */
export const JobContainerEnvironment = envContract({
  JOBS_TABLE: envVar.name(),
  ARTIFACTS_BUCKET: envVar.name(),
  JOB_HEARTBEAT_SECONDS: envVar.int({ min: 1, max: 300 }),
});

export const JobTaskEnvironment = envContract({ JOB_ID: envVar.name() });

/** What the functions that start, stop and check job tasks read. */
export const JobTasksEnvironment = envContract({
  JOB_CLUSTER: envVar.name(),
  JOB_TASK_DEFINITION: envVar.name(),
  JOB_SUBNETS: envVar.list(),
  JOB_SECURITY_GROUPS: envVar.list(),
});

/** What the functions that start jobs (or report on the slots) read. */
export const JobSlotsEnvironment = envContract({ MAX_CONCURRENT_JOBS: envVar.int({ min: 1, max: 100 }) });

/** What the dead-job check reads besides the tasks' environment. */
export const JobSweepEnvironment = envContract({
  JOB_HEARTBEAT_SECONDS: envVar.int({ min: 1, max: 300 }),
  JOB_TIMEOUT_SECONDS: envVar.int({ min: 1 }),
});

/** The jobs table, for the jobs functions (the container reads it through `JobContainerEnvironment`). */
export const JobsTableEnvironment = envContract({ JOBS_TABLE: envVar.name() });

/** Where job tasks log, for the logs link `GET /api/jobs/{id}` answers with. */
export const JobLogGroupEnvironment = envContract({ JOB_LOG_GROUP: envVar.name() });

/** The physical name of every table `data-export` may export, by its export name (the job container reads it). */
export const DataExportEnvironment = envContract({ EXPORT_TABLES: envVar.json(z.record(ExportTable, z.string().min(1))) });
