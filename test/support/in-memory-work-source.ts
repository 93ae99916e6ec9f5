import type { ReceivedWork, WorkSource } from "#tasks/domain/ports";
import { PRIORITIES, type Priority } from "#kernel/task-vocabulary";

interface StoredMessage {
  messageId: string;
  body: string;
  receiveCount: number;
  visible: boolean;
}

/** SQS-like queues in memory: a received message is invisible until acknowledged or released. */
export class InMemoryWorkSource implements WorkSource {
  private readonly queues = Object.fromEntries(PRIORITIES.map((p) => [p, [] as StoredMessage[]])) as Record<
    Priority,
    StoredMessage[]
  >;
  readonly acknowledged: string[] = [];
  readonly released: string[] = [];
  readonly extended: string[] = [];
  private counter = 0;

  send(priority: Priority, body: unknown): string {
    const messageId = `m${++this.counter}`;
    this.queues[priority].push({
      messageId,
      body: typeof body === "string" ? body : JSON.stringify(body),
      receiveCount: 0,
      visible: true,
    });
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
    // A short stand-in for a long poll: wait a little (or until aborted), then look again.
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(options.signal?.reason);
      };
      const timer = setTimeout(() => {
        options.signal?.removeEventListener("abort", onAbort);
        resolve();
      }, 20);
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
