import type { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecondFactor1733920900000 } from '../../libs/db/src/migrations/1733920900000-SecondFactor';
import { MigrationDatabase, migrationDatabase } from '../support/migration-database';

// Migration 1733920900000 (ADR 0116): the national administrators' sessions from a password alone
// end, as they must now give a one-time code; nobody else's do. Wrong codes get a counter kind of
// their own, and the way back removes it.

describe('migration: a second factor for password logins', () => {
  let m: MigrationDatabase;
  let db: Client;
  const versions = async () =>
    Object.fromEntries(
      (await db.query(`SELECT username, token_version AS v FROM app_user ORDER BY username`)).rows.map((r) => [r.username, r.v]),
    );

  beforeAll(async () => {
    m = await migrationDatabase('bu_test_totpmig', SecondFactor1733920900000);
    db = m.db;
    await db.query(
      `INSERT INTO app_user (username, password_hash, role, municipality_code, demo, auth_source, external_id) VALUES
         ('national', 'x', 'admin', NULL, false, 'local', NULL),
         ('local-admin', 'x', 'admin', 461, false, 'local', NULL),
         ('demo-admin', 'x', 'admin', NULL, true, 'local', NULL),
         ('sso-admin', NULL, 'admin', NULL, false, 'oidc', 'idp|a')`,
    );
  });
  afterAll(async () => m?.drop());

  it("ends the national password administrators' sessions, and only theirs", async () => {
    await m.up();
    expect(await versions()).toEqual({ 'demo-admin': 0, 'local-admin': 0, national: 1, 'sso-admin': 0 });
    await db.query(
      `INSERT INTO login_attempt (kind, key, failures, last_failure_at, next_allowed_at) VALUES ('code', 'national', 1, now(), now())`,
    );
  });

  it('a new secret ends the sessions; the way back removes the code counters and the columns', async () => {
    await db.query(`UPDATE app_user SET totp_secret = '\\x01' WHERE username = 'national'`);
    expect((await versions()).national).toBe(2);
    await m.down();
    expect((await db.query(`SELECT count(*)::int AS n FROM login_attempt`)).rows[0].n).toBe(0);
    const columns = await db.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'app_user' AND column_name LIKE 'totp%'`,
    );
    expect(columns.rows).toEqual([]);
    await expect(
      db.query(`INSERT INTO login_attempt (kind, key, failures, last_failure_at, next_allowed_at) VALUES ('code', 'x', 1, now(), now())`),
    ).rejects.toThrow(/login_attempt_kind_check/);
  });
});
