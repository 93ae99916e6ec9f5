import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from "@aws-sdk/client-sqs";
import { chunksOf, EntryRefusedError, groupBy } from "./batch-entries";

/** One message to send, named by the caller's id. */
export interface OutgoingMessage {
  readonly id: string;
  readonly queueUrl: string;
  readonly body: string;
  readonly delaySeconds?: number;
}

/**
 * Sends messages with SendMessageBatch, ten per call and one call per queue, and answers the
 * ids of those not sent with why: an entry SQS refused, or every entry of a call that failed.
 * Entry ids within a call are their positions, so any caller id is allowed.
 */
export async function sendMessageBatches(
  sqs: SQSClient,
  messages: readonly OutgoingMessage[],
): Promise<{ id: string; cause: unknown }[]> {
  const calls = [...groupBy(messages, (message) => message.queueUrl)].flatMap(([queueUrl, group]) =>
    chunksOf(group).map((chunk) => ({ queueUrl, chunk })),
  );
  const failures = await Promise.all(
    calls.map(async ({ queueUrl, chunk }) => {
      const entries: SendMessageBatchRequestEntry[] = chunk.map((message, index) => ({
        Id: String(index),
        MessageBody: message.body,
        ...(message.delaySeconds ? { DelaySeconds: message.delaySeconds } : {}),
      }));
      try {
        const response = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
        const sent = new Set((response.Successful ?? []).map((entry) => entry.Id));
        const refused = new Map((response.Failed ?? []).map((entry) => [entry.Id, entry]));
        return chunk.flatMap((message, index) => {
          if (sent.has(String(index))) return [];
          const entry = refused.get(String(index));
          return [{ id: message.id, cause: new EntryRefusedError(entry?.Code ?? "NotReported", entry?.Message) }];
        });
      } catch (error) {
        return chunk.map((message) => ({ id: message.id, cause: error }));
      }
    }),
  );
  return failures.flat();
}
