/**
 * `read`, answered from memory for `ttlMs` after each call that went through; calls while one is
 * in flight share it. A failure is not kept: the next call tries again.
 *
 * @example
 * const health = cachedFor(5_000, () => checkHealth(probes, options));
 */
export function cachedFor<T>(ttlMs: number, read: () => Promise<T>, now: () => number = Date.now): () => Promise<T> {
  let cached: { readonly value: Promise<T>; readonly at: number } | undefined;
  return () => {
    if (cached && now() - cached.at < ttlMs) return cached.value;
    const value = read();
    const entry = { value, at: now() };
    cached = entry;
    value.catch(() => {
      if (cached === entry) cached = undefined;
    });
    return value;
  };
}
