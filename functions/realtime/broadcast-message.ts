import { broadcastEvent } from "#realtime/domain/management";
import { REALTIME_ROUTES } from "#realtime/published/routes";
import { httpRoute, json } from "#shared/http";
import { publisher } from "./wiring";

/**
 * POST /api/websocket/broadcast — an announcement to every `alerts` subscriber, or a message to
 * one room. Answers 202 once the bus has it; clients receive it with a `seq`.
 */
export const handler = httpRoute(REALTIME_ROUTES.broadcastMessage, async ({ body, caller }) => {
  const domainEvent = broadcastEvent(body, caller, new Date());
  await publisher().publish([domainEvent]);
  return json(202, { target: body.room ? `room:${body.room}` : "topic:alerts", detailType: domainEvent.detailType });
});
