import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CASE_SOURCES_SQL } from '@bu/domain';
import type { SettingRow } from '@bu/kpi';

export interface MunicipalityRow {
  code: number;
  name: string;
  export_date: string | null;
  /** Distinct pseudonym keys among its case-system snapshots (more than one: mid-rotation). */
  keys: number;
}

/** The municipalities with their newest case-system export, and their data-freshness settings. */
@Injectable()
export class MunicipalitiesRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** The municipality (or, for null, every municipality with data), by name. */
  visible(municipality: number | null): Promise<MunicipalityRow[]> {
    return this.db.query(
      `SELECT m.code, m.name, to_char(max(s.export_date), 'YYYY-MM-DD') AS export_date, count(DISTINCT coalesce(s.pseudonym_key_id, ''))::int AS keys
       FROM municipality m LEFT JOIN source_snapshot s ON s.municipality_code = m.code AND s.source IN ${CASE_SOURCES_SQL}
       WHERE ($1::smallint IS NULL AND s.export_date IS NOT NULL) OR m.code = $1
       GROUP BY m.code, m.name ORDER BY m.name`,
      [municipality],
    );
  }

  /** The names of the municipality's caseworkers (the exports'), to keep them out of texts for the committee. */
  async caseworkerNames(municipality: number): Promise<string[]> {
    const rows: { name: string }[] = await this.db.query(`SELECT DISTINCT name FROM caseworker WHERE municipality_code = $1`, [
      municipality,
    ]);
    return rows.map((r) => r.name);
  }

  /** Those of the words that are case numbers of the municipality. */
  async caseNumbersAmong(municipality: number, words: string[]): Promise<Set<string>> {
    if (words.length === 0) return new Set();
    const rows: { case_id: string }[] = await this.db.query(
      `SELECT DISTINCT case_id FROM child_case WHERE municipality_code = $1 AND case_id = ANY ($2::text[])`,
      [municipality, words],
    );
    return new Set(rows.map((r) => r.case_id));
  }

  /** Every municipality's (and the product-wide) data.max_age_days, in one query. */
  maxAgeSettings(): Promise<SettingRow[]> {
    return this.db.query(`SELECT municipality_code, key, value FROM setting WHERE key = 'data.max_age_days'`);
  }
}
