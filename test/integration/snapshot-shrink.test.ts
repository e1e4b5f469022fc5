import { spawnSync } from 'child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCsc, importDubu, importEconomy, importStatistics, type ImportResult } from '@bu/etl';
import { dubuToCsc } from '../../scripts/demo/dubu-to-csc';
import { generateDubuExport } from '../../scripts/demo/generate-dubu';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { FIXTURES } from '../support/fixtures';

// Issue 13, item 6: a header-only or truncated file imported as a full snapshot would remove nearly
// all of a municipality's data. Above the municipality's import.max_shrink_share (default 10 %) the
// import fails as a whole with the counts, and every table is as before, unless forced.

const ROOT = resolve(__dirname, '../..');
const D = '2024-11-24';

/** A checksum of every table's rows (the import log and the data version aside: they record the refused run). */
async function tableChecksums(db: TestDatabase): Promise<Record<string, string>> {
  const { rows: tables } = await db.pool.query(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname NOT IN ('import_run', 'data_version', 'migrations') ORDER BY 1`,
  );
  const sums: Record<string, string> = {};
  for (const { name } of tables) {
    const { rows } = await db.pool.query(
      `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS sum FROM public.${name} t`,
    );
    sums[name] = `${rows[0].n}:${rows[0].sum}`;
  }
  return sums;
}

/** A copy of `dir` whose `file` keeps its header and the first `rows` rows (its own encoding and line ends). */
function cut(dir: string, file: string, rows: number, encoding: BufferEncoding = 'utf8'): string {
  const target = mkdtempSync(join(tmpdir(), 'bu-shrink-'));
  cpSync(dir, target, { recursive: true });
  const lines = readFileSync(join(target, file), encoding).split('\n');
  writeFileSync(join(target, file), lines.slice(0, 1 + rows).join('\n') + '\n', encoding);
  return target;
}

/** A copy of `dir` without the rows of `file` that match. */
function without(dir: string, file: string, drop: (line: string) => boolean, encoding: BufferEncoding = 'utf8'): string {
  const target = mkdtempSync(join(tmpdir(), 'bu-shrink-'));
  cpSync(dir, target, { recursive: true });
  const lines = readFileSync(join(target, file), encoding).split('\n');
  writeFileSync(join(target, file), lines.filter((l, i) => i === 0 || !drop(l)).join('\n'), encoding);
  return target;
}

async function expectRefused(db: TestDatabase, run: () => Promise<ImportResult>, pattern: RegExp): Promise<ImportResult> {
  const before = await tableChecksums(db);
  const result = await run();
  expect(result.status).toBe('failed');
  expect(result.error).toMatch(/ville fjerne for meget/);
  expect(result.error).toMatch(pattern);
  expect(result.error).toMatch(/--allow-shrink/);
  expect(await tableChecksums(db)).toEqual(before);
  const { rows } = await db.pool.query(`SELECT status, error FROM import_run WHERE id = $1`, [result.importId]);
  expect(rows[0]).toEqual({ status: 'failed', error: result.error });
  return result;
}

const openCases = async (db: TestDatabase, municipality: number, source: string): Promise<number> =>
  (
    await db.pool.query(`SELECT count(*)::int AS n FROM child_case WHERE municipality_code = $1 AND source = $2 AND closed IS NULL`, [
      municipality,
      source,
    ])
  ).rows[0].n;

describe('a snapshot that would wipe a municipality is refused (import.max_shrink_share)', () => {
  let db: TestDatabase;
  let dubuDir: string;
  let cscDir: string;
  const options = { pseudonymSecret: TEST_SECRET, exportDate: D };

  beforeAll(async () => {
    db = await createTestDatabase();
    dubuDir = mkdtempSync(join(tmpdir(), 'dubu-'));
    cscDir = mkdtempSync(join(tmpdir(), 'csc-'));
    const cscSource = mkdtempSync(join(tmpdir(), 'dubu-'));
    await generateDubuExport(dubuDir, { municipalityCode: 461, seed: 3, children: 150, firstYear: 2021, exportDate: D, messy: false });
    await generateDubuExport(cscSource, { municipalityCode: 751, seed: 5, children: 150, firstYear: 2021, exportDate: D, messy: false });
    await dubuToCsc(cscSource, cscDir);
  });
  afterAll(async () => db?.drop());

  describe('DUBU sager.csv', () => {
    it("passes a municipality's first import (nothing to shrink)", async () => {
      const result = await importDubu(db.pool, dubuDir, options);
      expect(result.status).toBe('succeeded');
      expect(await openCases(db, 461, 'dubu')).toBeGreaterThan(20);
    });

    it('refuses a header-only sager.csv with the counts; nothing changes', async () => {
      const open = await openCases(db, 461, 'dubu');
      // Without --municipality it already fails (F004: no row names the municipality); a drop folder gives it.
      expect((await importDubu(db.pool, cut(dubuDir, 'sager.csv', 0), options)).error).toMatch(/Kommunen kan ikke bestemmes/);
      const result = await expectRefused(
        db,
        () => importDubu(db.pool, cut(dubuDir, 'sager.csv', 0), { ...options, municipality: 461 }),
        new RegExp(`kommune 461: ${open} af ${open} åbne sager \\(100 %, grænsen er 10 %\\)`),
      );
      expect(result.error).toMatch(/Filen sager\.csv/);
    });

    it('refuses a sager.csv cut after a few rows', async () => {
      const open = await openCases(db, 461, 'dubu');
      await expectRefused(
        db,
        () => importDubu(db.pool, cut(dubuDir, 'sager.csv', 5), options),
        new RegExp(`kommune 461: \\d+ af ${open} åbne sager`),
      );
    });

    it('passes a normal re-import that closes out one open case', async () => {
      const open = await openCases(db, 461, 'dubu');
      const [first] = readFileSync(join(dubuDir, 'sager.csv'), 'utf8')
        .split('\n')
        .slice(1)
        .filter((l) => l.split(';')[5] === '');
      expect(first).toBeTruthy();
      const result = await importDubu(
        db.pool,
        without(dubuDir, 'sager.csv', (l) => l === first),
        options,
      );
      expect(result.status).toBe('succeeded');
      expect(result.removed.cases).toBe(1);
      expect(await openCases(db, 461, 'dubu')).toBe(open - 1);
    });

    it('lets a cut sager.csv through with allowShrink', async () => {
      const result = await importDubu(db.pool, cut(dubuDir, 'sager.csv', 5), { ...options, allowShrink: true });
      expect(result.status).toBe('succeeded');
      expect(await openCases(db, 461, 'dubu')).toBeLessThanOrEqual(5);
      // And back to the whole export: growing is never refused.
      expect((await importDubu(db.pool, dubuDir, options)).status).toBe('succeeded');
    });

    it("follows the municipality's own setting", async () => {
      await db.pool.query(`INSERT INTO setting (municipality_code, key, value) VALUES (461, 'import.max_shrink_share', '1')`);
      try {
        expect((await importDubu(db.pool, cut(dubuDir, 'sager.csv', 5), options)).status).toBe('succeeded');
        expect((await importDubu(db.pool, dubuDir, options)).status).toBe('succeeded');
      } finally {
        await db.pool.query(`DELETE FROM setting WHERE key = 'import.max_shrink_share'`);
      }
    });

    it('the CLI refuses with exit 1 and loads with --allow-shrink', async () => {
      const dir = cut(dubuDir, 'sager.csv', 3);
      const run = (...extra: string[]) =>
        spawnSync(process.execPath, ['tools/run.js', 'etl/src/cli.ts', 'import', 'dubu', dir, '--export-date', D, '--json', ...extra], {
          cwd: ROOT,
          encoding: 'utf8',
          env: { ...process.env, DATABASE_URL: db.url, PSEUDONYM_SECRET: TEST_SECRET },
        });
      const refused = run();
      expect(refused.status).toBe(1);
      expect(JSON.parse(refused.stdout)).toMatchObject({ status: 'failed', error: expect.stringMatching(/åbne sager/) });
      const forced = run('--allow-shrink');
      expect(forced.status).toBe(0);
      expect(await openCases(db, 461, 'dubu')).toBeLessThanOrEqual(3);
      expect((await importDubu(db.pool, dubuDir, options)).status).toBe('succeeded');
    });
  });

  describe('CSC SAG.txt and AKTIVITET.txt', () => {
    const csc = (dir: string, extra: object = {}) => importCsc(db.pool, dir, { ...options, ...extra });

    it("passes a municipality's first import", async () => {
      expect((await csc(cscDir)).status).toBe('succeeded');
      expect(await openCases(db, 751, 'csc')).toBeGreaterThan(20);
    });

    it('refuses a header-only SAG.txt and a SAG.txt cut after a few rows', async () => {
      const open = await openCases(db, 751, 'csc');
      await expectRefused(db, () => csc(cut(cscDir, 'SAG.txt', 0, 'latin1')), new RegExp(`kommune 751: ${open} af ${open} åbne sager`));
      await expectRefused(db, () => csc(cut(cscDir, 'SAG.txt', 4, 'latin1')), new RegExp(`kommune 751: \\d+ af ${open} åbne sager`));
    });

    it('refuses a header-only AKTIVITET.txt and one cut after a few rows (the open cases stay, their activity would go)', async () => {
      const header = await expectRefused(
        db,
        () => csc(cut(cscDir, 'AKTIVITET.txt', 0, 'latin1')),
        /kommune 751: (\d+) af \1 rækker om åbne sager/,
      );
      expect(header.error).toMatch(/Filen AKTIVITET\.txt/);
      await expectRefused(db, () => csc(cut(cscDir, 'AKTIVITET.txt', 10, 'latin1')), /kommune 751: \d+ af \d+ rækker om åbne sager/);
    });

    it('passes a normal re-import with one case fewer', async () => {
      const [, line] = readFileSync(join(cscDir, 'SAG.txt'), 'latin1').split('\n');
      const result = await csc(without(cscDir, 'SAG.txt', (l) => l === line, 'latin1'));
      expect(result.status).toBe('succeeded');
      expect(result.removed.cases).toBe(1);
    });

    it('lets a cut AKTIVITET.txt through with allowShrink', async () => {
      const result = await csc(cut(cscDir, 'AKTIVITET.txt', 10, 'latin1'), { allowShrink: true });
      expect(result.status).toBe('succeeded');
      expect(result.removed.assignments).toBeGreaterThan(0);
    });
  });

  describe('economy and statistics', () => {
    const economyDir = mkdtempSync(join(tmpdir(), 'economy-'));
    const budget = (drop: (i: number) => boolean = () => false) => {
      const lines = ['Kommunenr;År;Måned;Funktion;Funktionsnavn;Oprindeligt budget;Korrigeret budget;Forbrug'];
      for (const m of [461, 751])
        for (const y of [2023, 2024])
          for (let month = 1; month <= 12; month++)
            for (const fn of ['5.28.20', '5.28.21', '5.28.23']) {
              lines.push(`${m};${y};${month};${fn};Funktion ${fn};1.000.000;1.000.000;${month * 1000}`);
            }
      return lines.filter((_, i) => i === 0 || !drop(i)).join('\r\n') + '\r\n';
    };
    const economy = (text: string, extra: object = {}) => {
      writeFileSync(join(economyDir, 'oekonomi.csv'), text);
      return importEconomy(db.pool, economyDir, { pseudonymSecret: TEST_SECRET, ...extra });
    };
    const lines = (m: number) =>
      db.pool.query(`SELECT count(*)::int AS n FROM budget_line WHERE municipality_code = $1`, [m]).then((r) => r.rows[0].n as number);

    it('passes the first import; a header-only file removes nothing and passes', async () => {
      expect((await economy(budget())).status).toBe('succeeded');
      expect(await lines(461)).toBe(72);
      const before = await tableChecksums(db);
      const result = await economy(budget(() => true));
      expect(result).toMatchObject({ status: 'succeeded', removed: { budget_lines: 0 } });
      expect(await tableChecksums(db)).toEqual(before);
    });

    it('refuses a file cut after a few rows with the counts per municipality', async () => {
      // The first 5 rows: 461's year 2023 keeps 5 of its 36 lines; its 2024 and 751 are not in the file.
      await expectRefused(db, () => economy(budget((i) => i > 5)), /kommune 461: 31 af 72 budgetlinjer \(43,1 %, grænsen er 10 %\)/);
      expect(await lines(461)).toBe(72);
    });

    it("follows the municipality's setting, passes small changes, and lets a cut file through with allowShrink", async () => {
      await db.pool.query(`INSERT INTO setting (municipality_code, key, value) VALUES (461, 'import.max_shrink_share', '0.5')`);
      expect((await economy(budget((i) => i > 5))).status).toBe('succeeded');
      await db.pool.query(`DELETE FROM setting WHERE key = 'import.max_shrink_share'`);
      expect((await economy(budget())).status).toBe('succeeded');
      const small = await economy(budget((i) => i === 7 || i === 80));
      expect(small).toMatchObject({ status: 'succeeded', removed: { budget_lines: 2 } });
      expect(
        (
          await economy(
            budget((i) => i > 5),
            { allowShrink: true },
          )
        ).status,
      ).toBe('succeeded');
      expect(await lines(461)).toBe(41);
      expect(await lines(751)).toBe(71);
    });

    it('statistics never remove a row: header-only and cut files leave every figure', async () => {
      const dir = join(FIXTURES, 'statistics-small');
      expect((await importStatistics(db.pool, dir, { pseudonymSecret: TEST_SECRET })).status).toBe('succeeded');
      const before = await tableChecksums(db);
      for (const target of [
        cut(cut(dir, 'befolkning.csv', 0), 'noegletal.csv', 0),
        cut(cut(dir, 'befolkning.csv', 2), 'noegletal.csv', 2),
      ]) {
        const result = await importStatistics(db.pool, target, { pseudonymSecret: TEST_SECRET });
        expect(result).toMatchObject({ status: 'succeeded', removed: { statistics: 0 } });
      }
      const after = await tableChecksums(db);
      expect({ p: after.population, s: after.municipal_statistic }).toEqual({ p: before.population, s: before.municipal_statistic });
    });
  });
});
