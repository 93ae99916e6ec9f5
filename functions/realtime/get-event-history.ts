import * as z from "zod";
import { dynamoDocumentClient } from "#shared/adapters/aws-clients";
import { readEnv } from "#shared/env";
import { HttpEvent, httpHandler, json } from "#shared/http";
import { callerFromClaims, READER_ROLES, requireRole } from "#shared/identity";
import { DynamoDbEventHistory } from "#realtime/adapters/dynamodb-event-history";
import { EventHistoryQuery, eventHistory } from "#realtime/domain/management";

const env = readEnv(z.object({ EVENTS_TABLE: z.string().min(1), EVENT_RETENTION_SECONDS: z.coerce.number().int().positive() }));
const history = new DynamoDbEventHistory(dynamoDocumentClient(), env.EVENTS_TABLE, env.EVENT_RETENTION_SECONDS);

const EventHistoryEvent = HttpEvent.extend({
  queryStringParameters: EventHistoryQuery.nullish().transform((q) => q ?? EventHistoryQuery.parse({})),
});

/** GET /api/websocket/event-history?room|topic&limit — the newest events of a room or topic, oldest first (any role). */
export const handler = httpHandler(EventHistoryEvent, async (event) => {
  requireRole(callerFromClaims(event.requestContext.authorizer?.jwt?.claims), READER_ROLES);
  return json(200, await eventHistory(event.queryStringParameters, history), { "cache-control": "no-store" });
});
