import { DynamoDbDetectionStore } from "#detection/adapters/dynamodb-detection-store";
import { DetectionsTableEnvironment } from "#detection/adapters/function-environments";
import { dynamoDocumentClient } from "#shared/adapters/aws-clients";
import { once } from "#shared/once";

/** Wiring shared by the detection handlers; each piece reads only the variables it needs, on first use. */
export const detectionStore = once(
  () => new DynamoDbDetectionStore(dynamoDocumentClient(), DetectionsTableEnvironment.read().DETECTIONS_TABLE),
);
