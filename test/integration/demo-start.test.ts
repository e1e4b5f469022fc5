import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { addUser } from '../../scripts/lib/users';
import { DEMO_REFUSED, demoRefusal } from '../../scripts/lib/demo-target';
import { createTestDatabase, TEST_SERVER_URL, TEST_SECRET, TestDatabase } from '../support/database';
import { DUBU_SMALL, DUBU_SMALL_D } from '../support/fixtures';

// `npm start` with DATABASE_URL used to load demo municipalities and demo users (password
// "demo", one national admin) into whatever database it was given. Now: only into an empty
// database and only when asked (--demo / DEMO=1); otherwise it exits with one message and the
// database is untouched.
const ROOT = resolve(__dirname, '../..');

/** Every table's row count and the users' rows: what "untouched" is compared on. */
async function fingerprint(db: TestDatabase): Promise<Record<string, string>> {
  const { rows: tables } = await db.pool.query<{ name: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
  );
  const out: Record<string, string> = {};
  for (const { name } of tables) out[name] = String((await db.pool.query(`SELECT count(*) AS n FROM ${name}`)).rows[0].n);
  out.users = (
    await db.pool.query(`SELECT md5(coalesce(string_agg(u::text, '|' ORDER BY u.username), '')) AS h FROM app_user u`)
  ).rows[0].h;
  return out;
}

function start(databaseUrl: string, args: string[], extra: NodeJS.ProcessEnv = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'bu-demo-start-'));
  rmSync(dataDir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl, DATA_DIR: dataDir, PORT: '0', ...extra };
  delete env.REDIS_URL;
  const result = spawnSync(process.execPath, ['tools/run.js', 'scripts/start.ts', ...args], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const wroteData = existsSync(dataDir);
  rmSync(dataDir, { recursive: true, force: true });
  return { status: result.status, stderr: result.stderr, stdout: result.stdout, wroteData };
}

describe('npm start with DATABASE_URL: demo data only into an empty database, when asked', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, DUBU_SMALL, { pseudonymSecret: TEST_SECRET, exportDate: DUBU_SMALL_D });
    await addUser(db.pool, { username: 'anna', password: 'a-long-password-1', role: 'chef', municipality: 461 });
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('without --demo: exits non-zero with the message, writes nothing', async () => {
    const before = await fingerprint(db);
    expect(Number(before['public.person'])).toBeGreaterThan(0);
    const result = start(db.url, []);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(DEMO_REFUSED);
    expect(result.stdout).not.toContain('Demo');
    expect(result.wroteData).toBe(false);
    expect(await fingerprint(db)).toEqual(before);
  });

  it('with --demo (or DEMO=1) on a database that holds data: exits non-zero, names what is there, writes nothing', async () => {
    const before = await fingerprint(db);
    for (const [args, env] of [
      [['--demo'], {}],
      [[], { DEMO: '1' }],
    ] as [string[], NodeJS.ProcessEnv][]) {
      const result = start(db.url, args, env);
      expect(result.status).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^Databasen i DATABASE_URL er ikke tom \(app_user, import_run, person.*\).*Intet er ændret\.$/);
      expect(result.wroteData).toBe(false);
    }
    expect(await fingerprint(db)).toEqual(before);
    // No demo login was made: the national demo admin cannot log in.
    expect(
      (await db.pool.query(`SELECT count(*)::int AS n FROM app_user WHERE demo OR username IN ('admin', 'chef', 'udvalg', 'teamleder')`))
        .rows[0].n,
    ).toBe(0);
  });

  it('accepts an empty database when asked: one never migrated, or migrated with no data', async () => {
    const name = `bu_test_empty_${Date.now()}`;
    const admin = new Client({ connectionString: TEST_SERVER_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(TEST_SERVER_URL);
    url.pathname = `/${name}`;
    try {
      expect(await demoRefusal(url.toString(), true)).toBeNull();
      expect(await demoRefusal(url.toString(), false)).toBe(DEMO_REFUSED);
      const migrated = await createTestDatabase();
      try {
        expect(await demoRefusal(migrated.url, true)).toBeNull();
        // Someone else's database (a table that is not Børneblik's) is not empty.
        await migrated.pool.query('CREATE TABLE other_app (id int)');
        expect(await demoRefusal(migrated.url, true)).toBeNull();
        await migrated.pool.query('DROP TABLE migrations');
        expect(await demoRefusal(migrated.url, true)).toMatch(/ikke en Børneblik-database/);
      } finally {
        await migrated.drop();
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});
