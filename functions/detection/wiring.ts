import * as z from "zod";
import { DynamoDbDetectionStore } from "#detection/adapters/dynamodb-detection-store";
import { dynamoDocumentClient } from "#shared/adapters/aws-clients";
import { readEnv } from "#shared/env";
import { once } from "#shared/once";

/** Wiring shared by the detection handlers; each piece reads only the variables it needs, on first use. */
export const detectionStore = once(
  () =>
    new DynamoDbDetectionStore(
      dynamoDocumentClient(),
      readEnv(z.object({ DETECTIONS_TABLE: z.string().min(1) })).DETECTIONS_TABLE,
    ),
);
