import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu, importEconomy } from '@bu/etl';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { DUBU_SMALL, FIXTURES } from '../support/fixtures';

// Issue 17, data quality: an economy export that goes past the municipality's D (the export date of
// its newest case-system snapshot) is a warning, W007. economy-small has 461's months up to
// February 2024, so it goes to 29.02.2024.
const ECONOMY = join(FIXTURES, 'economy-small');
const options = { pseudonymSecret: TEST_SECRET };

describe('economy export dated after D (W007)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  const w007 = (result: Awaited<ReturnType<typeof importEconomy>>) => result.warnings.filter((w) => w.rule === 'W007');

  it('is no warning while the municipality has no case-system data (no D)', async () => {
    const result = await importEconomy(db.pool, ECONOMY, options);
    expect(result.status).toBe('succeeded');
    expect(w007(result)).toEqual([]);
  });

  it('warns, keeping the lines, when the economy goes past D: 29.02.2024 against a case export of 15.02.2024', async () => {
    await importDubu(db.pool, DUBU_SMALL, { ...options, exportDate: '2024-02-15' });
    const result = await importEconomy(db.pool, ECONOMY, options);
    expect(result.status).toBe('succeeded');
    // The lines are kept (the same four as before: nothing new to load).
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM budget_line`)).rows).toEqual([{ n: 4 }]);
    expect(w007(result)).toEqual([
      {
        file: 'oekonomi.csv',
        line: null,
        rule: 'W007',
        value: '461',
        message:
          'Økonomien for kommune 461 går til 29.02.2024, men sagsdata kun til 15.02.2024 (opgørelsesdatoen): forbrug efter 15.02.2024 tælles først med, når et nyere udtræk fra sagssystemet er indlæst.',
      },
    ]);
    // Kept with the import's other issues, for the data-quality view and the import log.
    const { rows } = await db.pool.query(`SELECT severity, value FROM import_issue WHERE rule = 'W007'`);
    expect(rows).toEqual([{ severity: 'warning', value: '461' }]);
  });

  it('is no warning when D is the economy month end itself (29.02.2024)', async () => {
    await importDubu(db.pool, DUBU_SMALL, { ...options, exportDate: '2024-02-29' });
    const result = await importEconomy(db.pool, ECONOMY, options);
    expect(result.status).toBe('succeeded');
    expect(w007(result)).toEqual([]);
  });
});
