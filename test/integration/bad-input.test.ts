// Issue 13 item 8: every malformed export of test/fixtures/bad/ through the real CLI (as `npm run
// etl` runs it, heap capped at 128 MB), one database per reader. Each either fails as a whole with
// its Danish message and changes no table (but import_run, which records the failure), or rejects
// the damaged rows with rule, file and line and loads the rest; the process exits normally and
// stays under the 300 MB memory cap. The zip cases go through the worker's unpack child and the
// API's check.
import { spawn, fork } from 'child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectUploadZip } from '../../etl/src/jobs/upload-zip';
import { BASES, BadCase, CASES, EXPORT_DATE, Reader } from '../fixtures/bad/cases';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';

const ROOT = resolve(__dirname, '../..');
const BAD = join(ROOT, 'test/fixtures/bad');
const MEMORY_CAP_KB = 300 * 1024;
const scratch = mkdtempSync(join(tmpdir(), 'bu-bad-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The case's folder: committed, or written now (a generated case: the base export, then its own files). */
async function caseDir(c: BadCase): Promise<string> {
  if (!c.generate) return join(BAD, c.id);
  const dir = join(scratch, c.id);
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(BAD, CASES.find((o) => o.reader === c.reader && !o.generate && o.expect && 'rejected' in o.expect && o.expect.rejected.length === 0)?.id ?? ''), dir, { recursive: true });
  if (c.reader !== 'zip') for (const [name, text] of Object.entries(BASES[c.reader])) writeFileSync(join(dir, name), text);
  await c.generate(dir);
  return dir;
}

/**
 * Every table of the public schema as one md5 each, but import_run, which records the failed import
 * (by design: the steward sees it in the import log), and data_version, the cache counter its
 * trigger moves with every write to import_run.
 */
async function checksums(db: TestDatabase): Promise<Record<string, string>> {
  const { rows } = await db.pool.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('import_run', 'data_version') ORDER BY tablename`);
  const sums: Record<string, string> = {};
  for (const { tablename } of rows) {
    const { rows: r } = await db.pool.query(`SELECT md5(coalesce(string_agg(t::text, '' ORDER BY t::text), '')) AS sum FROM public."${tablename}" t`);
    sums[tablename] = r[0].sum;
  }
  return sums;
}

interface Run {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  maxRssKb: number;
}

/** The CLI under /usr/bin/time -v (its peak resident set size), as `npm run etl` starts it. */
function runCli(db: TestDatabase, args: string[]): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn('/usr/bin/time', ['-v', process.execPath, '--max-old-space-size=128', 'tools/run.js', 'etl/src/cli.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: db.url, PSEUDONYM_SECRET: TEST_SECRET },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code, signal) => {
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      // time reports a child killed by a signal as "Command terminated by signal N".
      const killed = /Command terminated by signal (\d+)/.exec(stderr);
      done({ code, signal: killed ? `signal ${killed[1]}` : signal, stdout, stderr, maxRssKb: rss ? Number(rss[1]) : NaN });
    });
  });
}

const READERS: Exclude<Reader, 'zip'>[] = ['dubu', 'csc', 'economy', 'statistics'];
/** Each import's peak resident set size, printed at the end (docs/ETL.md quotes the largest). */
const peaks: string[] = [];
afterAll(() => {
  const largest = [...peaks].sort((a, b) => Number(b.split(' ')[1]) - Number(a.split(' ')[1])).slice(0, 3);
  console.log(`Peak RSS of the CLI imports, largest: ${largest.join(', ')}`);
});

for (const reader of READERS) {
  describe(`malformed ${reader} exports through the CLI`, () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase();
    });
    afterAll(async () => db?.drop());

    for (const c of CASES.filter((o) => o.reader === reader)) {
      it(`${c.id}: ${c.what}`, async () => {
        const dir = await caseDir(c);
        const before = await checksums(db);
        expect(Object.keys(before).length).toBeGreaterThan(20);
        const run = await runCli(db, ['import', reader, dir, '--export-date', EXPORT_DATE, '--json', ...(c.args ?? [])]);
        if (c.generate) rmSync(dir, { recursive: true, force: true });
        // Exits on its own: 0 imported, 1 failed as a whole; never a crash or a signal.
        expect(run.signal, run.stderr).toBeNull();
        expect(run.maxRssKb, run.stderr).toBeLessThan(MEMORY_CAP_KB);
        peaks.push(`${c.id} ${Math.round(run.maxRssKb / 1024)} MB`);
        const summary = JSON.parse(run.stdout);
        if ('failed' in c.expect) {
          expect(run.code, run.stderr).toBe(1);
          expect(summary.status).toBe('failed');
          expect(summary.error).toBe(c.expect.failed);
          expect(await checksums(db)).toEqual(before);
          const { rows } = await db.pool.query(`SELECT status, error FROM import_run WHERE id = $1`, [summary.importId]);
          expect(rows[0]).toEqual({ status: 'failed', error: c.expect.failed });
        } else {
          expect(run.code, run.stderr + run.stdout.slice(0, 2000)).toBe(0);
          expect(summary.status).toBe('succeeded');
          const got = summary.rejected.map((r: { file: string; line: number; rule: string }) => ({ file: r.file, line: r.line, rule: r.rule }));
          if (c.expect.rejected.length === 0) expect(got).toEqual([]);
          for (const want of c.expect.rejected) expect(got).toContainEqual(want);
          // Each rejection names its rule, file and line, and says why in Danish.
          for (const r of summary.rejected) expect(r).toMatchObject({ rule: expect.stringMatching(/^R\d{3}$/), file: expect.any(String), line: expect.any(Number), message: expect.any(String) });
          if (c.expect.loaded) {
            for (const [entity, n] of Object.entries(c.expect.loaded)) expect((summary.loaded[entity] ?? 0) + (summary.unchanged[entity] ?? 0), entity).toBe(n);
          }
          for (const rule of c.expect.warnings ?? []) expect(summary.warnings.map((w: { rule: string }) => w.rule)).toContain(rule);
        }
      }, 120_000);
    }
  });
}

describe('malformed zip uploads: the API check and the worker unpack child', () => {
  /** unpack-child-entry at 128 MB heap, as unpackUploadZipApart forks it; its peak RSS read as it answers. */
  function unpackApart(zip: string, target: string): Promise<{ answer: { type: string; message?: string; files?: string[] }; maxRssKb: number; code: number | null }> {
    return new Promise((done, fail) => {
      const child = fork(join(ROOT, 'tools/run.js'), [join(ROOT, 'etl/src/jobs/unpack-child-entry.ts'), zip, target], {
        execArgv: ['--max-old-space-size=128'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      let answer: { type: string; message?: string; files?: string[] } | undefined;
      let maxRssKb = 0;
      const peak = () => {
        try {
          const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) maxRssKb = Math.max(maxRssKb, Number(m[1]));
        } catch {
          // gone
        }
      };
      const timer = setInterval(peak, 50);
      child.on('message', (m: typeof answer) => {
        peak();
        answer = m;
      });
      child.on('error', fail);
      child.on('exit', (code) => {
        clearInterval(timer);
        done({ answer: answer!, maxRssKb, code });
      });
    });
  }

  for (const c of CASES.filter((o) => o.reader === 'zip')) {
    it(`${c.id}: ${c.what}`, async () => {
      const dir = await caseDir(c);
      const zip = join(dir, 'upload.zip');
      const target = join(scratch, `${c.id}.d`);
      // The API's check (settled now, looked at below).
      const checked = inspectUploadZip(zip).then(
        (files) => ({ files }),
        (error: Error) => ({ error: error.message }),
      );
      const unpacked = await unpackApart(zip, target);
      expect(unpacked.code).toBe(0);
      expect(unpacked.maxRssKb).toBeGreaterThan(0);
      expect(unpacked.maxRssKb).toBeLessThan(MEMORY_CAP_KB);
      if ('failed' in c.expect) {
        expect(await checked).toEqual({ error: c.expect.failed });
        expect(unpacked.answer).toEqual({ type: 'refused', message: c.expect.failed });
        // Nothing of a refused zip is left unpacked.
        expect(existsSync(target)).toBe(false);
      } else {
        const files = Object.keys(BASES.dubu).sort();
        expect(await checked).toEqual({ files });
        expect(unpacked.answer).toEqual({ type: 'done', files });
        expect(readdirSync(target).sort()).toEqual(files);
      }
      if (c.generate) rmSync(dir, { recursive: true, force: true });
    }, 120_000);
  }
});

describe('the cases', () => {
  it('are at least 40, each with a folder (or generated) and listed with its outcome in docs/ETL.md', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((c) => c.id)).size).toBe(CASES.length);
    const doc = readFileSync(join(ROOT, 'docs/ETL.md'), 'utf8');
    const readme = readFileSync(join(BAD, 'README.md'), 'utf8');
    for (const c of CASES) {
      expect(c.generate ? true : existsSync(join(BAD, c.id)), c.id).toBe(true);
      expect(doc, c.id).toContain(`| ${c.id} |`);
      expect(readme, c.id).toContain(c.id);
    }
    for (const reader of ['dubu', 'csc', 'economy', 'statistics', 'zip']) expect(CASES.some((c) => c.reader === reader)).toBe(true);
  });
});
