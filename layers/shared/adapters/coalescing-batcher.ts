import { MAX_BATCH_ENTRIES } from "./batch-entries";

/**
 * Sends one batch call for items of one key; answers, per item in order, the error it failed
 * with or `undefined` when it went through. A thrown error fails every item of the call.
 */
export type FlushBatch<T> = (key: string, items: readonly T[]) => Promise<readonly (unknown | undefined)[]>;

export interface CoalescingBatcherOptions {
  /** How long the first item of a batch waits for company. @default 10 */
  readonly windowMs?: number;
  /** Items per call; a full batch goes at once. @default 10 */
  readonly maxEntries?: number;
}

interface Waiting<T> {
  readonly item: T;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Gathers single calls made close together into batch calls, per key (a queue URL), while each
 * caller still awaits its own item's outcome — so code written one message at a time settles
 * ten messages a request.
 *
 *   t=0  ack(a) ─┐
 *   t=3  ack(b) ─┼─ t=10 DeleteMessageBatch [a, b, c] ─▶ a ✓  b ✗ (its own error)  c ✓
 *   t=7  ack(c) ─┘
 *
 * @example
 * const deletes = new CoalescingBatcher((url, handles) => deleteBatch(url, handles));
 * await deletes.submit(queueUrl, receiptHandle);
 */
export class CoalescingBatcher<T> {
  private readonly waiting = new Map<string, Waiting<T>[]>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly windowMs: number;
  private readonly maxEntries: number;

  constructor(
    private readonly flushBatch: FlushBatch<T>,
    options: CoalescingBatcherOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 10;
    this.maxEntries = options.maxEntries ?? MAX_BATCH_ENTRIES;
  }

  /** Resolves once `item` went through in some batch; rejects with its own error. */
  submit(key: string, item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      const queue = [...(this.waiting.get(key) ?? []), { item, resolve, reject }];
      this.waiting.set(key, queue);
      if (queue.length >= this.maxEntries) this.flush(key);
      else if (!this.timers.has(key))
        this.timers.set(
          key,
          setTimeout(() => this.flush(key), this.windowMs),
        );
    });
  }

  private flush(key: string): void {
    const timer = this.timers.get(key);
    if (timer !== undefined) clearTimeout(timer);
    this.timers.delete(key);
    const queue = this.waiting.get(key) ?? [];
    const batch = queue.slice(0, this.maxEntries);
    const rest = queue.slice(this.maxEntries);
    if (rest.length > 0) {
      this.waiting.set(key, rest);
      this.timers.set(
        key,
        setTimeout(() => this.flush(key), 0),
      );
    } else this.waiting.delete(key);
    if (batch.length === 0) return;
    this.flushBatch(
      key,
      batch.map((waiting) => waiting.item),
    ).then(
      (errors) =>
        batch.forEach((waiting, index) => {
          const error = errors[index];
          if (error === undefined) waiting.resolve();
          else waiting.reject(error);
        }),
      (error: unknown) => batch.forEach((waiting) => waiting.reject(error)),
    );
  }
}
