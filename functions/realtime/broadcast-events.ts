import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { mapWithConcurrency } from "#shared/concurrency";
import { BusEvent } from "#shared/events";
import { instrumented } from "#shared/instrumented";
import { logger, metrics } from "#shared/powertools";
import type { ServerEvent } from "#realtime/published/protocol";
import { deliverBatch } from "#realtime/domain/deliver-batch";
import { serverEventTypeOf } from "#realtime/domain/server-events";
import { recordOnce, useContext } from "./record-once";
import { publishDeps } from "./wiring";

/** A queued bus event, or why it is not one (it then goes back, and on to the dead-letter queue). */
function busEventOf(record: SQSRecord): BusEvent | Error {
  try {
    const parsed = BusEvent.safeParse(JSON.parse(record.body));
    return parsed.success ? parsed.data : new Error(`not a bus event: ${parsed.error.message}`);
  } catch (error) {
    return new Error("the message body is not JSON", { cause: error });
  }
}

/** Events recorded at once: each record is a few DynamoDB calls, and one at a time a batch of 100 would take seconds. */
const RECORDING_CONCURRENCY = 10;

/**
 * Bus → broadcast queue → here, up to a batch at a time (ADR 0018): each event is recorded once
 * (its `seq`; the batch's events are recorded side by side, so their seqs follow the order
 * their records finished, and every frame carries them in seq order), then every connection
 * gets one frame with all the events due to it. A message whose event could not be recorded
 * is handed back alone; the rest of the batch is delivered.
 */
export const handler = instrumented(
  async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    useContext(context);
    const recorded: ServerEvent[] = [];
    const failed: string[] = [];
    const outcomes = await mapWithConcurrency(event.Records, RECORDING_CONCURRENCY, async (record) => {
      const busEvent = busEventOf(record);
      if (busEvent instanceof Error) {
        logger.error("a broadcast message is not a bus event", { messageId: record.messageId, error: busEvent });
        failed.push(record.messageId);
        return;
      }
      const type = serverEventTypeOf(busEvent["detail-type"]);
      if (!type) {
        logger.warn("event type is not shown on the dashboard", { detailType: busEvent["detail-type"] });
        return;
      }
      try {
        recorded.push(await recordOnce(busEvent, type));
      } catch (error) {
        logger.error("could not record an event; its message goes back to the queue", { messageId: record.messageId, error });
        failed.push(record.messageId);
      }
    });
    // Each step above catches what it expects; anything else is a bug, and fails the batch.
    for (const outcome of outcomes) if (outcome.status === "rejected") throw outcome.reason;
    const report = await deliverBatch(recorded, publishDeps());
    metrics.addMetric("FramesDelivered", "Count", report.delivered);
    metrics.addMetric("EventsDelivered", "Count", report.events);
    metrics.addMetric("ConnectionsGone", "Count", report.gone);
    if (report.failed.length > 0) {
      metrics.addMetric("FramesFailed", "Count", report.failed.length);
      logger.error("some deliveries failed; those clients can replay from seq", {
        seqs: recorded.map((e) => e.seq),
        failed: report.failed.map(({ connectionId, error }) => ({ connectionId, error: String(error) })),
      });
    }
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  },
  (response) => ({ failedMessages: response.batchItemFailures.length }),
);
