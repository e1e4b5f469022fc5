import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { runInScope } from '../database/request-scope';

export interface DataAge {
  municipality: number;
  source: string;
  seconds: number;
}

@Injectable()
export class MetricsRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /**
   * Per municipality and source, the seconds since its newest succeeded import ended (an
   * unchanged export counts: it was checked). Every municipality's: the operators watch them all.
   */
  async dataAge(): Promise<DataAge[]> {
    const rows: { municipality: number; source: string; seconds: string }[] = await runInScope('*', () =>
      this.db.query(
        `SELECT municipality_code AS municipality, source, extract(epoch FROM now() - max(finished_at))::float8 AS seconds
         FROM import_run WHERE status = 'succeeded' AND municipality_code IS NOT NULL AND finished_at IS NOT NULL
         GROUP BY municipality_code, source ORDER BY 1, 2`,
      ),
    );
    return rows.map((r) => ({ municipality: Number(r.municipality), source: r.source, seconds: Number(r.seconds) }));
  }

  /** Imports that failed in the last 24 hours, per source. */
  async failedImports(): Promise<{ source: string; count: number }[]> {
    const rows: { source: string; count: string }[] = await runInScope('*', () =>
      this.db.query(
        `SELECT source, count(*)::int AS count FROM import_run
         WHERE status = 'failed' AND started_at > now() - interval '24 hours' GROUP BY source ORDER BY 1`,
      ),
    );
    return rows.map((r) => ({ source: r.source, count: Number(r.count) }));
  }
}
