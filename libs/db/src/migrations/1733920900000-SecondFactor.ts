import { MigrationInterface, QueryRunner } from 'typeorm';

// A second factor for password logins (ADR 0116): a user's one-time-code secret (RFC 6238), set
// and removed only by `npm run admin -- user totp`, and the last 30-second step a code was
// accepted for, so that no code logs in twice. Setting or removing the secret ends the user's
// sessions (the token_version trigger); using a code does not.
export class SecondFactor1733920900000 implements MigrationInterface {
  name = 'SecondFactor1733920900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE app_user
        ADD COLUMN totp_secret bytea,
        ADD COLUMN totp_last_step bigint;

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
      ALTER TABLE app_user DROP COLUMN totp_secret, DROP COLUMN totp_last_step;
    `);
  }
}
