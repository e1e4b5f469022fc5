import { MigrationInterface, QueryRunner } from 'typeorm';

// A password login now records its time in app_user.last_login_at, as a single sign-on login
// always did: the administration's user list shows it, and the daily purge removes a municipality's
// password accounts unused for the audit period (ADR 0118). Until now it stayed empty for password
// users; it is filled from the audit log's newest successful login of each since the account was
// made (a name used before by someone else gives nothing older), which reaches back as far as the
// purge looks. A user with no such row has not logged in within the audit period.
// access_granted_at: when an administrator last gave the account access (a new password, enabled
// again, changed): the purge counts an account's idle time from the latest of that, its creation
// and its last login, so an account just handed back is not taken for an unused one.
export class PasswordLoginTime1733921100000 implements MigrationInterface {
  name = 'PasswordLoginTime1733921100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE app_user ADD COLUMN access_granted_at timestamptz`);
    await q.query(`
      UPDATE app_user u SET last_login_at = (
        SELECT max(a.at) FROM audit_log a WHERE a.action = 'login' AND a.username = u.username AND a.at >= u.created_at)
      WHERE u.auth_source = 'local' AND u.last_login_at IS NULL
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    // The login times stay: they are true, and the column is single sign-on's migration's.
    await q.query(`ALTER TABLE app_user DROP COLUMN access_granted_at`);
  }
}
