import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { generateLargeDubu } from '../../bench/generate-large-dubu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { copyFixture, DUBU_SMALL, editFile } from '../support/fixtures';

const ROOT = resolve(__dirname, '../..');

describe('npm run etl -- import (CLI for data stewards and scripts)', () => {
  let db: TestDatabase;
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['tools/run.js', 'etl/src/cli.ts', ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: db.url, PSEUDONYM_SECRET: TEST_SECRET },
    });

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  it('prints one JSON summary; a re-import loads nothing', () => {
    const first = run('import', 'dubu', DUBU_SMALL, '--export-date', '2024-02-29', '--json');
    expect(first.status).toBe(0);
    const summary = JSON.parse(first.stdout);
    expect(summary).toMatchObject({ status: 'succeeded', loaded: { cases: 11, caseworkers: 6, assignments: 14 } });
    expect(summary.rejected).toEqual([
      expect.objectContaining({ file: 'sager.csv', line: 14, rule: 'R005', value: '01-01-2024' }),
      expect.objectContaining({ file: 'sager.csv', line: 15, rule: 'R003' }),
      expect.objectContaining({ file: 'sagsansvar.csv', line: 17, rule: 'R011', value: 'S99' }),
    ]);
    expect(typeof summary.seconds).toBe('number');
    // The same export again is not staged at all (ADR 0073): it says which import it is the same as.
    const again = JSON.parse(run('import', 'dubu', DUBU_SMALL, '--export-date', '2024-02-29', '--json').stdout);
    expect(again).toMatchObject({ status: 'succeeded', sameAs: expect.any(String) });
    // Staged anew on request, it loads nothing and finds every row unchanged.
    const restaged = JSON.parse(run('import', 'dubu', DUBU_SMALL, '--export-date', '2024-02-29', '--restage', '--json').stdout);
    expect(restaged.loaded).toEqual({ cases: 0, caseworkers: 0, assignments: 0 });
    expect(restaged.unchanged).toEqual({ cases: 11, caseworkers: 6, assignments: 14 });
  });

  it('exits 1 with the reason when the export is not in the declared format', () => {
    const dir = copyFixture(DUBU_SMALL);
    editFile(dir, 'sager.csv', (t) => t.replace(/;/g, '\t'));
    const result = run('import', 'dubu', dir, '--json');
    expect(result.status).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'failed', error: expect.stringMatching(/skilletegn/) });
  });

  it("keeps standard output to the JSON summary while ETL_TRACE logs, the staging thread's lines too", async () => {
    // ydelser.csv over 8 MB: staged by the import's thread, whose statements are traced too.
    const dir = mkdtempSync(join(tmpdir(), 'bu-cli-trace-'));
    try {
      await generateLargeDubu(dir, 120_000);
      const traced = spawnSync(
        process.execPath,
        [
          'tools/run.js',
          'etl/src/cli.ts',
          'import',
          'dubu',
          dir,
          '--export-date',
          '2024-12-31',
          '--municipality',
          '461',
          '--allow-shrink',
          '--json',
        ],
        {
          cwd: ROOT,
          encoding: 'utf8',
          env: { ...process.env, DATABASE_URL: db.url, PSEUDONYM_SECRET: TEST_SECRET, ETL_TRACE: '1', ETL_TRACE_MS: '0' },
        },
      );
      expect(traced.status, traced.stderr.slice(-2000)).toBe(0);
      expect(JSON.parse(traced.stdout)).toMatchObject({ status: 'succeeded', loaded: { measures: 120_000 } });
      expect(traced.stderr).toMatch(/\[etl \+\d+ms thread\] \d+ ms/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('exits 2 on wrong usage', () => {
    const result = run('import', 'nosuchsource', DUBU_SMALL);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/Ukendt kilde: nosuchsource/);
    // An export date that is not a day of the calendar is refused before anything is read.
    const leap = run('import', 'dubu', DUBU_SMALL, '--export-date', '2023-02-29');
    expect(leap.status).toBe(2);
    expect(leap.stderr).toMatch(/Ugyldig udtræksdato: 2023-02-29/);
  });

  it('rejects a municipality that disagrees with the export', () => {
    const result = run('import', 'dubu', DUBU_SMALL, '--municipality', '101', '--json');
    expect(result.status).toBe(1);
    const summary = JSON.parse(result.stdout);
    expect(summary.status).toBe('failed');
    expect(summary.error).toBe(
      'Ingen rækker i sager.csv hører til kommune 101 (13 af 13 rækker har et andet kommunenummer). Intet er indlæst.',
    );
  });
});
