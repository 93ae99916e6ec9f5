import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { BusEvent } from "#shared/events";
import { instrumented } from "#shared/instrumented";
import { logger, metrics } from "#shared/powertools";
import { deliverBatch } from "#realtime/domain/deliver-batch";
import { type BusEventToRecord, recordBatch } from "#realtime/domain/record-batch";
import { serverEventTypeOf } from "#realtime/domain/server-events";
import type { ServerEvent } from "#realtime/published/protocol";
import { eventLedger, publishDeps } from "./wiring";

/** A queued bus event, or why it is not one (it then goes back, and on to the dead-letter queue). */
function busEventOf(record: SQSRecord): BusEvent | Error {
  try {
    const parsed = BusEvent.safeParse(JSON.parse(record.body));
    return parsed.success ? parsed.data : new Error(`not a bus event: ${parsed.error.message}`);
  } catch (error) {
    return new Error("the message body is not JSON", { cause: error });
  }
}

/**
 * Bus → broadcast queue → here, up to a batch at a time (ADR 0018): the batch's events are
 * recorded together, each once however often it is delivered, in three DynamoDB calls (ADR
 * 0024), then every connection gets one frame with all the events due to it, in seq order.
 * A message that is not a bus event, or names no valid stream, is handed back alone; if the
 * recording fails, the whole batch goes back and its redelivery finds what was recorded.
 */
export const handler = instrumented(
  async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failed: string[] = [];
    const items: (BusEventToRecord & { messageId: string })[] = [];
    for (const record of event.Records) {
      const busEvent = busEventOf(record);
      if (busEvent instanceof Error) {
        logger.error("a broadcast message is not a bus event", { messageId: record.messageId, error: busEvent });
        failed.push(record.messageId);
        continue;
      }
      const type = serverEventTypeOf(busEvent["detail-type"]);
      if (!type) {
        logger.warn("event type is not shown on the dashboard", { detailType: busEvent["detail-type"] });
        continue;
      }
      items.push({ messageId: record.messageId, eventId: busEvent.id, type, data: busEvent.detail });
    }
    const deps = publishDeps();
    const { recorded, refused } = await recordBatch(items, { ...deps, ledger: eventLedger() });
    for (const item of items) {
      const error = refused.get(item.eventId);
      if (!error) continue;
      logger.error("an event names no valid stream; its message goes back to the queue", { messageId: item.messageId, error });
      failed.push(item.messageId);
    }
    const events: ServerEvent[] = [...recorded.values()];
    const report = await deliverBatch(events, deps);
    metrics.addMetric("FramesDelivered", "Count", report.delivered);
    metrics.addMetric("EventsDelivered", "Count", report.events);
    metrics.addMetric("ConnectionsGone", "Count", report.gone);
    if (report.failed.length > 0) {
      metrics.addMetric("FramesFailed", "Count", report.failed.length);
      logger.error("some deliveries failed; those clients can replay from seq", {
        seqs: events.map((e) => e.seq),
        failed: report.failed.map(({ connectionId, error }) => ({ connectionId, error: String(error) })),
      });
    }
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  },
  (response) => ({ failedMessages: response.batchItemFailures.length }),
);
