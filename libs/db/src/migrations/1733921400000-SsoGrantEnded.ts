import { MigrationInterface, QueryRunner } from 'typeorm';

// A single sign-on user's role, municipality and teams are the grant of their last login. When
// Børneblik withdraws it without giving another (a sign-in refused: no mapped group any more, groups
// of several municipalities; or the administrator changes the municipality's group mappings), the
// sessions end but the row stays as it was, for the audit log's names and the administration's
// list. grant_ended_at records that moment, so that what acts without a session (the weekly e-mail)
// knows the stored role is no longer current until the next login (last_login_at after it).
// Null: never withdrawn. Password users do not use it.
export class SsoGrantEnded1733921400000 implements MigrationInterface {
  name = 'SsoGrantEnded1733921400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE app_user ADD COLUMN grant_ended_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE app_user DROP COLUMN grant_ended_at`);
  }
}
