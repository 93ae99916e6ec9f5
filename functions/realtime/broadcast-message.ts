import * as z from "zod";
import { eventBridgeClient } from "#shared/adapters/aws-clients";
import { EventBridgePublisher } from "#shared/adapters/eventbridge-publisher";
import { readEnv } from "#shared/env";
import { HttpEvent, httpHandler, json, jsonBody } from "#shared/http";
import { callerFromClaims, requireRole } from "#shared/identity";
import { BroadcastRequest, broadcastEvent } from "#realtime/domain/management";

const env = readEnv(z.object({ EVENT_BUS_NAME: z.string().min(1) }));
const publisher = new EventBridgePublisher(eventBridgeClient(), env.EVENT_BUS_NAME);

const BroadcastEvent = HttpEvent.extend({ body: jsonBody(BroadcastRequest) });

/**
 * POST /api/websocket/broadcast (admin) — an announcement to every `alerts` subscriber, or a
 * message to one room. Answers 202 once the bus has it; clients receive it with a `seq`.
 */
export const handler = httpHandler(BroadcastEvent, async (event) => {
  const caller = callerFromClaims(event.requestContext.authorizer?.jwt?.claims);
  requireRole(caller, ["admin"]);
  const domainEvent = broadcastEvent(event.body, caller, new Date());
  await publisher.publish([domainEvent]);
  const target = event.body.room ? `room:${event.body.room}` : "topic:alerts";
  return json(202, { target, detailType: domainEvent.detailType });
});
