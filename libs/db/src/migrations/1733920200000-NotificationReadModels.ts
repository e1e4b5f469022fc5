import { MigrationInterface, QueryRunner } from 'typeorm';

// The notifications' KPIs at the days caseload_day holds (ADR 0104).
//
// notification_month_day: deadline.notification_24h's counts per day, team of the notification's
// case at the day (NULL: the intake team, a setting, applied when read) and month of receipt
// (Copenhagen time; the twelve months up to the day's month, received by the end of the day): the
// notifications judged at the day and those assessed within 24 hours as known at the day. A group
// with a notification has a row even when none is judged yet. A P of whole months ending at a held
// D sums these few rows; any other P or D is counted from the notifications as before.
//
// unassessed_notification_day: per day, the notifications received by its end and not assessed by
// it (the rows of deadline.notification_overdue and deadline.notification_due_soon, which split them
// at 24 hours before the end of D), with the case's caseworker and team at the day (NULL team: the
// intake team, applied when read).
const IN_SCOPE = `((SELECT bu_scope_all()) OR municipality_code = ANY ((SELECT bu_scope_codes())::smallint[]))`;
const TABLES = ['notification_month_day', 'unassessed_notification_day'];

export class NotificationReadModels1733920200000 implements MigrationInterface {
  name = 'NotificationReadModels1733920200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notification_month_day (
        day date NOT NULL,
        team text,
        month date NOT NULL,
        judged integer NOT NULL,
        assessed_in_24h integer NOT NULL,
        municipality_code smallint NOT NULL
      );
      CREATE INDEX notification_month_day_day_idx ON notification_month_day (municipality_code, day, month);
      CREATE TABLE unassessed_notification_day (
        day date NOT NULL,
        source text COLLATE "C" NOT NULL,
        notification_id text COLLATE "C" NOT NULL,
        case_id text COLLATE "C",
        received_at timestamptz NOT NULL,
        worker_id text COLLATE "C",
        team text,
        municipality_code smallint NOT NULL,
        PRIMARY KEY (municipality_code, day, source, notification_id)
      );
    `);
    for (const table of TABLES) {
      await q.query(`GRANT SELECT ON ${table} TO bu_api`);
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY bu_api_scope ON ${table} FOR SELECT TO bu_api USING ${IN_SCOPE}`);
    }
    // Read models built before this exists lack it: none is current until built again (ADR 0074).
    await q.query(`DELETE FROM read_model_state`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ${TABLES.join(', ')}`);
    await q.query(`DELETE FROM read_model_state`);
  }
}
