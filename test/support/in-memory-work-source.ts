import type { ReceivedWork, WorkSource } from "#tasks/domain/ports";
import { PRIORITIES, type Priority } from "#kernel/task-vocabulary";

interface StoredMessage {
  messageId: string;
  body: string;
  receiveCount: number;
  visible: boolean;
}

/**
 * SQS-like queues in memory: a received message is invisible until acknowledged or released,
 * and a long poll waits (on the test's clock: use fake timers) until a message arrives or its
 * wait runs out.
 */
export class InMemoryWorkSource implements WorkSource {
  private readonly queues = Object.fromEntries(PRIORITIES.map((p) => [p, [] as StoredMessage[]])) as Record<
    Priority,
    StoredMessage[]
  >;
  readonly acknowledged: string[] = [];
  readonly released: string[] = [];
  readonly extended: string[] = [];
  private counter = 0;
  /** Long polls waiting on each queue, woken by the next message sent to it. */
  private readonly waiters = Object.fromEntries(PRIORITIES.map((p) => [p, new Set<() => void>()])) as Record<
    Priority,
    Set<() => void>
  >;

  send(priority: Priority, body: unknown): string {
    const messageId = `m${++this.counter}`;
    this.queues[priority].push({
      messageId,
      body: typeof body === "string" ? body : JSON.stringify(body),
      receiveCount: 0,
      visible: true,
    });
    for (const wake of [...this.waiters[priority]]) wake();
    return messageId;
  }

  depth(priority: Priority): number {
    return this.queues[priority].length;
  }

  async receive(
    priority: Priority,
    options: { max: number; waitSeconds: number; signal?: AbortSignal },
  ): Promise<ReceivedWork[]> {
    const take = () =>
      this.queues[priority]
        .filter((m) => m.visible)
        .slice(0, options.max)
        .map((m) => {
          m.visible = false;
          m.receiveCount++;
          return { messageId: m.messageId, body: m.body, receiptHandle: m.messageId, priority, receiveCount: m.receiveCount };
        });
    const now = take();
    if (now.length > 0 || options.waitSeconds === 0) return now;
    // A long poll, as SQS answers it: as soon as a message arrives, or empty after waitSeconds.
    await new Promise<void>((resolve, reject) => {
      const settle = (finish: () => void) => {
        clearTimeout(timer);
        this.waiters[priority].delete(wake);
        options.signal?.removeEventListener("abort", onAbort);
        finish();
      };
      const wake = () => settle(resolve);
      const onAbort = () => settle(() => reject(options.signal?.reason));
      const timer = setTimeout(wake, options.waitSeconds * 1_000);
      this.waiters[priority].add(wake);
      options.signal?.addEventListener("abort", onAbort, { once: true });
    });
    return take();
  }

  async acknowledge(work: ReceivedWork): Promise<void> {
    this.queues[work.priority] = this.queues[work.priority].filter((m) => m.messageId !== work.messageId);
    this.acknowledged.push(work.messageId);
  }

  async release(work: ReceivedWork): Promise<void> {
    const message = this.queues[work.priority].find((m) => m.messageId === work.messageId);
    if (message) message.visible = true;
    this.released.push(work.messageId);
  }

  async extend(work: ReceivedWork): Promise<void> {
    this.extended.push(work.messageId);
  }
}
