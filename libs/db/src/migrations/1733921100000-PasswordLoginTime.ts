import { MigrationInterface, QueryRunner } from 'typeorm';

// A password login now records its time in app_user.last_login_at, as a single sign-on login
// always did: the administration's user list shows it, and the daily purge removes a municipality's
// password accounts unused for the audit period (ADR 0118). Until now it stayed empty for password
// users; it is filled from the audit log's newest successful login of each, which reaches back as
// far as the purge looks. A user with no such row has not logged in within the audit period.
export class PasswordLoginTime1733921100000 implements MigrationInterface {
  name = 'PasswordLoginTime1733921100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      UPDATE app_user u SET last_login_at = l.at
      FROM (SELECT username, max(at) AS at FROM audit_log WHERE action = 'login' GROUP BY username) l
      WHERE u.auth_source = 'local' AND u.last_login_at IS NULL AND l.username = u.username
    `);
  }

  async down(): Promise<void> {
    // The times stay: they are true, and the column is single sign-on's migration's.
  }
}
