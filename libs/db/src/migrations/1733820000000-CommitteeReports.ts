import { MigrationInterface, QueryRunner } from 'typeorm';

// The committee's monthly report (issue 15, point 4): each municipality's schedule and recipients,
// set by its administrator, and the archive of the reports made (the PDF itself, its as-of date,
// who or what made it, and to whom it was sent with what result). See ADR 0052.

const IN_SCOPE = `((SELECT bu_scope_all()) OR municipality_code = ANY ((SELECT bu_scope_codes())::smallint[]))`;

export class CommitteeReports1733820000000 implements MigrationInterface {
  name = 'CommitteeReports1733820000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE report_schedule (
        municipality_code smallint PRIMARY KEY REFERENCES municipality(code),
        enabled boolean NOT NULL DEFAULT true,
        -- The day of the month (1-28: every month has it) and the hour, Danish time.
        day_of_month smallint NOT NULL DEFAULT 5 CHECK (day_of_month BETWEEN 1 AND 28),
        hour smallint NOT NULL DEFAULT 6 CHECK (hour BETWEEN 0 AND 23),
        recipients text[] NOT NULL DEFAULT '{}' CHECK (cardinality(recipients) <= 50),
        updated_by text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE report_archive (
        id bigserial PRIMARY KEY,
        municipality_code smallint NOT NULL REFERENCES municipality(code),
        kind text NOT NULL DEFAULT 'committee' CHECK (kind IN ('committee')),
        as_of date NOT NULL,
        made_at timestamptz NOT NULL DEFAULT now(),
        -- 'planlagt' for the schedule, else the administrator who asked for it.
        made_by text NOT NULL,
        pdf bytea NOT NULL,
        recipients text[] NOT NULL DEFAULT '{}',
        -- In Danish, for the archive: 'sendt', 'ikke sendt: SMTP er ikke sat op', the SMTP server's refusal, …
        send_result text NOT NULL,
        sent_at timestamptz
      );
      CREATE INDEX report_archive_municipality ON report_archive (municipality_code, made_at DESC);
    `);
    // The API reads the archive and keeps the schedule; the worker (the owner's role) writes the archive.
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON report_schedule TO bu_api`);
    await q.query(`GRANT SELECT ON report_archive TO bu_api`);
    for (const table of ['report_schedule', 'report_archive']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY bu_api_scope ON ${table} FOR ALL TO bu_api USING ${IN_SCOPE} WITH CHECK ${IN_SCOPE}`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE report_archive, report_schedule`);
  }
}
