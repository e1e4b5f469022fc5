import { HttpException, HttpStatus } from '@nestjs/common';
import { isIPv4, isIPv6 } from 'net';
import type { LoginStep } from '@bu/contracts';
import { LOGIN_ATTEMPT_MEMORY, maskedPrefix } from '@bu/domain';

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
 *
 * Wrong one-time codes (ADR 0116) have a counter of their own per username (`code`), which blocks
 * and remembers a day: only someone who has the user's password can make one, so a guesser with
 * that password and many addresses is held to a few codes a day, and the real user, whose
 * password it is, is the one to be stopped if need be (a new password ends it).
 */
export interface Limit {
  free: number;
  baseSeconds: number;
  capSeconds: number;
  blocks: boolean;
}

/** The password's counters. */
export type LoginKind = 'ip' | 'user' | 'user_ip';
export type AttemptKind = LoginKind | 'code';

export const LIMITS: Record<LoginKind, Limit> = {
  user_ip: { free: 5, baseSeconds: 1, capSeconds: 15 * 60, blocks: true },
  ip: { free: 30, baseSeconds: 1, capSeconds: 15 * 60, blocks: true },
  user: { free: 10, baseSeconds: 1, capSeconds: 8, blocks: false },
};

/** The `code` counter: five wrong codes, then a wait from a minute doubling to an hour. */
export const CODE_LIMIT: Limit = { free: 5, baseSeconds: 60, capSeconds: 3600, blocks: true };

const WINDOW = LOGIN_ATTEMPT_MEMORY.password;
/** The `code` counter starts over only a day after its last wrong code. */
const CODE_WINDOW = LOGIN_ATTEMPT_MEMORY.code;

/** The rows past their use at `now` (an SQL expression): their wait is over and their window too. */
const FORGOTTEN = (now: string): string =>
  `next_allowed_at < ${now} AND last_failure_at < ${now} - CASE WHEN kind = 'code' THEN interval '${CODE_WINDOW}' ELSE interval '${WINDOW}' END`;
const PRUNE_EVERY_MS = 60_000;

type Query = (sql: string, params: unknown[]) => Promise<{ kind: AttemptKind; wait: number }[]>;

export class LoginThrottle {
  private lastPrune = 0;

  constructor(
    private readonly query: Query,
    private readonly limits: Record<LoginKind, Limit> = LIMITS,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  private keys(username: string, address: string): Record<LoginKind, string> {
    const user = userKey(username);
    const at = addressKey(address);
    return { ip: at, user, user_ip: `${user}|${at}` };
  }

  /**
   * Counts this attempt as a failure before its password is checked (the right password undoes it,
   * see succeed), and refuses (429) while a blocking limit waits; holds the request while the
   * username's limit waits. Each counter is one upsert that also says whether it was waiting, under
   * the row's lock: concurrent guesses queue there, so a burst cannot pass before it is counted.
   * A refused attempt counts nowhere.
   */
  async check(username: string, address: string): Promise<void> {
    const keys = this.keys(username, address);
    let slow = 0;
    // Blocking counters first: a refusal stops before the others are touched.
    for (const kind of ['user_ip', 'ip', 'user'] as const) {
      const limit = this.limits[kind];
      const wait = await this.count(kind, keys[kind], limit, WINDOW);
      if (!(wait > 0)) continue;
      if (limit.blocks) throw tooMany(wait, 'mislykkede login-forsøg');
      slow = Math.min(wait, limit.capSeconds);
    }
    if (slow > 0) await this.sleep(slow * 1000);
  }

  /**
   * Counts a one-time code as wrong before it is checked (the right one undoes it, see succeed),
   * and refuses (429) while the username's wrong codes wait (CODE_LIMIT).
   */
  async checkCode(username: string): Promise<void> {
    const wait = await this.count('code', codeKey(username), CODE_LIMIT, CODE_WINDOW);
    if (wait > 0) throw tooMany(wait, 'forkerte engangskoder', { secondFactor: 'code-blocked' satisfies LoginStep });
  }

  /**
   * One counter's upsert, which also says how long it was waiting (0: not), under the row's lock:
   * concurrent guesses queue there, so a burst cannot pass before it is counted.
   */
  private async count(kind: AttemptKind, key: string, { free, baseSeconds, capSeconds, blocks }: Limit, window: string): Promise<number> {
    // now() is when the statement's transaction began, not when it got the row's lock: a guess
    // that began first may be counted after a later one, so below `free` nothing ever waits.
    const waiting = 'a.failures >= $3 AND a.next_allowed_at > now()';
    // A blocked attempt is refused and counts nowhere; a slowed one (per username) still counts.
    const held = blocks ? waiting : 'false';
    const failures = `CASE WHEN ${held} THEN a.failures WHEN a.last_failure_at < now() - interval '${window}' THEN 1 ELSE a.failures + 1 END`;
    const [row] = await this.query(
      `INSERT INTO login_attempt AS a (kind, key, failures, last_failure_at, next_allowed_at, held_seconds) VALUES ($1, $2, 1, now(), ${waitUntil('1')}, 0)
       ON CONFLICT (kind, key) DO UPDATE SET held_seconds = CASE WHEN a.failures >= $3 THEN greatest(extract(epoch FROM a.next_allowed_at - now())::float8, 0) ELSE 0 END, failures = ${failures},
         last_failure_at = CASE WHEN ${held} THEN a.last_failure_at ELSE now() END,
         next_allowed_at = CASE WHEN ${held} THEN a.next_allowed_at ELSE ${waitUntil(failures)} END
       RETURNING kind, held_seconds AS wait`,
      [kind, key, free, baseSeconds, capSeconds],
    );
    return row.wait;
  }

  /** A wrong password: already counted by check; old rows are pruned now and then. */
  async fail(): Promise<void> {
    if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = Date.now();
      await this.query(`DELETE FROM login_attempt WHERE ${FORGOTTEN('now()')}`, []);
    }
  }

  /**
   * The right password: this username's counters start over; the address's loses only this
   * attempt's count (a valid account must not reset it, and an office's logins must not add up).
   */
  async succeed(username: string, address: string): Promise<void> {
    const keys = this.keys(username, address);
    await this.query(`DELETE FROM login_attempt WHERE (kind, key) IN (('user', $1), ('user_ip', $2), ('code', $3))`, [
      keys.user,
      keys.user_ip,
      codeKey(username),
    ]);
    await this.query(
      `UPDATE login_attempt SET failures = failures - 1, next_allowed_at = CASE WHEN failures - 1 < $2 THEN now() ELSE next_allowed_at END
       WHERE kind = 'ip' AND key = $1 AND failures > 0`,
      [keys.ip, this.limits.ip.free],
    );
  }

  /**
   * The right password of a user whose one-time code is asked next: not a failure, so this attempt's
   * count is taken back from each counter, and nothing more (the username's earlier failures stay
   * until the whole login succeeds). Its wait goes too: a blocking counter was not waiting, or this
   * attempt would have been refused, so the code that follows is not held back by the password.
   */
  async release(username: string, address: string): Promise<void> {
    const keys = this.keys(username, address);
    await this.query(
      `UPDATE login_attempt SET failures = failures - 1, next_allowed_at = now()
       WHERE (kind, key) IN (('ip', $1), ('user', $2), ('user_ip', $3)) AND failures > 0`,
      [keys.ip, keys.user, keys.user_ip],
    );
  }
}

/**
 * A username as the counters know it: letter case and spaces around it make no new name; a CPR
 * number typed as one is kept masked (no username may look like one).
 */
const userKey = (username: string): string => maskedPrefix(String(username).trim().toLowerCase(), 128);

/**
 * The wrong codes' key: the user exactly as the login found it (only a user who exists and whose
 * password was right gets this far), so two users whose names differ in case keep apart.
 */
export const codeKey = (username: string): string => String(username).slice(0, 128);

/** When a counter's wait ends after `f` failures ($3 free, $4 base, $5 cap seconds): doubling past the free ones. */
const waitUntil = (f: string): string =>
  `now() + make_interval(secs => CASE WHEN ${f} >= $3 THEN least($5::float8, $4::float8 * 2 ^ least(${f} - $3, 30)) ELSE 0 END)`;

/** 429, with when to try again (also for the Retry-After header). */
function tooMany(wait: number, what: string, more: Record<string, string> = {}): HttpException {
  const seconds = Math.max(1, Math.ceil(wait));
  return new HttpException(
    {
      statusCode: 429,
      message: `For mange ${what}. Prøv igen om ${seconds} ${seconds === 1 ? 'sekund' : 'sekunder'}.`,
      retryAfter: seconds,
      ...more,
    },
    HttpStatus.TOO_MANY_REQUESTS,
  );
}

/**
 * What an address is counted as: an IPv4 address as it is (also written IPv4-mapped, ::ffff:a.b.c.d),
 * an IPv6 address by its /64, the smallest network a provider gives one subscriber: one client
 * may use every address of it, and would otherwise get the free attempts once per address.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped && isIPv4(mapped[1])) return mapped[1];
  if (!isIPv6(address)) return address;
  const [head, tail = ''] = address.split('%')[0].split('::');
  const groups = (part: string) => (part ? part.split(':') : []);
  const left = groups(head);
  const right = tail === '' && !address.includes('::') ? [] : groups(tail);
  // An embedded IPv4 tail is two groups; the /64 never reaches it (it is in the last 32 bits).
  const width = (g: string[]) => g.reduce((n, x) => n + (x.includes('.') ? 2 : 1), 0);
  const full = [...left, ...Array<string>(Math.max(0, 8 - width(left) - width(right))).fill('0'), ...right];
  return `${full
    .slice(0, 4)
    .map((g) => (parseInt(g, 16) || 0).toString(16))
    .join(':')}::/64`;
}
