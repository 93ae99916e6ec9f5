import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { PresenceSummaryMessage } from "#realtime/adapters/sqs-presence-scheduler";
import { summarizePresence } from "#realtime/domain/presence-summary";
import { instrumented } from "#shared/instrumented";
import { logger, metrics } from "#shared/powertools";
import { publishDeps } from "./wiring";

/** The room a message names, or why it names none (the message then goes on to the dead-letter queue). */
function roomOf(record: SQSRecord) {
  try {
    return PresenceSummaryMessage.parse(JSON.parse(record.body)).room;
  } catch (error) {
    return new Error("not a presence summary message", { cause: error });
  }
}

/**
 * Presence queue → here: each message is one large room's summary coming due (ADR 0022). A
 * room whose summary failed is handed back alone and tried again; the others are done.
 */
export const handler = instrumented(
  async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failed: string[] = [];
    for (const record of event.Records) {
      const room = roomOf(record);
      try {
        if (room instanceof Error) throw room;
        const { announced } = await summarizePresence(room, publishDeps());
        metrics.addMetric("PresenceChangesAnnounced", "Count", announced);
      } catch (error) {
        logger.error("a presence summary failed; its message goes back to the queue", { messageId: record.messageId, error });
        failed.push(record.messageId);
      }
    }
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  },
  (response) => ({ failedMessages: response.batchItemFailures.length }),
);
