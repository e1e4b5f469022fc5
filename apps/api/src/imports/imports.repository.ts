import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface IssueRow {
  severity: 'error' | 'warning';
  file: string;
  line: number | null;
  rule: string;
  value: string | null;
  message: string;
}

/** Filters of the import log; undefined: any. */
export interface RunFilter {
  source?: string;
  status?: string;
  from?: string;
  to?: string;
}

export interface IssueCount {
  rule: string;
  severity: 'error' | 'warning';
  count: number;
}

/** import_run and import_issue (the import log the ETL writes). */
@Injectable()
export class ImportsRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** The newest runs: every run, or the municipality's (national runs have none); filtered by source, status and start day (Danish time). */
  runs(municipality: number | null, limit: number, filter: RunFilter = {}): Promise<Record<string, unknown>[]> {
    return this.db.query(
      `SELECT id, municipality_code AS municipality, source, to_char(export_date, 'YYYY-MM-DD') AS "exportDate", status,
              requested_by AS "requestedBy", job_id AS "jobId", started_at AS "startedAt", finished_at AS "finishedAt",
              extract(epoch FROM finished_at - started_at)::float AS seconds, files, loaded, unchanged, removed,
              rejected_count AS "rejectedCount", warning_count AS "warningCount", error,
              same_as::text AS "sameAs"
       FROM import_run WHERE ($1::smallint IS NULL OR municipality_code = $1)
         AND ($3::text IS NULL OR source = $3) AND ($4::text IS NULL OR status = $4)
         AND ($5::date IS NULL OR started_at >= ($5::date::timestamp AT TIME ZONE 'Europe/Copenhagen'))
         AND ($6::date IS NULL OR started_at < (($6::date + 1)::timestamp AT TIME ZONE 'Europe/Copenhagen'))
       ORDER BY id DESC LIMIT $2`,
      [municipality, limit, filter.source ?? null, filter.status ?? null, filter.from ?? null, filter.to ?? null],
    );
  }

  /** The run's municipality (null: national); undefined when there is no such run. */
  async runMunicipality(id: number): Promise<{ municipality: number | null } | undefined> {
    const [run] = await this.db.query(`SELECT municipality_code AS municipality FROM import_run WHERE id = $1`, [id]);
    return run;
  }

  issues(id: number, severity: string | null, offset: number, limit: number): Promise<IssueRow[]> {
    return this.db.query(
      `SELECT severity, file, line, rule, value, message FROM import_issue WHERE import_id = $1 AND ($2::text IS NULL OR severity = $2)
       ORDER BY file, line NULLS FIRST, id OFFSET $3 LIMIT $4`,
      [id, severity, offset, limit],
    );
  }

  issueCounts(id: number, severity: string | null): Promise<IssueCount[]> {
    return this.db.query(
      `SELECT rule, severity, count(*)::int AS count FROM import_issue WHERE import_id = $1 AND ($2::text IS NULL OR severity = $2) GROUP BY rule, severity ORDER BY rule`,
      [id, severity],
    );
  }
}
