import { MigrationInterface, QueryRunner } from 'typeorm';

// Tokens are checked against the user's current state: token_version is part of every token, and
// any change that should end a user's sessions bumps it. A trigger bumps it on a change of role,
// municipality, teams or the disabled flag, whoever makes it (admin API, `npm run admin`, SQL);
// password changes and logout bump it explicitly (a rehash at login keeps the password and the
// sessions). login_attempt holds failed logins per IP, username and (username, IP), shared by
// every API process; rows older than the window are pruned.
export class TokenVersionAndLoginAttempts1733100000000 implements MigrationInterface {
  name = 'TokenVersionAndLoginAttempts1733100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE app_user
        ADD COLUMN token_version integer NOT NULL DEFAULT 0,
        ADD COLUMN disabled boolean NOT NULL DEFAULT false;

      CREATE FUNCTION app_user_bump_token_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.role IS DISTINCT FROM OLD.role OR NEW.municipality_code IS DISTINCT FROM OLD.municipality_code
           OR NEW.teams IS DISTINCT FROM OLD.teams OR NEW.disabled IS DISTINCT FROM OLD.disabled THEN
          NEW.token_version := OLD.token_version + 1;
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER app_user_token_version BEFORE UPDATE ON app_user
        FOR EACH ROW EXECUTE FUNCTION app_user_bump_token_version();

      CREATE TABLE login_attempt (
        kind text NOT NULL CHECK (kind IN ('ip', 'user', 'user_ip')),
        key text NOT NULL,
        failures integer NOT NULL,
        last_failure_at timestamptz NOT NULL,
        next_allowed_at timestamptz NOT NULL,
        PRIMARY KEY (kind, key)
      );
      CREATE INDEX login_attempt_last_failure ON login_attempt (last_failure_at);
    `);
    // The API's database role (created by another migration) may use the table when it exists.
    await q.query(`
      DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bu_api') THEN
          GRANT SELECT, INSERT, UPDATE, DELETE ON login_attempt TO bu_api;
        END IF;
      END $$;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE login_attempt;
      DROP TRIGGER app_user_token_version ON app_user;
      DROP FUNCTION app_user_bump_token_version();
      ALTER TABLE app_user DROP COLUMN token_version, DROP COLUMN disabled;
    `);
  }
}
