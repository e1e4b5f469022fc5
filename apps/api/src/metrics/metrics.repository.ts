import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CASE_SOURCES_SQL, LOGIN_ATTEMPT_MEMORY } from '@bu/domain';
import { CODE_LIMIT } from '../auth/login-throttle';
import { runInScope } from '../database/request-scope';

export interface DataAge {
  municipality: number;
  source: string;
  seconds: number;
}

/** A scrape's read gives up after this long on the server too, so it never holds a connection the users need. */
const STATEMENT_TIMEOUT_MS = 2000;

@Injectable()
export class MetricsRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** Every municipality's rows (import_run is row-secured; the scraper is the national operator), cancelled after 2 s. */
  private read<T>(sql: string): Promise<T[]> {
    return runInScope('*', () =>
      this.db.transaction(async (m) => {
        await m.query(`SET LOCAL statement_timeout = ${STATEMENT_TIMEOUT_MS}`);
        return m.query<T[]>(sql);
      }),
    );
  }

  /**
   * Per municipality and source, the seconds since its newest succeeded import ended (an
   * unchanged export counts: it was checked). Every municipality's: the operators watch them all.
   */
  dataAge(): Promise<DataAge[]> {
    // Not the retention purge's runs (source 'purge'): they say nothing of the data's age. A case
    // system only while the municipality has its snapshot: one removed (remove-source) has no data to age.
    return this.read<DataAge>(
      `SELECT municipality_code AS municipality, source, extract(epoch FROM now() - max(finished_at))::float8 AS seconds
       FROM import_run r WHERE status = 'succeeded' AND source <> 'purge' AND municipality_code IS NOT NULL AND finished_at IS NOT NULL
         AND (source NOT IN ${CASE_SOURCES_SQL}
              OR EXISTS (SELECT 1 FROM source_snapshot s WHERE s.municipality_code = r.municipality_code AND s.source = r.source))
       GROUP BY municipality_code, source ORDER BY 1, 2`,
    );
  }

  /**
   * Usernames whose wrong one-time codes reached the limit within the counter's memory (a day),
   * with no right code or new password since (either removes the count): someone who is not the
   * user holds the user's password (ADR 0116). A count only: the names are in the audit log.
   */
  async codeLockouts(): Promise<number> {
    const [row] = await this.read<{ count: number }>(
      `SELECT count(*)::int AS count FROM login_attempt
       WHERE kind = 'code' AND failures >= ${CODE_LIMIT.free} AND last_failure_at > now() - interval '${LOGIN_ATTEMPT_MEMORY.code}'`,
    );
    return row.count;
  }

  /** Imports that failed in the last 24 hours, per source. */
  failedImports(): Promise<{ source: string; count: number }[]> {
    return this.read<{ source: string; count: number }>(
      `SELECT source, count(*)::int AS count FROM import_run
       WHERE status = 'failed' AND started_at > now() - interval '24 hours' GROUP BY source ORDER BY 1`,
    );
  }
}
