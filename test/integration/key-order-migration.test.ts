import type { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScopeColumnsLastInKeys1733000000000 } from '../../libs/db/src/migrations/1733000000000-ScopeColumnsLastInKeys';
import { MigrationDatabase, migrationDatabase } from '../support/migration-database';

// Migration 1733000000000 puts the identifying columns first in the case-system tables' keys and
// indexes (municipality_code and source last), on the parents and on every partition; rows stay,
// the keys still refuse repeats, and the way back gives the old order.

describe('migration: scope columns last in the case-system keys', () => {
  let m: MigrationDatabase;
  let db: Client;
  const indexDefs = async (table: string) =>
    (
      await db.query(
        `SELECT indexname, regexp_replace(indexdef, '^.* USING btree ', '') AS columns FROM pg_indexes WHERE tablename = $1 ORDER BY 1`,
        [table],
      )
    ).rows;

  beforeAll(async () => {
    m = await migrationDatabase('bu_test_keymig', ScopeColumnsLastInKeys1733000000000);
    db = m.db;
    await db.query(`CREATE TABLE assignment_m461 PARTITION OF assignment FOR VALUES IN (461)`);
    await db.query(
      `INSERT INTO assignment (municipality_code, source, case_id, valid_from, worker_id) VALUES (461, 'dubu', 'C1', '2024-02-29', 'AB'), (461, 'csc', 'C1', '2024-02-29', 'AB')`,
    );
  });
  afterAll(async () => m?.drop());

  it('orders every key and index identifier first, scope last, on the parent and its partitions', async () => {
    await m.up();
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
    await expect(
      db.query(
        `INSERT INTO assignment (municipality_code, source, case_id, valid_from, worker_id) VALUES (461, 'dubu', 'C1', '2024-02-29', 'AB')`,
      ),
    ).rejects.toThrow(/duplicate key/);
  });

  it('gives the old order back', async () => {
    await m.down();
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
