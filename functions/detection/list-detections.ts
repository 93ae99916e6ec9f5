import * as z from "zod";
import { DynamoDbDetectionStore } from "#detection/adapters/dynamodb-detection-store";
import { DetectionListQuery } from "#detection/domain/detection";
import { dynamoDocumentClient } from "#shared/adapters/aws-clients";
import { readEnv } from "#shared/env";
import { HttpEvent, httpHandler, json } from "#shared/http";
import { callerFromClaims, READER_ROLES, requireRole } from "#shared/identity";

const env = readEnv(z.object({ DETECTIONS_TABLE: z.string().min(1) }));
const store = new DynamoDbDetectionStore(dynamoDocumentClient(), env.DETECTIONS_TABLE);

const ListDetectionsEvent = HttpEvent.extend({
  queryStringParameters: DetectionListQuery.nullish().transform((q) => q ?? DetectionListQuery.parse({})),
});

/** GET /api/detections?limit&cursor — TGE detections, newest first, each with the items that reported it. */
export const handler = httpHandler(ListDetectionsEvent, async (event) => {
  requireRole(callerFromClaims(event.requestContext.authorizer?.jwt?.claims), READER_ROLES);
  const { limit, cursor } = event.queryStringParameters;
  return json(200, await store.latest({ limit, ...(cursor ? { cursor } : {}) }), { "cache-control": "no-store" });
});
