import { ChildProcess, spawn } from 'child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { basename, join, resolve } from 'path';
import { performance } from 'perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeExpired, sweepOrphanSpills } from '@bu/etl';
import { createTestDatabase, TestDatabase } from '../support/database';

const ROOT = resolve(__dirname, '../..');

describe('spill files of rejected rows left by a killed process', () => {
  let db: TestDatabase;
  let dir: string;
  const children: ChildProcess[] = [];

  /** A process that has written a spill file into `dir` (its TMPDIR) and runs until killed. */
  function spiller(): Promise<{ child: ChildProcess; spill: string }> {
    const child = spawn(process.execPath, ['tools/run.js', 'test/support/spill-writer.ts'], {
      cwd: ROOT,
      // The compiled code stays where every other run keeps it.
      env: { ...process.env, TMPDIR: dir, BU_RUN_CACHE_DIR: join(tmpdir(), `boerneblik-run-${process.getuid?.() ?? 'user'}`) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    return new Promise((ready, fail) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const line = out.split('\n')[0];
        if (out.includes('\n')) ready({ child, spill: line });
      });
      child.on('exit', (code) => fail(new Error(`the spill writer exited ${code}: ${out}`)));
    });
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'spill-orphans-'));
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    await db?.drop();
  });

  it('the daily purge removes a killed process’s spill file and leaves a running one’s', async () => {
    const [killed, running] = await Promise.all([spiller(), spiller()]);
    expect(killed.spill.startsWith(join(dir, `bu-issues-${killed.child.pid}-`))).toBe(true);
    killed.child.kill('SIGKILL');
    await new Promise((r) => killed.child.once('exit', r));
    // Killed, it could not remove its own file.
    expect(existsSync(killed.spill)).toBe(true);

    const summary = await purgeExpired(db.pool, { now: new Date(), spillDir: dir });
    expect(summary['0']).toMatchObject({ spills: 1 });
    expect(existsSync(killed.spill)).toBe(false);
    expect(existsSync(running.spill)).toBe(true);
    const { rows } = await db.pool.query(`SELECT removed FROM import_run WHERE source = 'purge'`);
    expect(rows).toEqual([{ removed: expect.objectContaining({ spills: 1 }) }]);
  }, 60_000);

  it('takes a file of its own pid made before it started for an orphan (a restarted container’s process 1)', () => {
    const before = join(dir, `bu-issues-${process.pid}-${Math.floor(performance.timeOrigin) - 60_000}-x.copy`);
    const mine = join(dir, `bu-issues-${process.pid}-${Date.now()}-y.copy`);
    for (const path of [before, mine]) writeFileSync(path, '');
    expect(sweepOrphanSpills(dir)).toEqual([basename(before)]);
    expect(existsSync(mine)).toBe(true);
  });
});
