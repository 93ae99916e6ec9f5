import { DynamoDbModelStore } from "#models/adapters/dynamodb-model-store";
import { S3ModelArtifacts } from "#models/adapters/s3-model-artifacts";
import { currentKeywordsDocument } from "#models/adapters/settings-current-document";
import { ModelsBucketEnvironment, ModelsTableEnvironment } from "#models/adapters/function-environments";
import { SettingsEnvironment } from "#optimization/published/settings-reader";
import { dynamoDocumentClient, eventBridgeClient, s3Client } from "#shared/adapters/aws-clients";
import { EventBridgePublisher, EventBusEnvironment } from "#shared/adapters/eventbridge-publisher";
import { systemClock } from "#shared/clock";
import { once } from "#shared/once";

/**
 * Wiring shared by the models handlers. Each piece reads only the variables it needs, on first
 * use, so a function is configured with exactly what it uses and fails at once if one is bad.
 */
const s3 = once(() => s3Client());

export const clock = systemClock;
export const store = once(() => new DynamoDbModelStore(dynamoDocumentClient(), ModelsTableEnvironment.read().MODELS_TABLE));
export const artifacts = once(() => new S3ModelArtifacts(s3(), ModelsBucketEnvironment.read().MODELS_BUCKET));
export const document = once(() => currentKeywordsDocument(s3(), SettingsEnvironment.read()));
export const publisher = once(() => new EventBridgePublisher(eventBridgeClient(), EventBusEnvironment.read().EVENT_BUS_NAME));
