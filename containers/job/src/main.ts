import { DynamoDbJobStore } from "#jobs/adapters/dynamodb-job-store";
import { JobDatasets } from "#jobs/adapters/dataset-source";
import { S3Artifacts } from "#jobs/adapters/s3-artifacts";
import { runJob } from "#jobs/domain/run-job";
import { JobContainerEnvironment, JobTaskEnvironment } from "#jobs/published/job-environment";
import { LabelledDataset } from "#detection/published/datasets";
import { DEFAULT_KEYWORD_CONFIG } from "#detection/published/scorer";
import { FilesEnv, validFileReader } from "#files/published/file-access";
import { dynamoDocumentClient, s3Client } from "#shared/adapters/aws-clients";
import { systemClock } from "#shared/clock";

/**
 * The job task's process: runs the one job named by `JOB_ID` to its end and exits. ECS (or,
 * locally, the job runner) stops the task when it exits; SIGTERM (a cancel, a timeout) ends it
 * at once, since the job has already been ended by whoever stopped the task.
 */
async function main(): Promise<number> {
  const env = JobContainerEnvironment.read();
  const { JOB_ID } = JobTaskEnvironment.read();
  const store = new DynamoDbJobStore(dynamoDocumentClient(), env.JOBS_TABLE);
  const uploads = validFileReader(dynamoDocumentClient(), s3Client(), FilesEnv.read());
  const outcome = await runJob(JOB_ID, {
    store,
    clock: systemClock,
    heartbeatSeconds: env.JOB_HEARTBEAT_SECONDS,
    scorerTraining: {
      // Uploaded datasets: only files validation judged valid, the bytes it judged (ADR 0019).
      datasets: new JobDatasets(async (fileId) => LabelledDataset.parse(await uploads.readDataset(fileId))),
      artifacts: new S3Artifacts(s3Client(), env.ARTIFACTS_BUCKET),
      startConfig: DEFAULT_KEYWORD_CONFIG,
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
