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

/** The caller of the requests outside any user's (the cache's re-warm) and of the tasks outside any request. */
const BACKGROUND = Symbol('background');

/** A caller already has as many requests in progress as Slots lets one have (`perCaller`). */
export class TooManyRequests extends Error {
  constructor(readonly limit: number) {
    super(`A caller may have at most ${limit} requests in progress`);
  }
}

/** One caller's requests: the turn its next one gets at the earliest, and the turns of those in progress, oldest first. */
interface Flow {
  next: number;
  open: number[];
}

/** Where a request's tasks wait: by turn, and those of one turn by the order the requests came. */
interface Place {
  turn: number;
  arrival: number;
}

const before = (a: Place, b: Place): boolean => a.turn < b.turn || (a.turn === b.turn && a.arrival < b.arrival);

/**
 * At most `size` tasks at once across the process, the others waiting their turn. The KPI
 * computations take turns here rather than in the database pool, whose wait for a free connection
 * gives up after DB_CONNECT_TIMEOUT_MS (a 503): many cold answers at once, each computing several
 * KPIs, would queue more statements there than the pool serves in that time.
 *
 * The turn is the request's, not the task's (ADR 0091): every task run within `request()` waits
 * behind the tasks of requests with earlier turns, and of the same turn asked before it, so an
 * answer is finished as a whole rather than all answers together at the end. The turns are fair
 * per caller (start-time fair queueing, ADR 0121): a caller's next request gets the turn after its
 * previous one, but none earlier than the turns being served now (`now`). So one caller's requests
 * go in the order they were asked, and a caller new to the queue waits behind at most about one
 * request of each other caller, not behind everything a busy caller asked before it. Requests and
 * tasks outside any caller are one caller of their own.
 */
export class Slots {
  private free: number;
  /** Waiting tasks, by their request's place; those of one request in the order they came. */
  private readonly waiting: { place: Place; start: () => void }[] = [];
  private arrivals = 0;
  /** The callers with requests in progress, or with a next turn ahead of `now` (their recent share). */
  private readonly flows = new Map<string | symbol, Flow>();
  /**
   * The turn being served: that of the latest task given a slot, and at least that of the oldest
   * request in progress. It only grows, so every waiting task has only a finite number before it.
   */
  private now = 0;
  private readonly current = new AsyncLocalStorage<Place>();

  constructor(
    readonly size: number,
    /** Requests one caller may have in progress (computing or waiting); the background has no bound. */
    readonly perCaller = Number.POSITIVE_INFINITY,
  ) {
    this.free = size;
  }

  /**
   * Runs `work` as one request of `caller`: the tasks it runs here take the request's turn. A
   * caller over `perCaller` is refused with TooManyRequests thrown at once, not as a rejected
   * promise: a cache that shares a computation's promise with other callers never shares the refusal.
   */
  request<T>(work: () => Promise<T>, caller?: string): Promise<T> {
    const key = caller ?? BACKGROUND;
    if (caller !== undefined && this.inProgress(caller) >= this.perCaller) throw new TooManyRequests(this.perCaller);
    this.catchUp();
    const flow = this.flows.get(key) ?? { next: 0, open: [] };
    const turn = Math.max(this.now, flow.next);
    flow.next = turn + 1;
    flow.open.push(turn);
    this.flows.set(key, flow);
    // async: a work that throws before its first await still gives a rejected promise.
    return this.current.run({ turn, arrival: this.arrivals++ }, async () => {
      try {
        return await work();
      } finally {
        flow.open.splice(flow.open.indexOf(turn), 1);
      }
    });
  }

  /**
   * Moves `now` up to the oldest turn in progress (each caller's are in order), or, with nothing in
   * progress, past every turn given (everyone starts afresh); forgets the callers it has caught up with.
   */
  private catchUp(): void {
    let oldest = Number.POSITIVE_INFINITY;
    let latest = 0;
    for (const flow of this.flows.values()) {
      if (flow.open.length > 0) oldest = Math.min(oldest, flow.open[0]);
      latest = Math.max(latest, flow.next);
    }
    this.now = Math.max(this.now, oldest === Number.POSITIVE_INFINITY ? latest : oldest);
    for (const [key, flow] of this.flows) if (flow.open.length === 0 && flow.next <= this.now) this.flows.delete(key);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    const place = this.current.getStore();
    // A task outside any request is a request of its own, the background's.
    if (place === undefined) return this.request(() => this.run(task));
    if (this.free > 0) {
      this.free--;
      this.now = Math.max(this.now, place.turn);
    } else {
      await new Promise<void>((start) => {
        // Behind every waiting task of its request or one before it.
        let at = this.waiting.length;
        while (at > 0 && before(place, this.waiting[at - 1].place)) at--;
        this.waiting.splice(at, 0, { place, start });
      });
    }
    try {
      return await task();
    } finally {
      // The slot passes straight to the first in line, so a newcomer cannot overtake it.
      const next = this.waiting.shift();
      if (next) {
        this.now = Math.max(this.now, next.place.turn);
        next.start();
      } else this.free++;
    }
  }

  /** Requests of `caller` in progress, computing or waiting (the tests). */
  inProgress(caller: string): number {
    return this.flows.get(caller)?.open.length ?? 0;
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
