import { ChildProcess, spawn } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etlQueue, importDubu } from '@bu/etl';
import type { QueueConfig } from '@bu/queue';
import { generateLargeDubu } from '../../bench/generate-large-dubu';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { DUBU_SMALL, DUBU_SMALL_D } from '../support/fixtures';
import { testQueueConfig, TEST_REDIS_URL } from '../support/queue';

const ROOT = resolve(__dirname, '../..');

describe('a worker killed mid-import (Redis backend)', () => {
  let db: TestDatabase;
  let config: QueueConfig;
  let bigExport: string;
  const workers: ChildProcess[] = [];

  function startWorker(): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['tools/run.js', 'apps/worker/src/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: config.queuePrefix,
        PSEUDONYM_SECRET: TEST_SECRET,
        ETL_LOCK_DURATION_MS: '3000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    workers.push(child);
    return new Promise((ready, fail) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('ETL worker running')) ready(child);
      });
      child.stderr.on('data', (d) => (out += d));
      child.on('exit', (code) => fail(new Error(`worker exited ${code}: ${out}`)));
    });
  }

  const counts = async () =>
    (
      await db.pool.query(
        `SELECT (SELECT count(*) FROM child_case)::int AS cases, (SELECT count(*) FROM measure)::int AS measures, (SELECT count(*) FROM assignment)::int AS assignments`,
      )
    ).rows[0];

  beforeAll(async () => {
    db = await createTestDatabase();
    config = testQueueConfig(db.url, 'redis', 'crash');
    await importDubu(db.pool, DUBU_SMALL, { pseudonymSecret: TEST_SECRET, exportDate: DUBU_SMALL_D });
    bigExport = mkdtempSync(join(tmpdir(), 'crash-dubu-'));
    await generateLargeDubu(bigExport, 120_000);
  });
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    rmSync(bigExport, { recursive: true, force: true });
    await db?.drop();
  });

  it('leaves the database as it was, and the job is retried and completes on another worker', async () => {
    const before = await counts();
    expect(before).toEqual({ cases: 11, measures: 0, assignments: 14 });
    const first = await startWorker();
    const queue = etlQueue(config);
    try {
      // Another export's cases replace the small fixture's whole: a shrink the guard refuses unless allowed.
      const job = await queue.add('import', { source: 'dubu', dir: bigExport, exportDate: '2024-12-31', allowShrink: true });
      // Kill it once it is well into the import (rows read, nothing committed).
      for (let i = 0; ; i++) {
        const progress = (await queue.getJob(job.id!))?.progress as { rowsRead?: number } | undefined;
        if (progress?.rowsRead && progress.rowsRead >= 50_000) break;
        // 90 s: the worker compiles and starts its staging thread first, slowly on a busy machine.
        if (i > 1800) throw new Error('the import never got going');
        await new Promise((r) => setTimeout(r, 50));
      }
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
      expect(await counts()).toEqual(before);
      const { rows: running } = await db.pool.query(`SELECT status FROM import_run WHERE job_id = $1`, [job.id]);
      expect(running).toEqual([{ status: 'running' }]);
      // What the killed import had staged (committed as it went, on its second connection) is in its
      // own schema, apart from every canonical table ...
      const schemas = async () =>
        (await db.pool.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'import\\_%' ORDER BY 1`)).rows.map((r) => r.nspname);
      expect(await schemas()).toHaveLength(1);

      await startWorker();
      let state = '';
      for (let i = 0; i < 600 && state !== 'completed' && state !== 'failed'; i++) {
        state = (await (await queue.getJob(job.id!))?.getState()) ?? '';
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await queue.getJob(job.id!))?.failedReason ?? state).toBe('completed');
      expect(await counts()).toEqual({ cases: 30_000, measures: 120_000, assignments: 30_000 });
      const { rows: runs } = await db.pool.query(`SELECT status, error FROM import_run WHERE job_id = $1 ORDER BY id`, [job.id]);
      expect(runs.map((r) => r.status)).toEqual(['failed', 'succeeded']);
      expect(runs[0].error).toMatch(/^Afbrudt: importen stoppede undervejs/);
      // ... and is gone once the job has run again.
      expect(await schemas()).toEqual([]);
    } finally {
      await queue.close();
    }
  }, 240_000);
});
