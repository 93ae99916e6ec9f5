import type { TimerQueue, WorkQueue } from "#tasks/domain/ports";
import type { TaskTimer } from "#tasks/domain/task-timers";
import type { WorkMessage } from "#tasks/domain/work-message";

/** Refuses the next calls for which `when` holds, then works again. */
class Refusals<T> {
  private rule?: { when: (item: T) => boolean; times: number };

  refuse(when: (item: T) => boolean, times: number): void {
    this.rule = { when, times };
  }

  check(item: T, what: string): void {
    if (!this.rule || this.rule.times === 0 || !this.rule.when(item)) return;
    this.rule.times--;
    throw new Error(`${what} refused (as the test asked)`);
  }
}

/** The work queues in memory: every message sent, in order, with its delay. */
export class RecordingWorkQueue implements WorkQueue {
  readonly sent: { message: WorkMessage; delaySeconds: number }[] = [];
  private readonly refusals = new Refusals<WorkMessage>();

  /** The next `times` sends of a message for which `when` holds throw, sending nothing. */
  failFor(when: (message: WorkMessage) => boolean, times = 1): this {
    this.refusals.refuse(when, times);
    return this;
  }

  async send(message: WorkMessage, options: { delaySeconds?: number } = {}): Promise<void> {
    this.refusals.check(message, `sending ${message.taskId}`);
    this.sent.push({ message: structuredClone(message), delaySeconds: options.delaySeconds ?? 0 });
  }
}

/** The timers queue in memory: every timer scheduled, with the instant it was scheduled at. */
export class RecordingTimerQueue implements TimerQueue {
  readonly scheduled: { timer: TaskTimer; at: string }[] = [];

  async schedule(timer: TaskTimer, now: Date): Promise<void> {
    this.scheduled.push({ timer: structuredClone(timer), at: now.toISOString() });
  }
}
