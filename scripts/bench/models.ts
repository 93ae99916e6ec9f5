import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { DEFAULT_KEYWORD_CONFIG } from "#detection/published/settings";
import { type JobFinished, ScorerTrainingResult } from "#kernel/bus/job-events";
import { scorerTrainingArtifactKey } from "#jobs/published/artifacts";
import { eventually } from "../local/eventually";
import type { LocalOutputs } from "../local/outputs";
import { localToken } from "../local/users";
import { summarize } from "./stats";

/** Seed 002: model metadata queries under 100 ms. */
const TARGET_P95_MS = 100;

/**
 * Model metadata reads on the emulator (issue 12, seed 002): `GET /api/models/{name}/versions/{v}`
 * and `GET /api/models` through the HTTP API (JWT authorizer, the route's Lambda, its rate
 * limit, the DynamoDB read), one after another after a warm-up; beside them, in the same run,
 * the raw consistent DynamoDB GetItem of the same version item — what the API adds is the
 * difference. The version is registered as the jobs context would have it: an artifact put where
 * job artifacts are and a `JobFinished` on the bus.
 */
export async function modelsBenchmark(outputs: LocalOutputs, options: { reads: number; warmup: number }) {
  const s3 = new S3Client({});
  const bus = new EventBridgeClient({});
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const token = await localToken(outputs, "viewer");
  const name = `bench-scorer-${Date.now().toString(36)}`;

  const jobId = `bench-job-${Date.now()}`;
  const key = scorerTrainingArtifactKey(jobId);
  await s3.send(
    new PutObjectCommand({ Bucket: outputs.JobArtifactsBucketName, Key: key, Body: JSON.stringify(DEFAULT_KEYWORD_CONFIG) }),
  );
  const figures = { items: 40, precision: 0.9, recall: 0.9, f1: 0.9 };
  const now = new Date().toISOString();
  // Parsed as the registry will parse it, so a change to the contract fails here and not as a timeout.
  const job: JobFinished = {
    jobId,
    jobType: "scorer-training",
    status: "succeeded",
    result: {
      modelName: name,
      startedFrom: { settingsVersion: "bench", configVersion: DEFAULT_KEYWORD_CONFIG.version },
      artifact: { bucket: outputs.JobArtifactsBucketName, key },
      datasets: ["fixture:tge-news"],
      training: figures,
      heldOut: figures,
      baseline: figures,
      candidatesTried: 1,
    },
    createdBy: "bench",
    createdAt: now,
    finishedAt: now,
  };
  ScorerTrainingResult.parse(job.result);
  const registeredAt = performance.now();
  await bus.send(
    new PutEventsCommand({
      Entries: [
        { EventBusName: outputs.EventBusName, Source: "tge-swarm.jobs", DetailType: "JobFinished", Detail: JSON.stringify(job) },
      ],
    }),
  );

  const get = async (path: string) => {
    const started = performance.now();
    const response = await fetch(`${outputs.HttpApiUrl}${path}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(10_000),
    });
    await response.arrayBuffer();
    return { status: response.status, ms: performance.now() - started };
  };
  const versionPath = `/api/models/${name}/versions/v1`;
  await eventually(
    () => get(versionPath),
    (r) => r.status === 200,
    30_000,
    "the benchmark's model version to be registered",
    100,
  );
  const jobFinishedToReadableMs = Math.round(performance.now() - registeredAt);

  const measure = async (read: () => Promise<{ status: number; ms: number }>) => {
    for (let i = 0; i < options.warmup; i++) await read();
    const samples: number[] = [];
    for (let i = 0; i < options.reads; i++) {
      const { status, ms } = await read();
      if (status !== 200) throw new Error(`a read answered ${status}`);
      samples.push(ms);
    }
    return summarize(samples);
  };
  const apiGetVersion = await measure(() => get(versionPath));
  const apiListModels = await measure(() => get("/api/models"));
  const rawGetItem = await measure(async () => {
    const started = performance.now();
    const { Item } = await db.send(
      new GetCommand({
        TableName: outputs.ModelsTableName,
        Key: { pk: `MODEL#${name}`, sk: `V#${"1".padStart(10, "0")}` },
        ConsistentRead: true,
      }),
    );
    return { status: Item ? 200 : 404, ms: performance.now() - started };
  });
  return {
    reads: options.reads,
    warmup: options.warmup,
    targetP95Ms: TARGET_P95_MS,
    apiGetVersionMs: apiGetVersion,
    apiListModelsMs: apiListModels,
    rawGetItemMs: rawGetItem,
    apiOverRawP50Ms: Math.round((apiGetVersion.p50 - rawGetItem.p50) * 10) / 10,
    meetsTarget: apiGetVersion.p95 < TARGET_P95_MS && apiListModels.p95 < TARGET_P95_MS,
    jobFinishedToReadableMs,
  };
}
