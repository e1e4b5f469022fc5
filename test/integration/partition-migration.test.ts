import type { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseFactsPartitionedByMunicipality1732900000000 } from '../../libs/db/src/migrations/1732900000000-CaseFactsPartitionedByMunicipality';
import { MigrationDatabase, migrationDatabase } from '../support/migration-database';

// Migration 1732900000000 turns the case-system tables into tables partitioned by municipality: an
// installation that already holds data keeps every row, in one partition per municipality, and
// the way back gives the plain tables again.

describe('migration: case-system tables partitioned by municipality', () => {
  let m: MigrationDatabase;
  let db: Client;

  beforeAll(async () => {
    m = await migrationDatabase('bu_test_partmig', CaseFactsPartitionedByMunicipality1732900000000);
    db = m.db;
    await db.query(`INSERT INTO child_case (municipality_code, source, case_id, person_id, area, opened) VALUES
      (101, 'dubu', 'C1', 'p1', 'Udsatte', '2024-01-01'), (461, 'dubu', 'C1', 'p2', 'Handicap', '2024-02-29'), (461, 'csc', 'K9', 'p3', 'Udsatte', '2023-05-01')`);
    await db.query(`INSERT INTO measure (municipality_code, source, measure_id, case_id, measure_type, family, started) VALUES
      (461, 'dubu', 'Y1', 'C1', 'Familiebehandling', 'preventive', '2024-03-01')`);
  });
  afterAll(async () => m?.drop());

  const partitionsOf = async (table: string) =>
    (
      await db.query(
        `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass ORDER BY 1`,
        [table],
      )
    ).rows.map((r) => r.relname);

  it('moves existing rows into one partition per municipality, with the same keys and indexes', async () => {
    await m.up();
    expect(await partitionsOf('child_case')).toEqual(['child_case_m101', 'child_case_m461']);
    expect(await partitionsOf('measure')).toEqual(['measure_m461']);
    expect(await partitionsOf('complaint')).toEqual([]);
    const { rows } = await db.query(
      `SELECT tableoid::regclass::text AS part, municipality_code, source, case_id, opened::text FROM child_case ORDER BY 2, 3`,
    );
    expect(rows).toEqual([
      { part: 'child_case_m101', municipality_code: 101, source: 'dubu', case_id: 'C1', opened: '2024-01-01' },
      { part: 'child_case_m461', municipality_code: 461, source: 'csc', case_id: 'K9', opened: '2023-05-01' },
      { part: 'child_case_m461', municipality_code: 461, source: 'dubu', case_id: 'C1', opened: '2024-02-29' },
    ]);
    const { rows: indexes } = await db.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'child_case' ORDER BY 1`);
    expect(indexes.map((i) => i.indexname)).toEqual(['child_case_person_idx', 'child_case_pkey']);
    // The primary key still refuses a repeated key, and the checks still hold.
    await expect(
      db.query(
        `INSERT INTO child_case (municipality_code, source, case_id, person_id, area, opened) VALUES (461, 'dubu', 'C1', 'x', 'Udsatte', '2024-01-01')`,
      ),
    ).rejects.toThrow(/duplicate key/);
    await expect(
      db.query(
        `INSERT INTO child_case (municipality_code, source, case_id, person_id, area, opened) VALUES (461, 'dubu', 'C2', 'x', 'Andet', '2024-01-01')`,
      ),
    ).rejects.toThrow(/check constraint/);
  });

  it('gives the plain tables back, rows and all', async () => {
    await m.down();
    const { rows } = await db.query(`SELECT relkind FROM pg_class WHERE relname = 'child_case'`);
    expect(rows).toEqual([{ relkind: 'r' }]);
    const { rows: cases } = await db.query(`SELECT count(*)::int AS n FROM child_case`);
    expect(cases).toEqual([{ n: 3 }]);
    const { rows: indexes } = await db.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'child_case' ORDER BY 1`);
    expect(indexes.map((i) => i.indexname)).toEqual(['child_case_person_idx', 'child_case_pkey']);
  });
});
