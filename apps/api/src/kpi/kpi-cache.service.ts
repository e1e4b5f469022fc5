import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { AsyncLocalStorage } from 'async_hooks';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { APPLICATION_NAME, settings } from '@bu/config';
import { logger } from '@bu/logger';
import { compareLsn } from '../database/lsn';
import { TimedOut, withTimeout } from '../health/with-timeout';

// Computed KPI values, keyed by what they depend on and by the data versions they were computed at
// (ADR 0070; the DataVersionPerMunicipality migration). There is one version per municipality,
// one for the public statistics ('national') and one for everything ('*'): a municipality's
// import, settings, goals, comments or comparison groups move its own, a statistics import the
// national one, a product-wide setting everything. A value is kept under its municipality's
// version (and '*'), and under the national version too when it reads the statistics
// (`national`): so an import of one municipality leaves every other municipality's answers, and a
// statistics import every answer that reads no statistics. Concurrent requests for the same value
// wait for one computation. After a change, the answers asked for most recently of what moved are
// computed again in the background (one at a time), so the morning after the nightly import the
// dashboards open from the cache.
//
// Versions are learnt by LISTEN data_version (the trigger NOTIFYs the scope at commit), so a warm
// request reads nothing from the database. The moved version is read on the listening connection
// itself, not behind the pool's requests, and a request that arrives while that read is under way
// waits for it: once a process has heard of a change it gives no answer from before it. Until the
// listening connection is up, and whenever it is lost or stops answering (LISTENER_ANSWER_MS),
// every request reads the versions as before; the periodic check is a second safety net.

/** Bytes of cached values kept per API process; the oldest-used go first. */
const MAX_BYTES = settings().KPI_CACHE_MB * 1024 * 1024;
/**
 * Bytes of cached values one caller's requests may hold (ADR 0121): past it, that caller's own
 * oldest-used go first. So one user asking for ever new pages, dates or sets of KPIs recycles an
 * eighth of the cache, and pushes out at most that much of everyone else's.
 */
export const PER_CALLER_BYTES = MAX_BYTES / 8;
/** Answers recomputed after a change (the most recently asked); 0 turns it off. */
const REWARM = settings().KPI_REWARM;
/** How often an idle API process looks for a change (ms). */
const CHECK_MS = settings().KPI_VERSION_CHECK_MS;
/**
 * How long a request waits for the read a notification started, and the periodic check for the
 * listening connection to answer (ms). A connection gone without a word (a failover, a lost NAT
 * entry) never answers: then it is taken as lost, and the request reads on the pool.
 */
export const LISTENER_ANSWER_MS = 2000;

/** The cache's background work failed: logged at debug (see onModuleInit), never thrown. */
const quiet =
  (what: string) =>
  (error: Error): void =>
    logger().debug({ err: error }, `KPI cache ${what} failed: ${error.message}`);

/**
 * What a cached value depends on: one municipality's data (and, with `national`, the public
 * statistics), or, for 'any', every municipality's (a national user's list of municipalities).
 */
export interface Dependency {
  municipality: number | 'any';
  national?: boolean;
}

/** The scope every change of a product-wide setting (or a TRUNCATE) moves: everything depends on it. */
const ALL = '*';
const NATIONAL = 'national';

/** Whether a value with this dependency was computed from data a change of `moved` (scopes) changed. */
function touchedBy(dependency: { scope: string; national: boolean }, moved: ReadonlySet<string>): boolean {
  return moved.has(ALL) || dependency.scope === 'any' || moved.has(dependency.scope) || (dependency.national && moved.has(NATIONAL));
}

/** The data versions at one moment, and the primary's WAL position when each was learnt (ADR 0071). */
export class Versions {
  constructor(
    private readonly of: ReadonlyMap<string, bigint>,
    private readonly lsns: ReadonlyMap<string, string>,
  ) {}

  /** A scope's version: 0 for a municipality that has not changed since versions were kept per municipality. */
  version(scope: string): bigint {
    return this.of.get(scope) ?? 0n;
  }

  /** The scopes a value with this dependency depends on. */
  private scopes(dependency: Dependency): string[] {
    if (dependency.municipality === 'any') return [...this.of.keys()];
    return [ALL, String(dependency.municipality), ...(dependency.national ? [NATIONAL] : [])];
  }

  /**
   * The versions a value is kept under. For 'any', the sum of every version: each only grows, so
   * the sum is the same exactly when none has moved.
   */
  stamp(dependency: Dependency): string {
    if (dependency.municipality === 'any') return String([...this.of.values()].reduce((s, v) => s + v, 0n));
    return this.scopes(dependency)
      .map((s) => this.version(s))
      .join('.');
  }

  /** A WAL position at or after the commit that made each version the value depends on ('0/0' when none is known). */
  lsn(dependency: Dependency): string {
    let max = '0/0';
    for (const s of this.scopes(dependency)) {
      const at = this.lsns.get(s) ?? this.lsns.get(ALL);
      if (at !== undefined && compareLsn(at, max) > 0) max = at;
    }
    return max;
  }

  /** The same versions with some scopes moved (learnt at `lsn`). */
  with(moved: Map<string, bigint>, lsn: string): Versions {
    const of = new Map(this.of);
    const lsns = new Map(this.lsns);
    for (const [scope, version] of moved) {
      of.set(scope, version);
      lsns.set(scope, lsn);
    }
    return new Versions(of, lsns);
  }
}

interface Entry {
  value: unknown;
  bytes: number;
  /** The municipality (or 'any') the value was computed for, and whether it read the public statistics. */
  scope: string;
  national: boolean;
  /** Whose request computed it (chargedTo); undefined: nobody's, held by the cache's bound alone. */
  caller?: string;
}

/** A caller's entries, oldest-used first, and their bytes. */
interface Charged {
  keys: Set<string>;
  bytes: number;
}

interface Recent {
  scope: string;
  national: boolean;
  recompute: (at: Versions) => Promise<void>;
}

const isAnswer = (v: unknown): v is { body: Buffer; gzip?: Buffer } =>
  !!v && typeof v === 'object' && Buffer.isBuffer((v as { body?: unknown }).body);

@Injectable()
export class KpiCache implements OnModuleInit, OnModuleDestroy {
  private readonly entries = new Map<string, Entry>();
  private rewarmLimit = REWARM;
  /** Recently asked requests and how to answer them again at other versions; most recent last. */
  private readonly recent = new Map<string, Recent>();
  /** Answers to compute again after a change, most recently asked last. */
  private readonly queue = new Map<string, Recent>();
  private timer?: NodeJS.Timeout;
  /** The background recomputation after the last change (tests wait for it). */
  warming: Promise<void> = Promise.resolve();
  private warmingRuns = false;
  private readonly pending = new Map<string, Promise<unknown>>();
  private bytes = 0;
  /** The entries charged to each caller (ADR 0121). */
  private readonly charged = new Map<string, Charged>();
  private readonly caller = new AsyncLocalStorage<string>();
  /** The newest versions this process has seen (undefined before the first read). */
  private seen?: Versions;
  /** The LISTEN connection, when it is up and has read the versions once. */
  private listener?: Client;
  private listening = false;
  /** The read of the versions a notification announced, while it is under way (requests wait for it). */
  private notified?: Promise<Versions>;
  private stopped = false;
  private retry?: NodeJS.Timeout;
  hits = 0;
  misses = 0;
  /** Version reads from the database (a warm request with a listener reads none). */
  reads = 0;
  /** Answers computed again after a change, per municipality ('any': a national user's list). */
  readonly rewarmed: Record<string, number> = {};

  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async onModuleInit(): Promise<void> {
    // A failed check changes nothing (the next request reads the versions itself): debug only, or
    // a database outage would write a line every few seconds on top of the requests' own errors.
    if (CHECK_MS > 0)
      this.timer = setInterval(() => {
        void this.read().catch(quiet('version check'));
        void this.checkListener();
      }, CHECK_MS).unref();
    await this.listen().catch((e: Error) => (quiet('listen')(e), this.lost()));
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.retry);
    this.listening = false;
    await this.listener?.end().catch(() => undefined); // shutting down: a broken listener is as good as closed
    // Let the recomputation in progress finish its statement before the database pool closes.
    await Promise.race([this.warming, new Promise((r) => setTimeout(r, 5000).unref())]);
  }

  /**
   * Runs `work` with what it stores charged to `caller` (a user), within PER_CALLER_BYTES. A
   * re-warm runs in the context of the request it was asked in, so it is charged alike.
   */
  chargedTo<T>(caller: string, work: () => Promise<T>): Promise<T> {
    return this.caller.run(caller, work);
  }

  /** Bytes of cached values charged to `caller` (the tests). */
  bytesOf(caller: string): number {
    return this.charged.get(caller)?.bytes ?? 0;
  }

  /** A scope's newest version this process has seen ('' before the first read). */
  current(scope: string): string {
    return this.seen ? String(this.seen.version(scope)) : '';
  }

  /** Whether changes arrive by notification (a warm request then reads nothing). */
  get listens(): boolean {
    return this.listening;
  }

  private async listen(): Promise<void> {
    const url = (this.db.options as { url?: string }).url;
    if (!url || this.stopped) return;
    const client = new Client({ connectionString: url, application_name: APPLICATION_NAME.apiListener, keepAlive: true });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    // Read after the notification: it is sent at commit, so the read sees the new version. The
    // payload names the scope that moved: only its row is read. Each read waits for the one under
    // way, so the last one started ends after every earlier one.
    client.on('notification', (n) => {
      const earlier = this.notified?.catch(() => undefined);
      const reading = earlier ? earlier.then(() => this.read(n.payload || undefined, client)) : this.read(n.payload || undefined, client);
      this.notified = reading;
      reading.catch(quiet('version read')).finally(() => {
        if (this.notified === reading) this.notified = undefined;
      });
    });
    this.listener = client;
    await client.connect();
    await client.query('LISTEN data_version');
    // Anything committed before LISTEN took effect is caught by this read.
    await this.read();
    if (this.listener === client && !this.stopped) this.listening = true;
  }

  /** The listening connection is gone: read the versions per request, and listen again in a second. */
  private lost(client?: Client): void {
    if (client && client !== this.listener) return;
    this.listening = false;
    this.listener = undefined;
    // A read on that connection is not waited for: requests read for themselves until it is back.
    this.notified = undefined;
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.listen().catch((e: Error) => (quiet('listen')(e), this.lost()));
    }, 1000).unref();
    client?.end().catch(() => undefined); // already lost
  }

  /**
   * Notes a request as asked, so its answer is computed again (into this cache) after the next
   * change of what it depends on.
   */
  remember(key: string, dependency: Dependency, recompute: (at: Versions) => Promise<void>): void {
    if (this.rewarmLimit <= 0) return;
    this.recent.delete(key);
    // Computed again later, outside the request: in the request's municipality scope (row-level
    // security), not in whichever request's happens to start the re-warm. Charged to nobody (ADR
    // 0121): the last user to ask an answer must not own, and with their own pages push out, the
    // answers the re-warm keeps for everyone (KPI_REWARM bounds them).
    const inContext = AsyncLocalStorage.snapshot();
    this.recent.set(key, {
      scope: String(dependency.municipality),
      national: !!dependency.national,
      recompute: (at) => inContext(() => this.caller.exit(() => recompute(at))),
    });
    if (this.recent.size > this.rewarmLimit) this.recent.delete(this.recent.keys().next().value!);
  }

  /** How many recently asked answers are computed again after a change (KPI_REWARM; tests turn it off with 0). */
  setRewarm(limit: number): void {
    this.rewarmLimit = limit;
    for (const key of [...this.recent.keys()].slice(0, Math.max(0, this.recent.size - limit))) this.recent.delete(key);
  }

  /** Computes again, one at a time and the most recently asked first, the recent answers a change touched. */
  private rewarm(moved: ReadonlySet<string>): void {
    for (const [key, job] of this.recent) {
      if (!touchedBy(job, moved)) continue;
      this.queue.delete(key);
      this.queue.set(key, job);
    }
    if (this.warmingRuns || this.queue.size === 0) return;
    this.warmingRuns = true;
    this.warming = (async () => {
      try {
        while (this.queue.size > 0 && !this.stopped) {
          const [key, job] = [...this.queue].pop()!;
          this.queue.delete(key);
          this.rewarmed[job.scope] = (this.rewarmed[job.scope] ?? 0) + 1;
          // At the versions of now: a later change re-queues what it touches.
          await job.recompute(this.seen!).catch(quiet('re-warm')); // the next request computes it
        }
      } finally {
        this.warmingRuns = false;
      }
    })();
  }

  /** The data versions now, asked once per request before anything is computed; read only without a listener. */
  async versions(): Promise<Versions> {
    if (this.notified) return this.afterNotified(this.notified);
    return this.listening && this.seen ? this.seen : this.read();
  }

  /**
   * The versions from the read a notification started; if it fails (its connection lost) or does
   * not answer within LISTENER_ANSWER_MS, the request reads for itself, and a listener that does not
   * answer is taken as lost.
   */
  private async afterNotified(reading: Promise<Versions>): Promise<Versions> {
    try {
      return await withTimeout(reading, LISTENER_ANSWER_MS);
    } catch (error) {
      if (error instanceof TimedOut && this.notified === reading) this.lost(this.listener);
      return this.read();
    }
  }

  /**
   * The periodic check of the listening connection: one that does not answer within
   * LISTENER_ANSWER_MS is taken as lost (and listened anew), so that notifications are not missed
   * for longer than the check's interval on a connection gone without a word.
   */
  async checkListener(): Promise<void> {
    const client = this.listening ? this.listener : undefined;
    if (!client) return;
    const answered = await withTimeout(client.query('SELECT 1'), LISTENER_ANSWER_MS).then(
      () => true,
      () => false,
    );
    if (!answered) this.lost(client);
  }

  /**
   * Reads the data versions (of one scope, or all) from the database (on the pool, or on the
   * connection given), with the WAL position of the read; a moved version drops the values that
   * depend on it.
   */
  async read(scope?: string, on?: Client): Promise<Versions> {
    this.reads++;
    // Straight on the driver's pool: TypeORM's query runner costs more than the query. The insert
    // position is at or after the commit record of every version this read sees (ADR 0071).
    const sql = `SELECT scope, version::text AS version, pg_current_wal_insert_lsn()::text AS lsn FROM data_version${scope ? ' WHERE scope = $1' : ''}`;
    const params = scope ? [scope] : [];
    type Row = { scope: string; version: string; lsn: string };
    const pool = (this.db.driver as unknown as { master?: { query(sql: string, params: unknown[]): Promise<{ rows: Row[] }> } }).master;
    const rows: Row[] = on
      ? (await on.query<Row>(sql, params)).rows
      : pool
        ? (await pool.query(sql, params)).rows
        : await this.db.query(sql, params);
    const moved = new Map<string, bigint>();
    // A version only grows; of two reads in flight, the one that answered with an older version lost the race.
    for (const row of rows) if (!this.seen || BigInt(row.version) > this.seen.version(row.scope)) moved.set(row.scope, BigInt(row.version));
    if (moved.size === 0) return this.seen ?? new Versions(new Map(), new Map([[ALL, rows[0]?.lsn ?? '0/0']]));
    const first = !this.seen;
    this.seen = (this.seen ?? new Versions(new Map(), new Map())).with(moved, rows[0].lsn);
    if (!first) {
      // Nothing computed before the change from what changed will be read again.
      const scopes = new Set(moved.keys());
      for (const [k, e] of this.entries) if (touchedBy(e, scopes)) this.drop(k, e);
      this.rewarm(scopes);
    }
    return this.seen;
  }

  async get<T>(at: Versions, dependency: Dependency, key: string, compute: () => Promise<T>): Promise<T> {
    return (await this.lookup(at, dependency, key, compute)).value;
  }

  /** The value and whether it came from the cache (a request that waited for another's computation: not). */
  async lookup<T>(at: Versions, dependency: Dependency, key: string, compute: () => Promise<T>): Promise<{ value: T; hit: boolean }> {
    const scope = String(dependency.municipality);
    const full = `${scope}|${at.stamp(dependency)}|${key}`;
    const entry = this.entries.get(full);
    if (entry) {
      this.hits++;
      // Map order is insertion order: re-inserting marks the entry as the most recently used.
      this.entries.delete(full);
      this.entries.set(full, entry);
      const charged = entry.caller === undefined ? undefined : this.charged.get(entry.caller);
      charged?.keys.delete(full);
      charged?.keys.add(full);
      return { value: entry.value as T, hit: true };
    }
    const running = this.pending.get(full);
    if (running) return { value: (await running) as T, hit: false };
    this.misses++;
    const caller = this.caller.getStore();
    const computing = compute().then(
      (value) => {
        this.pending.delete(full);
        // Stored only while its versions are current: a value computed at versions a change has
        // since moved on is never read again (its stamp is never asked for).
        if (at.stamp(dependency) === this.seen?.stamp(dependency)) this.store(full, value, scope, !!dependency.national, caller);
        return value;
      },
      (error) => {
        this.pending.delete(full);
        throw error;
      },
    );
    this.pending.set(full, computing);
    return { value: await computing, hit: false };
  }

  private store(key: string, value: unknown, scope: string, national: boolean, caller: string | undefined): void {
    // Serialised answers count their bytes; other values about their JSON length.
    const bytes =
      key.length +
      (Buffer.isBuffer(value)
        ? value.length
        : isAnswer(value)
          ? value.body.length + (value.gzip?.length ?? 0)
          : (JSON.stringify(value) ?? '').length);
    if (bytes > (caller === undefined ? MAX_BYTES / 4 : PER_CALLER_BYTES)) return;
    const before = this.entries.get(key);
    if (before) this.drop(key, before);
    this.entries.set(key, { value, bytes, scope, national, caller });
    this.bytes += bytes;
    if (caller !== undefined) {
      const charged = this.charged.get(caller) ?? { keys: new Set<string>(), bytes: 0 };
      this.charged.set(caller, charged);
      charged.keys.add(key);
      charged.bytes += bytes;
      // The caller's own oldest go first, before anyone else's.
      for (const k of charged.keys) {
        if (charged.bytes <= PER_CALLER_BYTES) break;
        this.drop(k, this.entries.get(k)!);
      }
    }
    for (const [k, e] of this.entries) {
      if (this.bytes <= MAX_BYTES) break;
      this.drop(k, e);
    }
  }

  private drop(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
    const charged = entry.caller === undefined ? undefined : this.charged.get(entry.caller);
    if (!charged) return;
    charged.keys.delete(key);
    charged.bytes -= entry.bytes;
    if (charged.keys.size === 0) this.charged.delete(entry.caller!);
  }
}
