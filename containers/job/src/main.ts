import { DynamoDbJobStore } from "#jobs/adapters/dynamodb-job-store";
import { JobDatasets } from "#jobs/adapters/dataset-source";
import { DynamoDbTableScanner } from "#jobs/adapters/dynamodb-table-scanner";
import { S3Artifacts } from "#jobs/adapters/s3-artifacts";
import { runJob } from "#jobs/domain/run-job";
import { dataExportRunner } from "#jobs/domain/run-data-export";
import { fileValidationRunner } from "#jobs/domain/run-file-validation";
import { metricsAnalysisRunner } from "#jobs/domain/run-metrics-analysis";
import { scorerTrainingRunner } from "#jobs/domain/run-scorer-training";
import { DataExportEnvironment, JobContainerEnvironment, JobTaskEnvironment } from "#jobs/published/job-environment";
import { LabelledDataset } from "#detection/published/datasets";
import { DETECTION_DOCUMENTS, KeywordConfig } from "#detection/published/settings";
import { s3SettingsReader, SettingsEnvironment } from "#optimization/published/settings-reader";
import { FilesEnv, validFileReader } from "#files/published/file-access";
import { fileValidation, ValidationEnv } from "#files/published/file-validation";
import { TaskStatsTableEnvironment } from "#tasks/published/tables-environment";
import { taskFigures } from "#tasks/published/task-figures";
import { dynamoClient, dynamoDocumentClient, s3Client } from "#shared/adapters/aws-clients";
import { systemClock } from "#shared/clock";

/**
 * The job task's process: runs the one job named by `JOB_ID` to its end and exits. ECS (or,
 * locally, the job runner) stops the task when it exits; SIGTERM (a cancel, a timeout) ends it
 * at once, since the job has already been ended by whoever stopped the task.
 */
async function main(): Promise<number> {
  const env = JobContainerEnvironment.read();
  const { JOB_ID } = JobTaskEnvironment.read();
  const db = dynamoDocumentClient();
  // Reading a 50 MB upload, or writing an export part, takes longer than the SDK's default request deadline.
  const s3 = s3Client({ requestTimeoutMs: 30_000 });
  const artifacts = new S3Artifacts(s3, env.ARTIFACTS_BUCKET);
  const files = FilesEnv.read();
  const uploads = validFileReader(db, s3, files);
  // Read once, when the search starts: the version agents run on then, never a cached one.
  const keywords = s3SettingsReader({
    s3,
    env: { ...SettingsEnvironment.read(), SETTINGS_MAX_AGE_SECONDS: 0 },
    document: DETECTION_DOCUMENTS.keywords,
    schema: KeywordConfig,
    onProblem: (message, details) => console.error(JSON.stringify({ level: "ERROR", message, jobId: JOB_ID, ...details })),
  });
  const outcome = await runJob(JOB_ID, {
    store: new DynamoDbJobStore(db, env.JOBS_TABLE),
    clock: systemClock,
    heartbeatSeconds: env.JOB_HEARTBEAT_SECONDS,
    runners: {
      "scorer-training": scorerTrainingRunner({
        // Uploaded datasets: only files validation judged valid, the bytes it judged (ADR 0019).
        datasets: new JobDatasets(async (fileId) => LabelledDataset.parse(await uploads.readDataset(fileId))),
        artifacts,
        startConfig: async () => {
          const current = await keywords.current();
          return { value: current.value, settingsVersion: current.version };
        },
      }),
      "metrics-analysis": metricsAnalysisRunner(taskFigures(db, TaskStatsTableEnvironment.read().TASK_STATS_TABLE)),
      "data-export": dataExportRunner({
        tables: DataExportEnvironment.read().EXPORT_TABLES,
        // A page of a scan is up to 1 MB.
        scanner: new DynamoDbTableScanner(dynamoClient({ requestTimeoutMs: 30_000 })),
        artifacts,
      }),
      "file-validation": fileValidationRunner(fileValidation(db, s3, { ...files, ...ValidationEnv.read() })),
    },
    log: (line, fields) => console.log(JSON.stringify({ level: "INFO", message: line, jobId: JOB_ID, ...fields })),
  });
  return outcome === "failed" ? 1 : 0;
}

process.once("SIGTERM", () => {
  console.log(JSON.stringify({ level: "INFO", message: "SIGTERM: the task is being stopped; exiting" }));
  process.exit(143);
});

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(JSON.stringify({ level: "ERROR", message: "the job process failed", error: String(error) }));
    process.exit(1);
  },
);
