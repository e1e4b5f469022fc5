import { MigrationInterface, QueryRunner } from 'typeorm';

// A password an administrator gave (a new user in the administration, or its reset) is the user's
// only until the next login: the user then chooses a new one before anything else (ADR 0117), so
// the administrator who saw it cannot go on logging in as the user unnoticed. Cleared when the user
// sets their own (POST /api/v1/auth/password). Passwords given before this stay as they are.
export class TemporaryPassword1733921000000 implements MigrationInterface {
  name = 'TemporaryPassword1733921000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE app_user ADD COLUMN password_temporary boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE app_user DROP COLUMN password_temporary`);
  }
}
