import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuditRow } from '@bu/contracts';

/** What the administrator searches the audit log by; null: any. Dates are days in Danish time, both included. */
export interface AuditSearch {
  /** null: every municipality (a product administrator); else this municipality's rows only. */
  municipality: number | null;
  username: string | null;
  case: string | null;
  from: string | null;
  to: string | null;
  offset: number;
  limit: number;
}

/** audit_access (the audit log with the cases of each row) read by the administrator; the API may only read and append. */
@Injectable()
export class AuditLogRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async search(s: AuditSearch): Promise<{ total: number; rows: AuditRow[] }> {
    const where = `($1::smallint IS NULL OR municipality_code = $1)
      AND ($2::text IS NULL OR username = $2)
      AND ($3::text IS NULL OR case_ids @> ARRAY[$3::text])
      AND ($4::date IS NULL OR at >= ($4::date::timestamp AT TIME ZONE 'Europe/Copenhagen'))
      AND ($5::date IS NULL OR at < (($5::date + 1)::timestamp AT TIME ZONE 'Europe/Copenhagen'))`;
    const params = [s.municipality, s.username, s.case, s.from, s.to];
    const [[{ total }], rows] = await Promise.all([
      this.db.query(`SELECT count(*)::int AS total FROM audit_access WHERE ${where}`, params),
      this.db.query(
        `SELECT id::text AS id, at, username, role, action, municipality_code AS municipality, coalesce(case_ids, '{}') AS cases,
                detail->>'method' AS method, detail->>'path' AS path, status, client_ip AS ip
         FROM audit_access WHERE ${where} ORDER BY at DESC, id DESC OFFSET $6 LIMIT $7`,
        [...params, s.offset, s.limit],
      ),
    ]);
    return { total, rows: (rows as (AuditRow & { at: Date | string })[]).map((r) => ({ ...r, at: new Date(r.at).toISOString() })) };
  }
}
