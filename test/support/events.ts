import type { DomainEvent, EventPublisher } from "#kernel/bus/domain-event";
import { assertPublishable } from "#shared/adapters/eventbridge-publisher";

/**
 * Keeps what was published; `failNext(n)` makes the next n calls throw, publishing nothing. Like
 * the real publisher (and IAM), it refuses an event its source does not announce.
 */
export class RecordingPublisher implements EventPublisher {
  readonly events: DomainEvent[] = [];
  /** Calls made, including refused ones. */
  calls = 0;
  private failures = 0;

  failNext(times = 1): this {
    this.failures = times;
    return this;
  }

  async publish(events: readonly DomainEvent[]): Promise<void> {
    this.calls++;
    events.forEach(assertPublishable);
    if (this.failures > 0) {
      this.failures--;
      throw new Error("the bus refused the events");
    }
    this.events.push(...events.map((e) => structuredClone(e)));
  }

  ofType(detailType: string): DomainEvent[] {
    return this.events.filter((e) => e.detailType === detailType);
  }
}
