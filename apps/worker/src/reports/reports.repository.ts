import type { Query } from '@bu/kpi';
import { CASE_SOURCES_SQL } from '@bu/domain';
import type { ReportSchedule } from '@bu/jobs';

// The reports worker's SQL (the KPIs' own SQL is in @bu/kpi). It runs as the worker's database
// role, like the ETL's, and names the municipality in every statement.

export interface ReportMunicipality {
  code: number;
  name: string;
  exportDate: string | null;
  /** Distinct pseudonym keys among its case-system snapshots (more than one: mid-rotation). */
  keys: number;
}

export interface ScheduleRow extends ReportSchedule {
  recipients: string[];
}

export interface ArchiveWrite {
  municipality: number;
  asOf: string;
  madeBy: string;
  pdf: Buffer;
  recipients: string[];
  sendResult: string;
  sentAt: Date | null;
}

/** A user the weekly e-mail is for. */
export interface WeeklyRecipient {
  username: string;
  email: string;
  role: 'teamleder' | 'chef';
  municipality: number;
  teams: string[];
}

export class ReportsRepository {
  constructor(private readonly query: Query) {}

  async municipality(code: number): Promise<ReportMunicipality | null> {
    const [row] = await this.query<ReportMunicipality>(
      `SELECT m.code, m.name, to_char(max(s.export_date), 'YYYY-MM-DD') AS "exportDate", count(DISTINCT coalesce(s.pseudonym_key_id, ''))::int AS keys
       FROM municipality m LEFT JOIN source_snapshot s ON s.municipality_code = m.code AND s.source IN ${CASE_SOURCES_SQL}
       WHERE m.code = $1 GROUP BY m.code, m.name`,
      [code],
    );
    return row ?? null;
  }

  /** The administration's comments of the period (the year of D), by subject type and key. */
  async comments(municipality: number, period: string): Promise<{ subjectType: 'budget' | 'goal'; subjectKey: string; text: string }[]> {
    return this.query(
      `SELECT subject_type AS "subjectType", subject_key AS "subjectKey", text FROM admin_comment
       WHERE municipality_code = $1 AND period = $2 ORDER BY subject_type, subject_key`,
      [municipality, period],
    );
  }

  async schedule(municipality: number): Promise<ScheduleRow | null> {
    const [row] = await this.query<ScheduleRow>(
      `SELECT municipality_code AS municipality, enabled, day_of_month AS "dayOfMonth", hour, recipients FROM report_schedule WHERE municipality_code = $1`,
      [municipality],
    );
    return row ?? null;
  }

  schedules(): Promise<ScheduleRow[]> {
    return this.query<ScheduleRow>(
      `SELECT municipality_code AS municipality, enabled, day_of_month AS "dayOfMonth", hour, recipients FROM report_schedule ORDER BY municipality_code`,
    );
  }

  async archive(r: ArchiveWrite): Promise<string> {
    const [row] = await this.query<{ id: string }>(
      `INSERT INTO report_archive (municipality_code, as_of, made_by, pdf, recipients, send_result, sent_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id::text`,
      [r.municipality, r.asOf, r.madeBy, r.pdf, r.recipients, r.sendResult, r.sentAt],
    );
    return row.id;
  }

  /** Team leaders and chiefs with an e-mail who have not turned the weekly e-mail off, of municipalities with data. */
  weeklyRecipients(): Promise<WeeklyRecipient[]> {
    return this.query<WeeklyRecipient>(
      `SELECT username, email, role, municipality_code AS municipality, teams FROM app_user
       WHERE role IN ('teamleder', 'chef') AND email IS NOT NULL AND weekly_mail AND NOT disabled AND municipality_code IS NOT NULL
       ORDER BY municipality_code, username`,
    );
  }
}
