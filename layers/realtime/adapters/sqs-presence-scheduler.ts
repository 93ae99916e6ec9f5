import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { z } from "zod";
import { RoomName } from "#kernel/bus/room-message";
import type { PresenceScheduler } from "../domain/ports";

/** The body of a presence-summary message: the room whose summary is due. */
export const PresenceSummaryMessage = z.object({ room: RoomName });
export type PresenceSummaryMessage = z.infer<typeof PresenceSummaryMessage>;

/** Schedules a room's summary as a message on the presence queue, delayed per message. */
export class SqsPresenceScheduler implements PresenceScheduler {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async schedule(room: RoomName, delaySeconds: number): Promise<void> {
    const body: PresenceSummaryMessage = { room };
    await this.sqs.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(body), DelaySeconds: delaySeconds }),
    );
  }
}
