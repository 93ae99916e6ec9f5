import { parser } from "@aws-lambda-powertools/parser/middleware";
import { BusEvent } from "#shared/events";
import { instrumented } from "#shared/instrumented";
import { logger, metrics } from "#shared/powertools";
import { deliver } from "#realtime/domain/publishing";
import { recordBatch } from "#realtime/domain/record-batch";
import { serverEventTypeOf } from "#realtime/domain/server-events";
import { eventLedger, publishDeps } from "./wiring";

const deps = publishDeps();

/**
 * Relays one bus event to the dashboard when invoked directly: record once (ADR 0024), then fan out to
 * every subscriber. The dashboard rule feeds `broadcast-events` instead, in batches (ADR 0018).
 */
export const handler = instrumented(
  async (event: BusEvent) => {
    const type = serverEventTypeOf(event["detail-type"]);
    if (!type) {
      logger.warn("event type is not shown on the dashboard", { detailType: event["detail-type"] });
      return undefined;
    }
    const { recorded, refused } = await recordBatch([{ eventId: event.id, type, data: event.detail }], {
      ...deps,
      ledger: eventLedger(),
    });
    const serverEvent = recorded.get(event.id);
    // Not a 4xx to anyone: the event itself is malformed, and the invoker's retries and
    // on-failure destination keep it.
    if (!serverEvent) throw refused.get(event.id) ?? new Error(`bus event ${event.id} was not recorded`);
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
