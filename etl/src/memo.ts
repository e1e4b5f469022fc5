/**
 * A bounded memo for pure lookups of texts that repeat on nearly every row (legal basis, measure
 * type, dates): a few distinct texts in a file, so the same parse is not done a million times.
 */
export function memo<T>(lookup: (text: string) => T, size = 1000): (text: string) => T {
  // Each answer in a box: one look-up per call, also for an answer that is undefined.
  const cache = new Map<string, { value: T }>();
  return (text) => {
    const hit = cache.get(text);
    if (hit !== undefined) return hit.value;
    const value = lookup(text);
    if (cache.size >= size) cache.clear();
    // A field can be a slice of a whole piece of the file: the key is a copy, so the cache keeps
    // only the text, not the piece.
    cache.set(Buffer.from(text).toString(), { value });
    return value;
  };
}
