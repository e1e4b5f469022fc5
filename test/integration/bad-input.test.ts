// Issue 13 item 8: every malformed export of test/fixtures/bad/ through the real CLI (as `npm run
// etl` runs it, heap capped at 128 MB), each on a copy of a template database. Each either fails as a whole with
// its Danish message and changes no table (but import_run, which records the failure), or rejects
// the damaged rows with rule, file and line and loads the rest; the process exits normally and
// stays under the 300 MB memory cap. The zip cases go through the worker's unpack child and the
// API's check.
import { spawn, fork } from 'child_process';
import { randomBytes } from 'crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectUploadZip } from '@bu/etl';
import { BASES, BadCase, CASES, EXPORT_DATE, Reader } from '../fixtures/bad/cases';
import { Client, Pool } from 'pg';
import { createTestDatabase, databaseUrl, TEST_SECRET, TEST_SERVER_URL, testDatabase, TestDatabase } from '../support/database';

const ROOT = resolve(__dirname, '../..');
const BAD = join(ROOT, 'test/fixtures/bad');
const MEMORY_CAP_KB = 300 * 1024;
/** md5 of the empty string: an empty table's checksum. */
const EMPTY_MD5 = 'd41d8cd98f00b204e9800998ecf8427e';
const scratch = mkdtempSync(join(tmpdir(), 'bu-bad-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The case's folder: committed, or written now (a generated case: the base export, then its own files). */
async function caseDir(c: BadCase): Promise<string> {
  if (!c.generate) return join(BAD, c.id);
  const dir = join(scratch, c.id);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
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
  const { rows } = await db.pool.query(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('import_run', 'data_version') ORDER BY tablename`,
  );
  const sums: Record<string, string> = {};
  for (const { tablename } of rows) {
    const { rows: r } = await db.pool.query(
      `SELECT md5(coalesce(string_agg(t::text, '' ORDER BY t::text), '')) AS sum FROM public."${tablename}" t`,
    );
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

/**
 * Databases made by copying a template (CREATE DATABASE … TEMPLATE: a file copy, far quicker than
 * migrating): every case gets one of its own, so no case's outcome depends on another's (nor on
 * the shrink guard or the export-date order of issue 13 items 5 and 6).
 */
async function cloneDatabase(template: string): Promise<TestDatabase> {
  const name = `bu_bad_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: TEST_SERVER_URL });
  await admin.connect();
  // A template may have no session: the last one of a process that just exited can take a moment to go.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
      break;
    } catch (error) {
      if (attempt >= 50 || !/being accessed by other users/.test((error as Error).message)) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await admin.end();
  const pool = new Pool({ connectionString: databaseUrl(name), max: 2 });
  // A connection still closing when the database is dropped hears of it; nothing to do then.
  pool.on('error', () => undefined);
  return testDatabase(name, pool);
}

/** The migrated, empty database every case's database is copied from, or its copy with a reader's valid export loaded. */
let migrated: TestDatabase;
const templateName = (db: TestDatabase) => new URL(db.url).pathname.slice(1);
beforeAll(async () => {
  migrated = await createTestDatabase('bu_bad_template');
  await migrated.pool.end();
}, 180_000);
afterAll(async () => {
  const c = new Client({ connectionString: TEST_SERVER_URL });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${templateName(migrated)} WITH (FORCE)`);
  await c.end();
});

for (const reader of READERS) {
  describe(`malformed ${reader} exports through the CLI`, () => {
    /** The migrated database with the reader's valid export loaded: a whole failure must leave it as it is. */
    let loaded: TestDatabase;
    beforeAll(async () => {
      loaded = await cloneDatabase(templateName(migrated));
      const base = join(scratch, `${reader}-base`);
      mkdirSync(base);
      for (const [name, text] of Object.entries(BASES[reader])) writeFileSync(join(base, name), text);
      const run = await runCli(loaded, ['import', reader, base, '--export-date', EXPORT_DATE, '--json']);
      expect(JSON.parse(run.stdout)).toMatchObject({ status: 'succeeded', rejected: [] });
      await loaded.pool.end();
    }, 180_000);
    afterAll(async () => {
      const c = new Client({ connectionString: TEST_SERVER_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${templateName(loaded)} WITH (FORCE)`);
      await c.end();
    });

    for (const c of CASES.filter((o) => o.reader === reader)) {
      it(`${c.id}: ${c.what}`, async () => {
        const dir = await caseDir(c);
        // A whole failure on a database holding data (its tables must stay as they are); rows
        // rejected on an empty one (what is loaded is then the file's alone).
        const db = await cloneDatabase(templateName('failed' in c.expect ? loaded : migrated));
        try {
          const before = await checksums(db);
          expect(Object.keys(before).length).toBeGreaterThan(20);
          // A whole failure is tested against data: the reader's valid export is there.
          if ('failed' in c.expect) expect(Object.values(before).filter((sum) => sum !== EMPTY_MD5).length).toBeGreaterThan(3);
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
            const got = summary.rejected.map((r: { file: string; line: number; rule: string }) => ({
              file: r.file,
              line: r.line,
              rule: r.rule,
            }));
            if (c.expect.rejected.length === 0) expect(got).toEqual([]);
            for (const want of c.expect.rejected) expect(got).toContainEqual(want);
            // Each rejection names its rule, file and line, and says why in Danish.
            for (const r of summary.rejected)
              expect(r).toMatchObject({
                rule: expect.stringMatching(/^R\d{3}$/),
                file: expect.any(String),
                line: expect.any(Number),
                message: expect.any(String),
              });
            if (c.expect.loaded) {
              for (const [entity, n] of Object.entries(c.expect.loaded))
                expect((summary.loaded[entity] ?? 0) + (summary.unchanged[entity] ?? 0), entity).toBe(n);
            }
            for (const rule of c.expect.warnings ?? []) expect(summary.warnings.map((w: { rule: string }) => w.rule)).toContain(rule);
          }
        } finally {
          await db.drop();
        }
      }, 120_000);
    }
  });
}

describe('malformed zip uploads: the API check and the worker unpack child', () => {
  /** unpack-child-entry at 128 MB heap, as unpackUploadZipApart forks it; its peak RSS read as it answers. */
  function unpackApart(
    zip: string,
    target: string,
  ): Promise<{ answer: { type: string; message?: string; files?: string[] }; maxRssKb: number; code: number | null }> {
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
