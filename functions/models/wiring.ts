import * as z from "zod";
import { DynamoDbModelStore } from "#models/adapters/dynamodb-model-store";
import { S3ModelArtifacts } from "#models/adapters/s3-model-artifacts";
import { currentKeywordsDocument } from "#models/adapters/settings-current-document";
import { SettingsEnv } from "#optimization/published/settings-reader";
import { dynamoDocumentClient, eventBridgeClient, s3Client } from "#shared/adapters/aws-clients";
import { EventBridgePublisher } from "#shared/adapters/eventbridge-publisher";
import { systemClock } from "#shared/clock";
import { readEnv } from "#shared/env";
import { once } from "#shared/once";

/**
 * Wiring shared by the models handlers. Each piece reads only the variables it needs, on first
 * use, so a function is configured with exactly what it uses and fails at once if one is bad.
 */
const s3 = once(() => s3Client());

export const clock = systemClock;
export const store = once(
  () => new DynamoDbModelStore(dynamoDocumentClient(), readEnv(z.object({ MODELS_TABLE: z.string().min(1) })).MODELS_TABLE),
);
export const artifacts = once(
  () => new S3ModelArtifacts(s3(), readEnv(z.object({ MODELS_BUCKET: z.string().min(1) })).MODELS_BUCKET),
);
export const document = once(() => currentKeywordsDocument(s3(), readEnv(SettingsEnv)));
export const publisher = once(
  () => new EventBridgePublisher(eventBridgeClient(), readEnv(z.object({ EVENT_BUS_NAME: z.string().min(1) })).EVENT_BUS_NAME),
);
