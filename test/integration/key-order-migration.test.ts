import { randomBytes } from 'crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '@bu/db';
import { ScopeColumnsLastInKeys1733000000000 } from '../../libs/db/src/migrations/1733000000000-ScopeColumnsLastInKeys';
import { TEST_SERVER_URL } from '../support/database';

// Migration 1733000000000 puts the identifying columns first in the case-system tables' keys and
// indexes (municipality_code and source last), on the parents and on every partition; rows stay,
// the keys still refuse repeats, and the way back gives the old order.

describe('migration: scope columns last in the case-system keys', () => {
  const name = `bu_test_keymig_${randomBytes(4).toString('hex')}`;
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${name}`;
  const source = (migrations: typeof MIGRATIONS) =>
    new DataSource({ type: 'postgres', url: url.toString(), migrations, migrationsTransactionMode: 'each', logging: ['error'] });
  let db: Client;
  const upTo = MIGRATIONS.indexOf(ScopeColumnsLastInKeys1733000000000);
  const indexDefs = async (table: string) =>
    (await db.query(`SELECT indexname, regexp_replace(indexdef, '^.* USING btree ', '') AS columns FROM pg_indexes WHERE tablename = $1 ORDER BY 1`, [table])).rows;

  beforeAll(async () => {
    const admin = new Client({ connectionString: TEST_SERVER_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const before = await source(MIGRATIONS.slice(0, upTo)).initialize();
    await before.runMigrations();
    await before.destroy();
    db = new Client({ connectionString: url.toString() });
    await db.connect();
    await db.query(`CREATE TABLE assignment_m461 PARTITION OF assignment FOR VALUES IN (461)`);
    await db.query(`INSERT INTO assignment (municipality_code, source, case_id, valid_from, worker_id) VALUES (461, 'dubu', 'C1', '2024-02-29', 'AB'), (461, 'csc', 'C1', '2024-02-29', 'AB')`);
  });
  afterAll(async () => {
    await db?.end();
    const admin = new Client({ connectionString: TEST_SERVER_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  it('orders every key and index identifier first, scope last, on the parent and its partitions', async () => {
    const through = await source(MIGRATIONS.slice(0, upTo + 1)).initialize();
    await through.runMigrations();
    await through.destroy();
    expect(await indexDefs('measure')).toEqual([
      { indexname: 'measure_case_idx', columns: '(case_id, source, municipality_code)' },
      { indexname: 'measure_pkey', columns: '(measure_id, source, municipality_code)' },
    ]);
    expect(await indexDefs('child_case')).toEqual([
      { indexname: 'child_case_person_idx', columns: '(person_id, municipality_code)' },
      { indexname: 'child_case_pkey', columns: '(case_id, source, municipality_code)' },
    ]);
    expect(await indexDefs('assignment_m461')).toEqual([
      { indexname: 'assignment_m461_pkey', columns: '(case_id, valid_from, worker_id, source, municipality_code)' },
    ]);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM assignment`);
    expect(rows).toEqual([{ n: 2 }]);
    await expect(db.query(`INSERT INTO assignment (municipality_code, source, case_id, valid_from, worker_id) VALUES (461, 'dubu', 'C1', '2024-02-29', 'AB')`)).rejects.toThrow(/duplicate key/);
  });

  it('gives the old order back', async () => {
    const through = await source(MIGRATIONS.slice(0, upTo + 1)).initialize();
    await through.undoLastMigration();
    await through.destroy();
    expect(await indexDefs('measure')).toEqual([
      { indexname: 'measure_case_idx', columns: '(municipality_code, source, case_id)' },
      { indexname: 'measure_pkey', columns: '(municipality_code, source, measure_id)' },
    ]);
    expect(await indexDefs('child_case')).toEqual([
      { indexname: 'child_case_person_idx', columns: '(municipality_code, person_id)' },
      { indexname: 'child_case_pkey', columns: '(municipality_code, source, case_id)' },
    ]);
    expect(await indexDefs('assignment_m461')).toEqual([
      { indexname: 'assignment_m461_pkey', columns: '(municipality_code, source, case_id, valid_from, worker_id)' },
    ]);
  });
});
