import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { parser } from "@aws-lambda-powertools/parser/middleware";
import type { Context } from "aws-lambda";
import * as z from "zod";
import { BusEvent } from "#shared/events";
import { instrumented } from "#shared/instrumented";
import { readEnv } from "#shared/env";
import { logger, metrics } from "#shared/powertools";
import type { ServerEventType } from "#realtime/published/protocol";
import { recordEvent } from "#realtime/domain/record-event";
import { deliver } from "#realtime/domain/publishing";
import { serverEventTypeOf } from "#realtime/domain/server-events";
import { publishDeps } from "./wiring";

const env = readEnv(
  z.object({
    IDEMPOTENCY_TABLE: z.string().min(1),
  }),
);
const deps = publishDeps();

const idempotency = new IdempotencyConfig({ eventKeyJmesPath: "id", expiresAfterSeconds: 24 * 60 * 60 });

/**
 * One `seq` per bus event, however often EventBridge delivers it:
 *
 *   delivery 1 ──record(id)──▶ seq 41 stored ──fan-out──▶ clients see 41
 *   delivery 2 ──record(id)──▶ seq 41 (from the idempotency table) ──fan-out──▶ clients see 41 again and drop it
 */
const record = makeIdempotent(async (event: BusEvent, type: ServerEventType) => recordEvent(type, event.detail, deps), {
  persistenceStore: new DynamoDBPersistenceLayer({ tableName: env.IDEMPOTENCY_TABLE }),
  config: idempotency,
});

/** Relays bus events to the dashboard: record once, then fan out to every subscriber. */
export const handler = instrumented(
  async (event: BusEvent, context: Context) => {
    const type = serverEventTypeOf(event["detail-type"]);
    if (!type) {
      logger.warn("event type is not shown on the dashboard", { detailType: event["detail-type"] });
      return undefined;
    }
    idempotency.registerLambdaContext(context);
    const serverEvent = await record(event, type);
    const report = await deliver(serverEvent, deps);
    metrics.addMetric("FramesDelivered", "Count", report.delivered);
    metrics.addMetric("ConnectionsGone", "Count", report.gone);
    if (report.failed.length > 0) {
      metrics.addMetric("FramesFailed", "Count", report.failed.length);
      logger.error("some deliveries failed; those clients can replay from seq", {
        seq: serverEvent.seq,
        failed: report.failed.map(({ connectionId, error }) => ({ connectionId, error: String(error) })),
      });
    }
    return {
      seq: serverEvent.seq,
      type,
      recipients: report.recipients,
      delivered: report.delivered,
      gone: report.gone,
      failed: report.failed.length,
    };
  },
  (summary) => summary ?? {},
).use(parser({ schema: BusEvent }));
