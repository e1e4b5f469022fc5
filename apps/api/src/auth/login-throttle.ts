import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * Failed logins, counted in PostgreSQL (table login_attempt) so every API process sees the same
 * counts, per client address, per username and per (username, address). After `free` failures
 * each further failure sets a wait that doubles, up to `capSeconds`:
 *  - per (username, address) and per address the wait blocks (429): one client cannot keep guessing;
 *  - per username (from any address) the wait only slows: the answer is held back up to
 *    `capSeconds`, never refused. So an attacker elsewhere cannot lock the real user out: from
 *    the user's own address the two blocking counters are clean, and the login succeeds after
 *    the short wait. A distributed guesser is blocked per address and slowed per username.
 * Failures older than WINDOW are forgotten; such rows are pruned, so the table holds at most the
 * last hour's failures.
 */
export interface Limit {
  free: number;
  baseSeconds: number;
  capSeconds: number;
  blocks: boolean;
}

export type AttemptKind = 'ip' | 'user' | 'user_ip';

export const LIMITS: Record<AttemptKind, Limit> = {
  user_ip: { free: 5, baseSeconds: 1, capSeconds: 15 * 60, blocks: true },
  ip: { free: 30, baseSeconds: 1, capSeconds: 15 * 60, blocks: true },
  user: { free: 10, baseSeconds: 1, capSeconds: 8, blocks: false },
};

const WINDOW = '1 hour';
const PRUNE_EVERY_MS = 60_000;

type Query = (sql: string, params: unknown[]) => Promise<{ kind: AttemptKind; wait: number }[]>;

export class LoginThrottle {
  private lastPrune = 0;

  constructor(
    private readonly query: Query,
    private readonly limits: Record<AttemptKind, Limit> = LIMITS,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  private keys(username: string, address: string): Record<AttemptKind, string> {
    const user = String(username).trim().toLowerCase().slice(0, 128);
    return { ip: address, user, user_ip: `${user}|${address}` };
  }

  /** Refuses (429) while a blocking limit waits; holds the request while the username's limit waits. */
  async check(username: string, address: string): Promise<void> {
    const keys = this.keys(username, address);
    const rows = await this.query(
      `SELECT kind, extract(epoch FROM next_allowed_at - now())::float8 AS wait FROM login_attempt
       WHERE (kind, key) IN (('ip', $1), ('user', $2), ('user_ip', $3)) AND next_allowed_at > now()`,
      [keys.ip, keys.user, keys.user_ip],
    );
    const blocked = rows.filter((r) => this.limits[r.kind].blocks).reduce((m, r) => Math.max(m, r.wait), 0);
    if (blocked > 0) {
      const seconds = Math.ceil(blocked);
      throw new HttpException({ statusCode: 429, message: `For mange mislykkede login-forsøg. Prøv igen om ${seconds} ${seconds === 1 ? 'sekund' : 'sekunder'}.`, retryAfter: seconds }, HttpStatus.TOO_MANY_REQUESTS);
    }
    const slow = rows.find((r) => r.kind === 'user');
    if (slow) await this.sleep(Math.min(slow.wait, this.limits.user.capSeconds) * 1000);
  }

  async fail(username: string, address: string): Promise<void> {
    const keys = this.keys(username, address);
    for (const kind of Object.keys(keys) as AttemptKind[]) {
      const { free, baseSeconds, capSeconds } = this.limits[kind];
      const failures = `CASE WHEN a.last_failure_at < now() - interval '${WINDOW}' THEN 1 ELSE a.failures + 1 END`;
      const wait = (f: string) => `now() + make_interval(secs => CASE WHEN ${f} >= $3 THEN least($5::float8, $4::float8 * 2 ^ least(${f} - $3, 30)) ELSE 0 END)`;
      await this.query(
        `INSERT INTO login_attempt AS a (kind, key, failures, last_failure_at, next_allowed_at) VALUES ($1, $2, 1, now(), ${wait('1')})
         ON CONFLICT (kind, key) DO UPDATE SET failures = ${failures}, last_failure_at = now(), next_allowed_at = ${wait(failures)}`,
        [kind, keys[kind], free, baseSeconds, capSeconds],
      );
    }
    if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = Date.now();
      await this.query(`DELETE FROM login_attempt WHERE last_failure_at < now() - interval '${WINDOW}' AND next_allowed_at < now()`, []);
    }
  }

  /** The right password: this username's counters start over (not the address's: a valid account must not reset it). */
  async succeed(username: string, address: string): Promise<void> {
    const keys = this.keys(username, address);
    await this.query(`DELETE FROM login_attempt WHERE (kind, key) IN (('user', $1), ('user_ip', $2))`, [keys.user, keys.user_ip]);
  }
}
