import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import type { DomainEvent, EventPublisher } from "#kernel/bus/domain-event";

/** Raised when EventBridge accepted the call but refused some entries; they were not published. */
export class EventsNotPublishedError extends Error {
  constructor(readonly failures: { detailType: string; code?: string; message?: string }[]) {
    super(
      `EventBridge refused ${failures.length} event(s): ${failures.map((f) => `${f.detailType} ${f.code ?? ""} ${f.message ?? ""}`.trim()).join("; ")}`,
    );
    this.name = "EventsNotPublishedError";
  }
}

/** PutEvents takes at most ten entries per call. */
const MAX_ENTRIES = 10;

/** Publishes domain events to the swarm bus; a partial refusal is an error, never dropped. */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(events: readonly DomainEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += MAX_ENTRIES) {
      const batch = events.slice(i, i + MAX_ENTRIES);
      const entries: PutEventsRequestEntry[] = batch.map((event) => ({
        EventBusName: this.busName,
        Source: event.source,
        DetailType: event.detailType,
        Detail: JSON.stringify(event.detail),
      }));
      const response = await this.client.send(new PutEventsCommand({ Entries: entries }));
      if ((response.FailedEntryCount ?? 0) > 0) {
        const failures = (response.Entries ?? []).flatMap((entry, index) =>
          entry.ErrorCode
            ? [{ detailType: batch[index]?.detailType ?? "?", code: entry.ErrorCode, message: entry.ErrorMessage }]
            : [],
        );
        throw new EventsNotPublishedError(failures);
      }
    }
  }
}
