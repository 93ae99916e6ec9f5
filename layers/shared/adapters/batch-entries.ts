/** Entries per call of the batch APIs we use (SendMessageBatch, DeleteMessageBatch, PutEvents, …). */
export const MAX_BATCH_ENTRIES = 10;

/** `items` in runs of at most `size`, in order. */
export function chunksOf<T>(items: readonly T[], size = MAX_BATCH_ENTRIES): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** Items grouped by a key, each group in the items' order. */
export function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return groups;
}

/** An entry a batch API refused, as it reports it. */
export class EntryRefusedError extends Error {
  constructor(
    readonly code: string | undefined,
    message: string | undefined,
  ) {
    super(`refused: ${code ?? "unknown"}${message ? ` (${message})` : ""}`);
    this.name = "EntryRefusedError";
  }
}
