import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { mayPublish } from "#kernel/bus/catalog";
import type { DomainEvent, EventPublisher } from "#kernel/bus/domain-event";
import { envContract, envVar } from "../env-contract";
import { chunksOf, EntryRefusedError, MAX_BATCH_ENTRIES } from "./batch-entries";

/** The variable every function or container that publishes to the swarm bus is given its name in. */
export const EventBusEnvironment = envContract({ EVENT_BUS_NAME: envVar.name() });

/** Raised when EventBridge accepted the call but refused some entries; they were not published. */
export class EventsNotPublishedError extends Error {
  constructor(readonly failures: { detailType: string; code?: string; message?: string }[]) {
    super(
      `EventBridge refused ${failures.length} event(s): ${failures.map((f) => `${f.detailType} ${f.code ?? ""} ${f.message ?? ""}`.trim()).join("; ")}`,
    );
    this.name = "EventsNotPublishedError";
  }
}

/**
 * Raised for an event whose source does not announce its detail type (PUBLISHED_DETAIL_TYPES):
 * IAM would refuse the entry on AWS, so it is refused here, before the call, on every stage.
 */
export class UnpublishableEventError extends Error {
  constructor(readonly event: Pick<DomainEvent, "source" | "detailType">) {
    super(`${event.source} does not publish ${event.detailType} (PUBLISHED_DETAIL_TYPES in layers/kernel/bus/catalog.ts)`);
    this.name = "UnpublishableEventError";
  }
}

/** @throws UnpublishableEventError unless the event's source announces its detail type */
export function assertPublishable(event: DomainEvent): void {
  if (!mayPublish(event.source, event.detailType)) throw new UnpublishableEventError(event);
}

/** PutEvents takes at most ten entries per call. */
const MAX_ENTRIES = MAX_BATCH_ENTRIES;

const entryOf = (busName: string, event: DomainEvent): PutEventsRequestEntry => ({
  EventBusName: busName,
  Source: event.source,
  DetailType: event.detailType,
  Detail: JSON.stringify(event.detail),
});

/** Publishes domain events to the swarm bus; a partial refusal is an error, never dropped. */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(events: readonly DomainEvent[]): Promise<void> {
    events.forEach(assertPublishable);
    for (let i = 0; i < events.length; i += MAX_ENTRIES) {
      const batch = events.slice(i, i + MAX_ENTRIES);
      const entries = batch.map((event) => entryOf(this.busName, event));
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

  /**
   * Many events, ten per PutEvents call, each answered on its own: the ids of the entries not
   * published, with the bus's reason (or the call's error for every entry of a failed call).
   */
  async publishEach(
    entries: readonly { readonly id: string; readonly item: DomainEvent }[],
  ): Promise<{ id: string; cause: unknown }[]> {
    const refused: { id: string; cause: unknown }[] = [];
    const publishable: { readonly id: string; readonly item: DomainEvent }[] = [];
    for (const entry of entries) {
      if (mayPublish(entry.item.source, entry.item.detailType)) publishable.push(entry);
      else refused.push({ id: entry.id, cause: new UnpublishableEventError(entry.item) });
    }
    const failures = await Promise.all(
      chunksOf(publishable).map(async (chunk) => {
        try {
          const response = await this.client.send(
            new PutEventsCommand({ Entries: chunk.map(({ item }) => entryOf(this.busName, item)) }),
          );
          if ((response.FailedEntryCount ?? 0) === 0) return [];
          // Results come back in the order of the entries sent.
          return chunk.flatMap((entry, index) => {
            const result = response.Entries?.[index];
            return result?.EventId && !result.ErrorCode
              ? []
              : [{ id: entry.id, cause: new EntryRefusedError(result?.ErrorCode ?? "NotReported", result?.ErrorMessage) }];
          });
        } catch (error) {
          return chunk.map((entry) => ({ id: entry.id, cause: error }));
        }
      }),
    );
    return [...refused, ...failures.flat()];
  }
}
