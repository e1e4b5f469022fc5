/** withTimeout's rejection when `ms` passed first. */
export class TimedOut extends Error {
  constructor() {
    super('timeout');
  }
}

/**
 * `p`, or a TimedOut rejection after `ms` (a check that must not hang on a database or queue that
 * does not answer). The timer is cleared once `p` settles.
 */
export const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new TimedOut()), ms)))]).finally(() =>
    clearTimeout(timer),
  );
};
