import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { AsyncLocalStorage } from 'async_hooks';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { settings } from '@bu/config';
import { logger } from '@bu/logger';

// Computed KPI values, keyed by what they depend on and by the data version (see the DataVersion
// migration): an import, a settings, goal or comparison-group change moves the version, and every
// entry computed before it is never read again. Concurrent requests for the same value wait for
// one computation instead of running the same SQL fifty times. After a change, the answers asked
// for most recently are computed again in the background (one at a time), so the morning after
// the nightly import the dashboards open from the cache.
//
// The version is learnt by LISTEN data_version (the trigger NOTIFYs at commit), so a warm request
// reads nothing from the database. Until the listening connection is up, and whenever it is lost,
// every request reads the version as before; the periodic check is a second safety net.

/** Bytes of cached values kept per API process; the oldest-used go first. */
const MAX_BYTES = settings().KPI_CACHE_MB * 1024 * 1024;
/** Answers recomputed after a change (the most recently asked); 0 turns it off. */
const REWARM = settings().KPI_REWARM;
/** How often an idle API process looks for a change (ms). */
const CHECK_MS = settings().KPI_VERSION_CHECK_MS;

/** The cache's background work failed: logged at debug (see onModuleInit), never thrown. */
const quiet =
  (what: string) =>
  (error: Error): void =>
    logger().debug({ err: error }, `KPI cache ${what} failed: ${error.message}`);

interface Entry {
  value: unknown;
  bytes: number;
}

const isAnswer = (v: unknown): v is { body: Buffer; gzip?: Buffer } =>
  !!v && typeof v === 'object' && Buffer.isBuffer((v as { body?: unknown }).body);

@Injectable()
export class KpiCache implements OnModuleInit, OnModuleDestroy {
  private readonly entries = new Map<string, Entry>();
  /** Recently asked requests and how to answer them again at another version; most recent last. */
  private readonly recent = new Map<string, (version: string) => Promise<void>>();
  private timer?: NodeJS.Timeout;
  /** The background recomputation after the last change (tests wait for it). */
  warming: Promise<void> = Promise.resolve();
  private readonly pending = new Map<string, Promise<unknown>>();
  private bytes = 0;
  private seen = '';
  /** The LISTEN connection, when it is up and has read the version once. */
  private listener?: Client;
  private listening = false;
  private stopped = false;
  private retry?: NodeJS.Timeout;
  hits = 0;
  misses = 0;
  /** Versions read from the database (a warm request with a listener reads none). */
  reads = 0;

  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async onModuleInit(): Promise<void> {
    // A failed check changes nothing (the next request reads the version itself): debug only, or
    // a database outage would write a line every few seconds on top of the requests' own errors.
    if (CHECK_MS > 0) this.timer = setInterval(() => void this.read().catch(quiet('version check')), CHECK_MS).unref();
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

  /** The newest data version this process has seen ('' before the first read). */
  get current(): string {
    return this.seen;
  }

  /** Whether changes arrive by notification (a warm request then reads nothing). */
  get listens(): boolean {
    return this.listening;
  }

  private async listen(): Promise<void> {
    const url = (this.db.options as { url?: string }).url;
    if (!url || this.stopped) return;
    const client = new Client({ connectionString: url, application_name: 'boerneblik-kpi-cache' });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    // Read after the notification: it is sent at commit, so the read sees the new version.
    client.on('notification', () => void this.read().catch(quiet('version read')));
    this.listener = client;
    await client.connect();
    await client.query('LISTEN data_version');
    // Anything committed before LISTEN took effect is caught by this read.
    await this.read();
    if (this.listener === client && !this.stopped) this.listening = true;
  }

  /** The listening connection is gone: read the version per request, and listen again in a second. */
  private lost(client?: Client): void {
    if (client && client !== this.listener) return;
    this.listening = false;
    this.listener = undefined;
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.listen().catch((e: Error) => (quiet('listen')(e), this.lost()));
    }, 1000).unref();
    client?.end().catch(() => undefined); // already lost
  }

  /** Notes a request as asked, so its answer is computed again (into this cache) after the next change. */
  remember(key: string, recompute: (version: string) => Promise<void>): void {
    if (REWARM <= 0) return;
    this.recent.delete(key);
    // Computed again later, outside the request: in the request's municipality scope (row-level
    // security), not in whichever request's happens to start the re-warm.
    const inContext = AsyncLocalStorage.snapshot();
    this.recent.set(key, (version) => inContext(() => recompute(version)));
    if (this.recent.size > REWARM) this.recent.delete(this.recent.keys().next().value!);
  }

  private rewarm(version: string): void {
    const jobs = [...this.recent].reverse();
    // After the previous re-warm has stopped (it stops at its next job), so one runs at a time and
    // awaiting `warming` awaits every statement in flight.
    const previous = this.warming;
    this.warming = (async () => {
      await previous;
      for (const [, recompute] of jobs) {
        if (this.seen !== version || this.stopped) return; // another change came (that one re-warms), or shutting down
        await recompute(version).catch(quiet('re-warm')); // the next request computes it
      }
    })();
  }

  /** The data version now, asked once per request before anything is computed; read only without a listener. */
  async version(): Promise<string> {
    return this.listening && this.seen !== '' ? this.seen : this.read();
  }

  /** Reads the data version from the database; a new one drops every cached value. */
  async read(): Promise<string> {
    this.reads++;
    // Straight on the driver's pool: TypeORM's query runner costs more than the query.
    const pool = (this.db.driver as unknown as { master?: { query(sql: string): Promise<{ rows: { version: string }[] }> } }).master;
    const [row] = pool
      ? (await pool.query('SELECT version::text AS version FROM data_version')).rows
      : await this.db.query('SELECT version::text AS version FROM data_version');
    // The version only grows; of two reads in flight, the one that answered with an older version lost the race.
    if (this.seen !== '' && BigInt(row.version) <= BigInt(this.seen)) return this.seen;
    // Nothing computed before the change will be read again.
    this.entries.clear();
    this.bytes = 0;
    const first = this.seen === '';
    this.seen = row.version;
    if (!first) this.rewarm(row.version);
    return row.version;
  }

  async get<T>(version: string, key: string, compute: () => Promise<T>): Promise<T> {
    const full = `${version}|${key}`;
    const entry = this.entries.get(full);
    if (entry) {
      this.hits++;
      // Map order is insertion order: re-inserting marks the entry as the most recently used.
      this.entries.delete(full);
      this.entries.set(full, entry);
      return entry.value as T;
    }
    const running = this.pending.get(full);
    if (running) return running as Promise<T>;
    this.misses++;
    const computing = compute().then(
      (value) => {
        this.pending.delete(full);
        this.store(full, value);
        return value;
      },
      (error) => {
        this.pending.delete(full);
        throw error;
      },
    );
    this.pending.set(full, computing);
    return computing;
  }

  private store(key: string, value: unknown): void {
    // Serialised answers count their bytes; other values about their JSON length.
    const bytes =
      key.length +
      (Buffer.isBuffer(value)
        ? value.length
        : isAnswer(value)
          ? value.body.length + (value.gzip?.length ?? 0)
          : (JSON.stringify(value) ?? '').length);
    if (bytes > MAX_BYTES / 4) return;
    this.entries.set(key, { value, bytes });
    this.bytes += bytes;
    for (const [k, e] of this.entries) {
      if (this.bytes <= MAX_BYTES) break;
      this.entries.delete(k);
      this.bytes -= e.bytes;
    }
  }
}
