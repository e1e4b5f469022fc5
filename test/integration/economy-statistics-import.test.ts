import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importEconomy, importStatistics } from '@bu/etl';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { copyFixture, editFile, FIXTURES } from '../support/fixtures';
import { join } from 'path';

const ECONOMY = join(FIXTURES, 'economy-small');
const STATISTICS = join(FIXTURES, 'statistics-small');
const options = { pseudonymSecret: TEST_SECRET };

describe('economy import (oekonomi.csv)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  it('loads budget lines with Danish numbers and rejects bad rows with their rule', async () => {
    const result = await importEconomy(db.pool, ECONOMY, options);
    expect(result.status).toBe('succeeded');
    expect(result.loaded).toEqual({ budget_lines: 4 });
    expect(result.rejected.map((r) => [r.line, r.rule, r.value])).toEqual([
      [5, 'R002', '13'],
      [6, 'R007', '999'],
      [8, 'R009', 'abc'],
    ]);
    expect(result.municipality).toBe(461);
    expect(result.exportDate).toBe('2024-02-29'); // the last day of the newest month (a leap year)
    const { rows } = await db.pool.query(
      `SELECT year, month, function_code, function_name, original_budget::text, corrected_budget::text, spend::text FROM budget_line ORDER BY year, month, function_code`,
    );
    expect(rows).toEqual([
      {
        year: 2023,
        month: 12,
        function_code: '5.57.72',
        function_name: 'Sociale formål',
        original_budget: '10000000.00',
        corrected_budget: '10500000.00',
        spend: '900000.00',
      },
      {
        year: 2024,
        month: 1,
        function_code: '5.28.20',
        function_name: 'Opholdssteder mv. for børn og unge',
        original_budget: '60000000.00',
        corrected_budget: '60000000.00',
        spend: '4800000.50',
      },
      {
        year: 2024,
        month: 1,
        function_code: '5.28.21',
        function_name: 'Forebyggende foranstaltninger for børn og unge',
        original_budget: '40000000.00',
        corrected_budget: '40000000.00',
        spend: '3000000.00',
      },
      {
        year: 2024,
        month: 2,
        function_code: '5.28.20',
        function_name: 'Opholdssteder mv. for børn og unge',
        original_budget: '60000000.00',
        corrected_budget: '62500000.00',
        spend: '5100000.00',
      },
    ]);
  });

  it('changes nothing on a re-import', async () => {
    const result = await importEconomy(db.pool, ECONOMY, options);
    expect(result.loaded).toEqual({ budget_lines: 0 });
    expect(result.unchanged).toEqual({ budget_lines: 4 });
  });

  it("replaces a municipality's year and keeps its other years", async () => {
    const dir = copyFixture(ECONOMY);
    editFile(
      dir,
      'oekonomi.csv',
      (t) =>
        t
          .split('\r\n')
          .filter((l, i) => i === 0 || l.startsWith('461;2024;1;5.28.20'))
          .join('\r\n') + '\r\n',
    );
    // Two of the municipality's four lines: over the 10 % shrink guard (test/integration/snapshot-shrink.test.ts).
    const result = await importEconomy(db.pool, dir, { ...options, allowShrink: true });
    expect(result.removed).toEqual({ budget_lines: 2 });
    const { rows } = await db.pool.query(`SELECT year, month, function_code FROM budget_line ORDER BY year, month`);
    expect(rows).toEqual([
      { year: 2023, month: 12, function_code: '5.57.72' },
      { year: 2024, month: 1, function_code: '5.28.20' },
    ]);
  });
});

describe('statistics import (befolkning.csv, noegletal.csv)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  it('keeps ".." as missing (never 0), names with or without "Kommune", and Hele landet', async () => {
    const result = await importStatistics(db.pool, STATISTICS, options);
    expect(result.status).toBe('succeeded');
    expect(result.loaded).toEqual({ statistics: 6 });
    expect(result.rejected.map((r) => [r.file, r.line, r.rule, r.value])).toEqual([
      ['befolkning.csv', 6, 'R007', 'Atlantis'],
      ['befolkning.csv', 7, 'R001', '0-99 år'],
      ['noegletal.csv', 4, 'R001', 'Ukendt tal'],
      ['noegletal.csv', 5, 'R009', '12,5'],
    ]);
    const { rows: population } = await db.pool.query(
      `SELECT municipality_code, year, age_group, count FROM population ORDER BY municipality_code, year`,
    );
    expect(population).toEqual([
      { municipality_code: 0, year: 2024, age_group: '0-17 år', count: 1150000 },
      { municipality_code: 101, year: 2024, age_group: '0-22 år', count: null },
      { municipality_code: 461, year: 2023, age_group: '0-17 år', count: 40000 },
      { municipality_code: 461, year: 2024, age_group: '0-17 år', count: 40100 },
    ]);
    const { rows: stats } = await db.pool.query(
      `SELECT municipality_code, indicator, year, value::text FROM municipal_statistic ORDER BY municipality_code`,
    );
    expect(stats).toEqual([
      { municipality_code: 461, indicator: 'Underretninger', year: 2024, value: '4400' },
      { municipality_code: 751, indicator: 'Anbragte børn og unge', year: 2024, value: null },
    ]);
  });

  it('changes nothing on a re-import', async () => {
    const result = await importStatistics(db.pool, STATISTICS, options);
    expect(result.loaded).toEqual({ statistics: 0 });
    expect(result.unchanged).toEqual({ statistics: 6 });
  });
});
