import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { settings } from '@bu/config';
import { caseworkerLabels, loadSettings, readModelsCurrent, type KpiSettings, type Query } from '@bu/kpi';

/**
 * The KPIs' data access. The SQL lives in @bu/kpi; here it gets the request's scoped connection
 * (row-level security: the DataSource's pool sets bu.municipalities from the request scope).
 */
@Injectable()
export class KpiRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** What the KPI library's computations run their SQL through. */
  readonly query: Query = (sql, params) => this.db.query(sql, params);

  settings(municipality: number): Promise<KpiSettings> {
    return loadSettings(this.query, municipality);
  }

  /** Whether the KPIs may read the municipality's read models (ADR 0074): on, and built from the import in force. */
  async readModels(municipality: number): Promise<boolean> {
    return settings().KPI_READ_MODELS && (await readModelsCurrent(this.query, municipality));
  }

  caseworkers(municipality: number, teams?: string[]) {
    return caseworkerLabels(this.query, municipality, teams);
  }
}
