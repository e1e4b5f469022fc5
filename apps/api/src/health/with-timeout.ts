/** `p`, or a rejection after `ms` (a check that must not hang on a database or queue that does not answer). */
export const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms))]);
