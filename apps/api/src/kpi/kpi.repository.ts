import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { settings } from '@bu/config';
import { caseworkerLabels, loadSettings, readModelsCurrent, type KpiSettings, type Query } from '@bu/kpi';
import { ReadReplica, type Reader } from '../database/read-replica';

/**
 * The KPIs' data access. The SQL lives in @bu/kpi; here it gets the request's scoped connection
 * (row-level security: the DataSource's pool sets bu.municipalities from the request scope), on
 * the primary or, once it has replayed the answer's data, on the read replica (ADR 0071).
 */
@Injectable()
export class KpiRepository {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(ReadReplica) private readonly replica: ReadReplica,
  ) {}

  /** What the KPI library's computations run their SQL through on the primary. */
  readonly query: Query = (sql, params) => this.db.query(sql, params);

  /** Where the reads of an answer whose data is in the primary's WAL up to `lsn` run. */
  reader(lsn: string): Promise<Reader> {
    return this.replica.reader(lsn);
  }

  settings(municipality: number, query: Query = this.query): Promise<KpiSettings> {
    return loadSettings(query, municipality);
  }

  /**
   * Whether the KPIs may read the municipality's read models (ADR 0074): on, and built from the
   * import in force by these builds (ADR 0107) — asked where the answer's reads run, so a standby
   * answers for its own state.
   */
  async readModels(municipality: number, query: Query = this.query): Promise<boolean> {
    return settings().KPI_READ_MODELS && (await readModelsCurrent(query, municipality));
  }

  caseworkers(municipality: number, teams?: string[], query: Query = this.query) {
    return caseworkerLabels(query, municipality, teams);
  }
}
