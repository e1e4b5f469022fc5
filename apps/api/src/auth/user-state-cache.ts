/**
 * A process's short-lived copy of each user's current state (role, scope, token version), so a
 * token is checked against the database at most once per `ttlMs` per user. The TTL bounds how
 * long a revoked token keeps working in another process (never more than 60 s).
 */
export const DEFAULT_USER_STATE_TTL_MS = 30_000;
const MAX_ENTRIES = 10_000;

export class UserStateCache<T> {
  private readonly entries = new Map<string, { at: number; value: Promise<T | null> }>();

  constructor(
    private readonly load: (username: string) => Promise<T | null>,
    readonly ttlMs: number = DEFAULT_USER_STATE_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {
    if (!(ttlMs >= 0 && ttlMs <= 60_000)) throw new Error(`The user state cache must expire within 60 s (got ${ttlMs} ms)`);
  }

  get(username: string): Promise<T | null> {
    const now = this.now();
    const hit = this.entries.get(username);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    if (this.entries.size >= MAX_ENTRIES) this.evictStale(now);
    const value = this.load(username);
    if (this.ttlMs > 0) this.entries.set(username, { at: now, value });
    value.catch(() => this.entries.delete(username));
    return value;
  }

  /** This process changed the user: the next request reads the database. */
  forget(username: string): void {
    this.entries.delete(username);
  }

  private evictStale(now: number): void {
    for (const [key, entry] of this.entries) if (now - entry.at >= this.ttlMs) this.entries.delete(key);
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
  }
}
