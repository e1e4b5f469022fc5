import { MigrationInterface, QueryRunner } from 'typeorm';

// A login attempt is counted before its password is checked, in one upsert that also keeps how long
// the counter was still waiting when the attempt came (held_seconds; 0: not waiting): concurrent
// attempts queue on the row's lock, so a burst of guesses cannot all pass the check before the
// first failure is written.
export class LoginAttemptRefused1733710000000 implements MigrationInterface {
  name = 'LoginAttemptRefused1733710000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE login_attempt ADD COLUMN held_seconds double precision NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE login_attempt DROP COLUMN held_seconds`);
  }
}
