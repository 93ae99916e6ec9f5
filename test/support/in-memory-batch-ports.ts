import type { DomainEvent } from "#kernel/bus/domain-event";
import type {
  BatchEntry,
  BatchEventPublisher,
  BatchTimerQueue,
  BatchWorkQueue,
  Dispatch,
  EntryFailure,
} from "#tasks/domain/relay-batch";
import type { TaskTimer } from "#tasks/domain/task-timers";

/** Batch calls in memory: every accepted item in order, each call's size, and refusals on demand. */
class RecordingBatches<T> {
  readonly accepted: T[] = [];
  readonly calls: number[] = [];
  private rule?: { when: (item: T) => boolean; times: number };

  /** The next `times` entries for which `when` holds are refused, one entry each, the rest of their call accepted. */
  refuse(when: (item: T) => boolean, times = 1): this {
    this.rule = { when, times };
    return this;
  }

  take(entries: readonly BatchEntry<T>[]): EntryFailure[] {
    this.calls.push(entries.length);
    return entries.flatMap((entry) => {
      if (this.rule && this.rule.times > 0 && this.rule.when(entry.item)) {
        this.rule.times--;
        return [{ id: entry.id, cause: new Error(`entry ${entry.id} refused (as the test asked)`) }];
      }
      this.accepted.push(structuredClone(entry.item));
      return [];
    });
  }
}

export class RecordingBatchWorkQueue extends RecordingBatches<Dispatch> implements BatchWorkQueue {
  async sendEach(entries: readonly BatchEntry<Dispatch>[]): Promise<EntryFailure[]> {
    return this.take(entries);
  }
}

export class RecordingBatchTimerQueue extends RecordingBatches<TaskTimer> implements BatchTimerQueue {
  async scheduleEach(entries: readonly BatchEntry<TaskTimer>[]): Promise<EntryFailure[]> {
    return this.take(entries);
  }
}

export class RecordingBatchPublisher extends RecordingBatches<DomainEvent> implements BatchEventPublisher {
  async publishEach(entries: readonly BatchEntry<DomainEvent>[]): Promise<EntryFailure[]> {
    return this.take(entries);
  }
}
