import { AsyncLocalStorage } from 'async_hooks';

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
 * At most `size` tasks at once across the process, the others waiting their turn. The KPI
 * computations take turns here rather than in the database pool, whose wait for a free connection
 * gives up after DB_CONNECT_TIMEOUT_MS (a 503): many cold answers at once, each computing several
 * KPIs, would queue more statements there than the pool serves in that time.
 *
 * The turn is the request's, not the task's (ADR 0091): every task run within `request()` waits
 * behind the tasks of the requests that came before it, so the answers are finished in the order
 * they were asked rather than all together at the end. A task outside any request takes the turn
 * of its own arrival.
 */
export class Slots {
  private free: number;
  /** Waiting tasks, by turn; those of one turn in the order they came. */
  private readonly waiting: { turn: number; start: () => void }[] = [];
  private turns = 0;
  private readonly current = new AsyncLocalStorage<number>();

  constructor(readonly size: number) {
    this.free = size;
  }

  /** Runs `work` as one request: the tasks it runs here wait behind those of earlier requests only. */
  request<T>(work: () => Promise<T>): Promise<T> {
    // async: a work that throws before its first await still gives a rejected promise.
    return this.current.run(this.turns++, async () => work());
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else {
      const turn = this.current.getStore() ?? this.turns++;
      await new Promise<void>((start) => {
        // Behind every waiting task of its turn or an earlier one.
        let at = this.waiting.length;
        while (at > 0 && this.waiting[at - 1].turn > turn) at--;
        this.waiting.splice(at, 0, { turn, start });
      });
    }
    try {
      return await task();
    } finally {
      // The slot passes straight to the first in line, so a newcomer cannot overtake it.
      const next = this.waiting.shift();
      if (next) next.start();
      else this.free++;
    }
  }

  /** Slots free now (the metrics). */
  get available(): number {
    return this.free;
  }

  /** Tasks waiting for a slot (the tests and the metrics). */
  get queued(): number {
    return this.waiting.length;
  }
}
