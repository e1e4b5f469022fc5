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
  /** The job that made it: a retry of that job finds it (archivedByJob). */
  jobId?: string;
}

/** A report in the archive, as a retry of the job that made it finds it. */
export interface ArchivedReport {
  id: string;
  municipality: number;
  asOf: string;
  recipients: string[];
  sendResult: string;
}

/** A user the weekly e-mail is for. */
export interface WeeklyRecipient {
  username: string;
  email: string;
  role: 'teamleder' | 'chef';
  municipality: number;
  teams: string[];
}

/** The week a weekly e-mail belongs to: its Monday, Danish time (the same for the note and its release). */
const THIS_WEEK = `date_trunc('week', now() AT TIME ZONE 'Europe/Copenhagen')::date`;

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
      `INSERT INTO report_archive (municipality_code, as_of, made_by, pdf, recipients, send_result, sent_at, job_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id::text`,
      [r.municipality, r.asOf, r.madeBy, r.pdf, r.recipients, r.sendResult, r.sentAt, r.jobId ?? null],
    );
    return row.id;
  }

  /** What came of the archived report's mail. */
  async recordSend(id: string, sendResult: string, sentAt: Date | null): Promise<void> {
    await this.query(`UPDATE report_archive SET send_result = $2, sent_at = $3 WHERE id = $1`, [id, sendResult, sentAt]);
  }

  /**
   * The report a job (`<id>@<queued, ms>`) archived. Also one archived under the bare id by the
   * version before, if made after the job was queued: a job retried across the upgrade.
   */
  async archivedByJob(jobKey: string): Promise<ArchivedReport | null> {
    const [id, queued] = jobKey.split('@');
    const [row] = await this.query<ArchivedReport>(
      `SELECT id::text, municipality_code AS municipality, to_char(as_of, 'YYYY-MM-DD') AS "asOf", recipients, send_result AS "sendResult"
       FROM report_archive WHERE job_id = $1 OR (job_id = $2 AND made_at >= to_timestamp($3::float8 / 1000))
       ORDER BY job_id = $1 DESC LIMIT 1`,
      [jobKey, id, Number(queued ?? 0)],
    );
    return row ?? null;
  }

  /**
   * Notes that this week's e-mail goes to the user (the week: its Monday, Danish time); false when
   * it has gone already (an earlier attempt of the job), and it is not sent again.
   */
  async claimWeeklyMail(username: string): Promise<boolean> {
    const rows = await this.query(
      `INSERT INTO weekly_mail_sent (week, username) VALUES (${THIS_WEEK}, $1)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [username],
    );
    return rows.length === 1;
  }

  /** A claimed e-mail that could not be sent: a later run of the job may try again. */
  async releaseWeeklyMail(username: string): Promise<void> {
    await this.query(`DELETE FROM weekly_mail_sent WHERE week = ${THIS_WEEK} AND username = $1`, [username]);
  }

  /** The notes of weeks more than four weeks back (user names: kept no longer than they are of use). */
  async forgetOldWeeklyMail(): Promise<void> {
    await this.query(`DELETE FROM weekly_mail_sent WHERE week < (now() AT TIME ZONE 'Europe/Copenhagen')::date - 28`);
  }

  /**
   * Team leaders and chiefs with an e-mail who have not turned the weekly e-mail off, of
   * municipalities with data, while they could log in with the role the e-mail is for:
   * - a single sign-on user while their last login is at most `ssoLoginDays` old and came after
   *   Børneblik last withdrew their grant (grant_ended_at: a sign-in refused, a change of the
   *   municipality's group mappings). Their role and access are known only at login, and the stored
   *   row keeps the old role until the next one; the organisation does not tell Børneblik when
   *   someone leaves;
   * - a password user while the municipality allows password login (off, the API refuses every
   *   such login) and the password is their own, not one an administrator gave and they never
   *   replaced (ADR 0117: such a session can do nothing but choose one). A password user is
   *   otherwise disabled by the administrator, and purged once idle for the audit period (ADR 0118).
   */
  weeklyRecipients(ssoLoginDays: number): Promise<WeeklyRecipient[]> {
    return this.query<WeeklyRecipient>(
      `SELECT u.username, u.email, u.role, u.municipality_code AS municipality, u.teams
       FROM app_user u LEFT JOIN login_policy p ON p.municipality_code = u.municipality_code
       WHERE u.role IN ('teamleder', 'chef') AND u.email IS NOT NULL AND u.weekly_mail AND NOT u.disabled AND u.municipality_code IS NOT NULL
         AND CASE WHEN u.auth_source = 'local' THEN COALESCE(p.password_login, true) AND NOT u.password_temporary
                  ELSE u.last_login_at > now() - make_interval(days => $1) AND u.last_login_at > COALESCE(u.grant_ended_at, '-infinity')
             END
       ORDER BY u.municipality_code, u.username`,
      [ssoLoginDays],
    );
  }
}
