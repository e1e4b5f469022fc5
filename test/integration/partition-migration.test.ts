import { randomBytes } from 'crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '@bu/db';
import { CaseFactsPartitionedByMunicipality1732900000000 } from '../../libs/db/src/migrations/1732900000000-CaseFactsPartitionedByMunicipality';
import { TEST_SERVER_URL } from '../support/database';

// Migration 1732900000000 turns the case-system tables into tables partitioned by municipality: an
// installation that already holds data keeps every row, in one partition per municipality, and
// the way back gives the plain tables again.

describe('migration: case-system tables partitioned by municipality', () => {
  const name = `bu_test_partmig_${randomBytes(4).toString('hex')}`;
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${name}`;
  const source = (migrations: typeof MIGRATIONS) =>
    new DataSource({ type: 'postgres', url: url.toString(), migrations, migrationsTransactionMode: 'each', logging: ['error'] });
  let db: Client;
  const upTo = MIGRATIONS.indexOf(CaseFactsPartitionedByMunicipality1732900000000);

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
    await db.query(`INSERT INTO child_case (municipality_code, source, case_id, person_id, area, opened) VALUES
      (101, 'dubu', 'C1', 'p1', 'Udsatte', '2024-01-01'), (461, 'dubu', 'C1', 'p2', 'Handicap', '2024-02-29'), (461, 'csc', 'K9', 'p3', 'Udsatte', '2023-05-01')`);
    await db.query(`INSERT INTO measure (municipality_code, source, measure_id, case_id, measure_type, family, started) VALUES
      (461, 'dubu', 'Y1', 'C1', 'Familiebehandling', 'preventive', '2024-03-01')`);
  });
  afterAll(async () => {
    await db?.end();
    const admin = new Client({ connectionString: TEST_SERVER_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  const partitionsOf = async (table: string) =>
    (await db.query(`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass ORDER BY 1`, [table])).rows.map((r) => r.relname);

  it('moves existing rows into one partition per municipality, with the same keys and indexes', async () => {
    const through = await source(MIGRATIONS.slice(0, upTo + 1)).initialize();
    await through.runMigrations();
    await through.destroy();
    expect(await partitionsOf('child_case')).toEqual(['child_case_m101', 'child_case_m461']);
    expect(await partitionsOf('measure')).toEqual(['measure_m461']);
    expect(await partitionsOf('complaint')).toEqual([]);
    const { rows } = await db.query(`SELECT tableoid::regclass::text AS part, municipality_code, source, case_id, opened::text FROM child_case ORDER BY 2, 3`);
    expect(rows).toEqual([
      { part: 'child_case_m101', municipality_code: 101, source: 'dubu', case_id: 'C1', opened: '2024-01-01' },
      { part: 'child_case_m461', municipality_code: 461, source: 'csc', case_id: 'K9', opened: '2023-05-01' },
      { part: 'child_case_m461', municipality_code: 461, source: 'dubu', case_id: 'C1', opened: '2024-02-29' },
    ]);
    const { rows: indexes } = await db.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'child_case' ORDER BY 1`);
    expect(indexes.map((i) => i.indexname)).toEqual(['child_case_person_idx', 'child_case_pkey']);
    // The primary key still refuses a repeated key, and the checks still hold.
    await expect(db.query(`INSERT INTO child_case (municipality_code, source, case_id, person_id, area, opened) VALUES (461, 'dubu', 'C1', 'x', 'Udsatte', '2024-01-01')`)).rejects.toThrow(/duplicate key/);
    await expect(db.query(`INSERT INTO child_case (municipality_code, source, case_id, person_id, area, opened) VALUES (461, 'dubu', 'C2', 'x', 'Andet', '2024-01-01')`)).rejects.toThrow(/check constraint/);
  });

  it('gives the plain tables back, rows and all', async () => {
    const through = await source(MIGRATIONS.slice(0, upTo + 1)).initialize();
    await through.undoLastMigration();
    await through.destroy();
    const { rows } = await db.query(`SELECT relkind FROM pg_class WHERE relname = 'child_case'`);
    expect(rows).toEqual([{ relkind: 'r' }]);
    const { rows: cases } = await db.query(`SELECT count(*)::int AS n FROM child_case`);
    expect(cases).toEqual([{ n: 3 }]);
    const { rows: indexes } = await db.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'child_case' ORDER BY 1`);
    expect(indexes.map((i) => i.indexname)).toEqual(['child_case_person_idx', 'child_case_pkey']);
  });
});
