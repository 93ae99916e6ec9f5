import type { SentLedger } from "../domain/relay-batch";

/**
 * The relay's memory of entries it sent for records the stream will hand back (see
 * `SentLedger`), held by the function instance and bounded: the oldest keys go first, long
 * after the retry that needed them (a batch notes at most a few dozen).
 */
export class InstanceSentLedger implements SentLedger {
  private readonly keys = new Set<string>();

  constructor(private readonly capacity = 10_000) {}

  has(key: string): boolean {
    return this.keys.has(key);
  }

  add(key: string): void {
    this.keys.add(key);
    for (const oldest of this.keys) {
      if (this.keys.size <= this.capacity) break;
      this.keys.delete(oldest);
    }
  }
}
