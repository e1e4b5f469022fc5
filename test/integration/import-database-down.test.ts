import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '@bu/db';
import { ensurePrivateDir, etlQueue, startEtlWorker, unpackDirFor } from '@bu/etl';
import type { QueueConfig } from '@bu/queue';
import { TEST_SECRET } from '../support/database';
import { DUBU_SMALL, DUBU_SMALL_D, DUBU_SMALL_MUNICIPALITY } from '../support/fixtures';
import { startPgCluster, type PgCluster } from '../support/pg-cluster';
import { zipFolder } from '../support/upload-zips';
import { testQueueConfig } from '../support/queue';

// ADR 0115: PostgreSQL down (a restart, a failover) while Redis keeps the queue. A job that cannot
// reach the database before its import begins waits in the queue, no attempt spent, instead of
// spending its three attempts in seconds and failing for good unimported and unlogged; it runs once
// the database is back. One the database has not answered for too long gives up, saying why.
// Its own cluster (initdb/pg_ctl), to stop and start; the queue on the shared Redis.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('an import whose database is down before it begins (Redis backend)', () => {
  let cluster: PgCluster;
  let pool: Pool;
  let uploads: string;
  const workers: ReturnType<typeof startEtlWorker>[] = [];
  let down = false;
  const stop = () => {
    cluster.stop();
    down = true;
  };
  const start = () => {
    if (down) cluster.start();
    down = false;
  };
  const configFor = (): QueueConfig => testQueueConfig(cluster.url, 'redis', 'dbdown');

  beforeAll(async () => {
    cluster = await startPgCluster();
    await migrate(cluster.url);
    pool = new Pool({ connectionString: cluster.url, max: 4 });
    pool.on('error', () => undefined);
    uploads = join(mkdtempSync(join(tmpdir(), 'bu-dbdown-')), 'uploads');
    ensurePrivateDir(uploads);
  }, 180_000);
  afterAll(async () => {
    for (const w of workers) await w.close();
    await pool?.end().catch(() => undefined);
    cluster?.destroy();
    if (uploads) rmSync(join(uploads, '..'), { recursive: true, force: true });
  });

  it('waits, no attempt spent and nothing failed, while the database is down, and imports once it is back', async () => {
    const config = configFor();
    workers.push(startEtlWorker(config, pool, TEST_SECRET, { databaseWait: { delayMs: 200, maxMs: 600_000 } }));
    const queue = etlQueue(config);
    try {
      stop();
      // A municipality's job (its lock's connection fails) and one without (the file decides it).
      const jobs = [
        await queue.add('import', { source: 'dubu', dir: DUBU_SMALL, exportDate: DUBU_SMALL_D, municipality: DUBU_SMALL_MUNICIPALITY }),
        await queue.add('import', { source: 'dubu', dir: DUBU_SMALL, exportDate: DUBU_SMALL_D, allowOlder: true }),
      ];
      // Longer than the queue's three attempts take (back-off 2 s, then 4 s).
      const seen = new Set<string>();
      for (let i = 0; i < 35; i++) {
        for (const job of jobs) seen.add(await job.getState());
        await sleep(200);
      }
      expect(seen).toContain('delayed');
      expect(
        [...seen].every((s) => ['waiting', 'active', 'delayed'].includes(s)),
        [...seen].join(),
      ).toBe(true);
      for (const job of jobs) expect((await queue.getJob(job.id!))!.attemptsMade).toBe(0);

      start();
      for (const job of jobs) {
        let state = '';
        for (let i = 0; i < 300 && state !== 'completed' && state !== 'failed'; i++) {
          await sleep(100);
          state = await job.getState();
        }
        expect(state, (await queue.getJob(job.id!))?.failedReason).toBe('completed');
      }
      const { rows } = await pool.query(`SELECT job_id, status FROM import_run ORDER BY id`);
      expect(rows.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
      expect(rows.map((r) => r.job_id).sort()).toEqual(jobs.map((j) => j.id).sort());
    } finally {
      start();
      await queue.close();
    }
  }, 60_000);

  it('gives up a job the database has not answered for too long: failed for good in Danish, its upload deleted', async () => {
    const config = configFor();
    workers.push(startEtlWorker(config, pool, TEST_SECRET, { uploadDir: uploads, databaseWait: { delayMs: 200, maxMs: 1500 } }));
    const queue = etlQueue(config);
    const zip = join(uploads, 'upload-1.zip');
    writeFileSync(zip, zipFolder(DUBU_SMALL), { mode: 0o600 });
    stop();
    try {
      const job = await queue.add('import', {
        source: 'dubu',
        dir: unpackDirFor(zip),
        zip,
        exportDate: DUBU_SMALL_D,
        allowedMunicipality: DUBU_SMALL_MUNICIPALITY,
      });
      let state = '';
      for (let i = 0; i < 100 && state !== 'completed' && state !== 'failed'; i++) {
        await sleep(100);
        state = await job.getState();
      }
      expect(state).toBe('failed');
      const failed = (await queue.getJob(job.id!))!;
      expect(failed.failedReason).toMatch(
        /^Databasen har ikke svaret i \d+ sekunder \(.*ECONNREFUSED.*\), så importen er opgivet; intet er indlæst\./,
      );
      expect(failed.failedReason).toContain('Uploaden er slettet; indlæs udtrækket igen.');
      // It gave up once, not after three attempts in seconds.
      expect(failed.attemptsMade).toBe(1);
      expect(Date.now() - failed.timestamp).toBeGreaterThanOrEqual(1500);
      expect(existsSync(zip)).toBe(false);
    } finally {
      start();
      await queue.close();
    }
  }, 60_000);
});
