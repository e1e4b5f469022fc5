import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { APPLICATION_NAME, CONNECTIONS } from '@bu/config';
import { KPI_CONNECTION_IDLE_MS, SESSION_OPTIONS } from '@bu/db';
import type { Query } from '@bu/kpi';
import { logger } from '@bu/logger';
import { watchPool } from '@bu/metrics';
import { APP_CONFIG, type AppConfig } from '../config';
import { databaseFailure } from './database-unavailable.filter';
import { compareLsn } from './lsn';
import { scopedPg } from './scoped-pg';

// The KPI reads on a streaming-replication standby (DATABASE_REPLICA_URL, ADR 0071), as the role
// bu_api in the request's municipality scope like the primary's connections (scoped-pg.ts). A read
// goes there only when the standby has replayed the WAL up to a position at or after the commit
// that made the data version the answer is cached under (the KPI cache reads that position with
// the version); else it goes to the primary. So a figure computed on a standby that lags is never
// kept under a version whose data it has not seen.

/** Where the KPI reads of one answer run. */
export interface Reader {
  query: Query;
  /** 'replica' or 'primary', for the counters and the tests. */
  on: 'replica' | 'primary';
}

@Injectable()
export class ReadReplica implements OnApplicationShutdown {
  private readonly pool?: Pool;
  /** The standby's replay position when last asked; it only grows. */
  private replayed = '0/0';
  private asking?: Promise<string>;
  /** After a failure the standby is not asked again before this time (ms): meanwhile every read is on the primary. */
  private retryAt = 0;
  private warned = false;
  /** Takes the standby's pool out of the metrics (nothing without one). */
  private unwatch: () => void = () => undefined;
  /** Answers whose reads went to the standby, and to the primary. */
  onReplica = 0;
  onPrimary = 0;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(DataSource) private readonly db: DataSource,
  ) {
    if (!config.databaseReplicaUrl) return;
    this.pool = new scopedPg.Pool({
      connectionString: config.databaseReplicaUrl,
      application_name: APPLICATION_NAME.apiReplica,
      options: SESSION_OPTIONS,
      max: CONNECTIONS.apiReplica,
      keepAlive: true,
      idleTimeoutMillis: KPI_CONNECTION_IDLE_MS,
      ...(config.statementTimeoutMs ? { statement_timeout: config.statementTimeoutMs } : {}),
      ...(config.dbConnectTimeoutMs ? { connectionTimeoutMillis: config.dbConnectTimeoutMs } : {}),
    });
    // An idle connection that breaks (the standby restarts) is dropped by the pool; the next read asks again.
    this.pool.on('error', () => undefined);
    this.unwatch = watchPool(APPLICATION_NAME.apiReplica, this.pool);
  }

  async onApplicationShutdown(): Promise<void> {
    this.unwatch();
    await this.pool?.end().catch(() => undefined); // shutting down
  }

  /** Whether a standby is configured. */
  get configured(): boolean {
    return !!this.pool;
  }

  private readonly primary: Query = (sql, params) => this.db.query(sql, params);

  /** The reads of an answer whose data is in the WAL up to `lsn`: on the standby when it has replayed that far, else on the primary. */
  async reader(lsn: string): Promise<Reader> {
    const pool = this.pool;
    if (pool && Date.now() >= this.retryAt && (compareLsn(this.replayed, lsn) >= 0 || compareLsn(await this.replay(), lsn) >= 0)) {
      this.onReplica++;
      return {
        on: 'replica',
        query: async (sql, params) => {
          try {
            return (await pool.query(sql, params)).rows;
          } catch (e) {
            // The standby went away, or cancelled the statement for a conflict with its replay
            // (40001, 40P01): the primary answers it, and the next reads, for a while.
            const code = (e as { code?: string }).code;
            if (databaseFailure(e) !== 'down' && code !== '40001' && code !== '40P01') throw e;
            this.failed(e as Error);
            return this.primary(sql, params);
          }
        },
      };
    }
    this.onPrimary++;
    return { on: 'primary', query: this.primary };
  }

  /** Asks the standby how far it has replayed (one question at a time); '0/0' when it cannot say. */
  private replay(): Promise<string> {
    this.asking ??= (async () => {
      try {
        const { rows } = await this.pool!.query<{ lsn: string | null }>('SELECT pg_last_wal_replay_lsn()::text AS lsn');
        // NULL: not a standby (nothing says how far it is): every read stays on the primary.
        if (rows[0].lsn === null) this.warnOnce('DATABASE_REPLICA_URL is not a standby in recovery; KPI reads stay on the primary');
        else {
          if (compareLsn(rows[0].lsn, this.replayed) > 0) this.replayed = rows[0].lsn;
          this.warned = false;
        }
      } catch (e) {
        this.failed(e as Error);
      } finally {
        this.asking = undefined;
      }
      return this.replayed;
    })();
    return this.asking;
  }

  /** The standby failed: forget how far it was, and leave it alone for 5 s. */
  private failed(error: Error): void {
    this.replayed = '0/0';
    this.retryAt = Date.now() + 5000;
    this.warnOnce(`The read replica failed (${error.message}); KPI reads go to the primary`);
  }

  private warnOnce(message: string): void {
    if (this.warned) return;
    this.warned = true;
    logger().warn(message);
  }
}
