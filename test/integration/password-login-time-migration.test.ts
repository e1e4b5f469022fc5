import type { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PasswordLoginTime1733921100000 } from '../../libs/db/src/migrations/1733921100000-PasswordLoginTime';
import { MigrationDatabase, migrationDatabase } from '../support/migration-database';

// Migration 1733921100000 (ADR 0118): a password user's last login, never recorded before, comes
// from the audit log's newest successful login, so the daily purge does not take an account in use
// for one unused. A single sign-on user's own time and a user with no login stay as they are.

describe('migration: the last login of password users', () => {
  let m: MigrationDatabase;
  let db: Client;

  beforeAll(async () => {
    m = await migrationDatabase('bu_test_loginmig', PasswordLoginTime1733921100000);
    db = m.db;
    await db.query(
      `INSERT INTO app_user (username, password_hash, role, municipality_code, auth_source, external_id, last_login_at) VALUES
         ('daglig', 'x', 'chef', 461, 'local', NULL, NULL),
         ('aldrig', 'x', 'chef', 461, 'local', NULL, NULL),
         ('genbrugt', 'x', 'chef', 461, 'local', NULL, NULL),
         ('sso', NULL, 'chef', 461, 'oidc', 'idp|s', '2026-01-02T08:00:00Z')`,
    );
    await db.query(
      `INSERT INTO audit_log (at, username, role, action, municipality_code) VALUES
         ('2026-11-01T08:00:00Z', 'daglig', 'chef', 'login', 461),
         ('2026-12-01T08:00:00Z', 'daglig', 'chef', 'login', 461),
         ('2026-12-02T08:00:00Z', 'daglig', 'chef', 'login.failed', 461),
         ('2026-12-03T08:00:00Z', 'aldrig', 'chef', 'login.failed', 461),
         ('2026-12-03T08:00:00Z', 'sso', 'chef', 'login', 461),
         ('2020-01-01T08:00:00Z', 'genbrugt', 'chef', 'login', 461)`,
    );
    // A name someone else had before: that person's login is older than this account.
    await db.query(`UPDATE app_user SET created_at = '2025-01-01T00:00:00Z'`);
    await db.query(`UPDATE app_user SET created_at = '2026-06-01T00:00:00Z' WHERE username = 'genbrugt'`);
  });
  afterAll(async () => m?.drop());

  it("fills a password user's last login from the newest successful one in the audit log", async () => {
    await m.up();
    const { rows } = await db.query(`SELECT username, last_login_at AS at FROM app_user ORDER BY username`);
    expect(rows).toEqual([
      { username: 'aldrig', at: null },
      { username: 'daglig', at: new Date('2026-12-01T08:00:00Z') },
      { username: 'genbrugt', at: null },
      { username: 'sso', at: new Date('2026-01-02T08:00:00Z') },
    ]);
  });
});
