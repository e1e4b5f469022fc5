/**
 * `fn` over the items with at most `limit` running at once, the results in the items' order. On a
 * failure the rest are not started and the first failure is thrown once those running have ended
 * (no computation is left running behind a failed answer).
 */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i], i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
  return results;
}

/**
 * At most `size` tasks at once across the process, the others waiting in turn (first come, first
 * served). The KPI computations take turns here rather than in the database pool, whose wait for a
 * free connection gives up after DB_CONNECT_TIMEOUT_MS (a 503): many cold answers at once, each
 * computing several KPIs, would queue more statements there than the pool serves in that time.
 */
export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {
    this.free = size;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      // The slot passes straight to the next in line, so a newcomer cannot overtake it.
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }

  /** Tasks waiting for a slot (for the tests). */
  get queued(): number {
    return this.waiting.length;
  }
}
