import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

// Computed KPI values, keyed by what they depend on and by the data version (see the DataVersion
// migration): an import, a settings, goal or comparison-group change moves the version, and every
// entry computed before it is never read again. Concurrent requests for the same value wait for
// one computation instead of running the same SQL fifty times.

/** Bytes of cached values kept per API process; the oldest-used go first. */
const MAX_BYTES = Number(process.env.KPI_CACHE_MB ?? 256) * 1024 * 1024;

interface Entry {
  value: unknown;
  bytes: number;
}

const isAnswer = (v: unknown): v is { body: Buffer; gzip?: Buffer } => !!v && typeof v === 'object' && Buffer.isBuffer((v as { body?: unknown }).body);

@Injectable()
export class KpiCache {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<unknown>>();
  private bytes = 0;
  private seen = '';
  hits = 0;
  misses = 0;

  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** The data version now; read once per request, before anything is computed. */
  async version(): Promise<string> {
    // Straight on the driver's pool: this runs on every request, TypeORM's query runner costs more than the query.
    const pool = (this.db.driver as unknown as { master?: { query(sql: string): Promise<{ rows: { version: string }[] }> } }).master;
    const [row] = pool ? (await pool.query('SELECT version::text AS version FROM data_version')).rows : await this.db.query('SELECT version::text AS version FROM data_version');
    if (row.version !== this.seen) {
      // Nothing computed before the change will be read again.
      this.entries.clear();
      this.bytes = 0;
      this.seen = row.version;
    }
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
    const bytes = key.length + (Buffer.isBuffer(value) ? value.length : isAnswer(value) ? value.body.length + (value.gzip?.length ?? 0) : (JSON.stringify(value) ?? '').length);
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
