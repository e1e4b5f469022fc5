import { MigrationInterface, QueryRunner } from 'typeorm';

// The worker's e-mails, each sent at most once when a job is run again (a retry after a restart or
// a lost connection): a committee report's archive row is written before its mail goes, with the
// job that made it, so a retry of that job finds it instead of sending again; the weekly e-mail
// notes each user it went to in the week, so a retry goes on with the others only.
export class ReportSends1733920800000 implements MigrationInterface {
  name = 'ReportSends1733920800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE report_archive ADD COLUMN job_id text;
      CREATE UNIQUE INDEX report_archive_job ON report_archive (job_id) WHERE job_id IS NOT NULL;

      -- The Monday (Danish time) of the week, and the user the weekly e-mail went to. The worker's
      -- own: the API has no access. Kept four weeks (the weekly job removes older rows).
      CREATE TABLE weekly_mail_sent (
        week date NOT NULL,
        username text NOT NULL,
        sent_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (week, username)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE weekly_mail_sent; DROP INDEX report_archive_job; ALTER TABLE report_archive DROP COLUMN job_id`);
  }
}
