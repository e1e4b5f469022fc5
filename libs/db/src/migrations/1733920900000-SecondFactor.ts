import { MigrationInterface, QueryRunner } from 'typeorm';

// A second factor for password logins (ADR 0116): a user's one-time-code secret (RFC 6238), set
// and removed only by `npm run admin -- user totp`, and the last 30-second step a code was
// accepted for, so that no code logs in twice. Setting or removing the secret ends the user's
// sessions (the token_version trigger); using a code does not. Wrong codes have a counter of their
// own in login_attempt. The national administrators' sessions end: they must now give a code.
export class SecondFactor1733920900000 implements MigrationInterface {
  name = 'SecondFactor1733920900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE app_user
        ADD COLUMN totp_secret bytea,
        ADD COLUMN totp_last_step bigint;

      -- Wrong one-time codes, counted per username (the login throttle's kind 'code').
      ALTER TABLE login_attempt DROP CONSTRAINT login_attempt_kind_check,
        ADD CONSTRAINT login_attempt_kind_check CHECK (kind IN ('ip', 'user', 'user_ip', 'code'));

      -- National administrators must now give a code (LOGIN_SECOND_FACTOR's default): their sessions
      -- from a password alone end here, not up to eight hours later.
      UPDATE app_user SET token_version = token_version + 1 WHERE auth_source = 'local' AND municipality_code IS NULL AND NOT demo;

      CREATE OR REPLACE FUNCTION app_user_bump_token_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.role IS DISTINCT FROM OLD.role OR NEW.municipality_code IS DISTINCT FROM OLD.municipality_code
           OR NEW.teams IS DISTINCT FROM OLD.teams OR NEW.disabled IS DISTINCT FROM OLD.disabled
           OR NEW.totp_secret IS DISTINCT FROM OLD.totp_secret THEN
          NEW.token_version := OLD.token_version + 1;
        END IF;
        RETURN NEW;
      END $$;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION app_user_bump_token_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.role IS DISTINCT FROM OLD.role OR NEW.municipality_code IS DISTINCT FROM OLD.municipality_code
           OR NEW.teams IS DISTINCT FROM OLD.teams OR NEW.disabled IS DISTINCT FROM OLD.disabled THEN
          NEW.token_version := OLD.token_version + 1;
        END IF;
        RETURN NEW;
      END $$;
      DELETE FROM login_attempt WHERE kind = 'code';
      ALTER TABLE login_attempt DROP CONSTRAINT login_attempt_kind_check,
        ADD CONSTRAINT login_attempt_kind_check CHECK (kind IN ('ip', 'user', 'user_ip'));
      ALTER TABLE app_user DROP COLUMN totp_secret, DROP COLUMN totp_last_step;
    `);
  }
}
