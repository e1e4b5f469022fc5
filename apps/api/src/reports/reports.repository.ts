import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Report, ReportScheduleView } from '@bu/contracts';

export interface ScheduleWrite {
  municipality: number;
  enabled: boolean;
  dayOfMonth: number;
  hour: number;
  recipients: string[];
  updatedBy: string;
}

/** A schedule as the job scheduler takes it. */
export interface ScheduleRow {
  municipality: number;
  enabled: boolean;
  dayOfMonth: number;
  hour: number;
}

/** report_archive and report_schedule, on the request's scoped connection (row-level security). */
@Injectable()
export class ReportsRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** The municipality's reports, newest first, without their bytes. */
  list(municipality: number): Promise<Report[]> {
    return this.db.query(
      `SELECT id::text, municipality_code AS municipality, to_char(as_of, 'YYYY-MM-DD') AS "asOf",
              to_char(made_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "madeAt", made_by AS "madeBy", recipients,
              send_result AS "sendResult", to_char(sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "sentAt", length(pdf) AS bytes
       FROM report_archive WHERE municipality_code = $1 ORDER BY made_at DESC, id DESC LIMIT 500`,
      [municipality],
    );
  }

  async pdf(id: string): Promise<{ municipality: number; asOf: string; pdf: Buffer } | null> {
    const [row] = await this.db.query(
      `SELECT municipality_code AS municipality, to_char(as_of, 'YYYY-MM-DD') AS "asOf", pdf FROM report_archive WHERE id = $1`,
      [id],
    );
    return row ?? null;
  }

  async schedule(municipality: number): Promise<ReportScheduleView | null> {
    const [row] = await this.db.query(
      `SELECT municipality_code AS municipality, enabled, day_of_month AS "dayOfMonth", hour, recipients, updated_by AS "updatedBy",
              to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "updatedAt"
       FROM report_schedule WHERE municipality_code = $1`,
      [municipality],
    );
    return row ?? null;
  }

  /**
   * Saves the schedule and runs `then` before the commit, holding the schedule's row: `then`
   * failing undoes the save, and a second save of the same municipality waits for the first to
   * commit, so both writes reach the table and `then` in the same order.
   */
  async saveSchedule(s: ScheduleWrite, then: () => Promise<void>): Promise<void> {
    await this.db.transaction(async (m) => {
      // Also a municipality's first save, which has no row to hold yet (withSchedule).
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('report-schedule'), $1)`, [s.municipality]);
      await m.query(
        `INSERT INTO report_schedule (municipality_code, enabled, day_of_month, hour, recipients, updated_by) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (municipality_code) DO UPDATE SET enabled = EXCLUDED.enabled, day_of_month = EXCLUDED.day_of_month, hour = EXCLUDED.hour,
           recipients = EXCLUDED.recipients, updated_by = EXCLUDED.updated_by, updated_at = now()`,
        [s.municipality, s.enabled, s.dayOfMonth, s.hour, s.recipients, s.updatedBy],
      );
      await then();
    });
  }

  /**
   * Runs `then` with the municipality's schedule as committed (null: none), in turn with the saves:
   * one in flight commits first, and none starts until `then` is done.
   */
  async withSchedule(municipality: number, then: (saved: ScheduleRow | null) => Promise<void>): Promise<void> {
    await this.db.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('report-schedule'), $1)`, [municipality]);
      const [row]: ScheduleRow[] = await m.query(
        `SELECT municipality_code AS municipality, enabled, day_of_month AS "dayOfMonth", hour FROM report_schedule WHERE municipality_code = $1`,
        [municipality],
      );
      await then(row ?? null);
    });
  }
}
