/** Whether no two items are the same (by `key`), for a schema's "names X twice" refinement. */
export const distinct = <T>(items: readonly T[], key: (item: T) => unknown = (item) => item): boolean =>
  new Set(items.map(key)).size === items.length;
