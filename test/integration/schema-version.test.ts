import { randomBytes } from 'crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS } from '@bu/db';
import { pendingMigrations } from '@bu/db/schema-version';
import { TEST_SERVER_URL } from '../support/database';

// The ETL's CLI migrates only when the schema is behind, and tells so without TypeORM.

describe('pendingMigrations', () => {
  const name = `bu_test_schemaver_${randomBytes(4).toString('hex')}`;
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${name}`;
  const admin = new Client({ connectionString: TEST_SERVER_URL });

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
  });
  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  it('lists every migration for an empty database, none once migrated, and the last one when it is undone', async () => {
    const all = MIGRATIONS.map((m) => m.name);
    expect(await pendingMigrations(url.toString())).toEqual(all);
    await migrate(url.toString());
    expect(await pendingMigrations(url.toString())).toEqual([]);
    const db = new Client({ connectionString: url.toString() });
    await db.connect();
    await db.query('DELETE FROM migrations WHERE name = $1', [all[all.length - 1]]);
    await db.end();
    expect(await pendingMigrations(url.toString())).toEqual([all[all.length - 1]]);
  });
});
