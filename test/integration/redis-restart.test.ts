import { ChildProcess, spawn } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { createServer } from 'net';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etlQueue, importDubu } from '@bu/etl';
import type { QueueConfig } from '@bu/queue';
import { generateLargeDubu } from '../../bench/generate-large-dubu';
import { generateDubuExport } from '../../scripts/demo/generate-dubu';
import { createTestDatabase, TEST_JWT_SECRET, TEST_SECRET, TestDatabase } from '../support/database';

// Issue 13 item 2: Redis restarts (as compose runs it: --appendonly yes) while one import job runs
// and others wait. Every job completes, the running one is retried, and nothing is applied twice.

const ROOT = resolve(__dirname, '../..');
const FACT_TABLES = [
  'child_case',
  'person',
  'caseworker',
  'assignment',
  'notification',
  'investigation',
  'measure',
  'action_plan',
  'followup',
  'supervision_visit',
  'child_conversation',
  'effect_measurement',
  'complaint',
];

async function factChecksums(pool: Pool): Promise<Record<string, { rows: number; md5: string }>> {
  const out: Record<string, { rows: number; md5: string }> = {};
  for (const table of FACT_TABLES) {
    const { rows } = await pool.query(
      `SELECT count(*)::int AS rows, coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') AS md5 FROM ${table} t`,
    );
    out[table] = rows[0];
  }
  return out;
}

const freePort = (): Promise<number> =>
  new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A redis-server of the test's own: append-only file in `dir`, as docker compose runs it. */
function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((ready, fail) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('Ready to accept connections')) ready(child);
    });
    child.once('exit', (code) => fail(new Error(`redis-server exited ${code}: ${out}`)));
  });
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

describe('a Redis restart while imports run and wait (Redis backend)', () => {
  let db: TestDatabase;
  let reference: TestDatabase;
  let redisDir: string;
  let redis: ChildProcess | undefined;
  let port: number;
  let config: QueueConfig;
  const exports: { dir: string; exportDate: string }[] = [];
  const scratch: string[] = [];

  beforeAll(async () => {
    [db, reference] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    redisDir = mkdtempSync(join(tmpdir(), 'redis-restart-'));
    port = await freePort();
    redis = await startRedis(port, redisDir);
    config = { databaseUrl: db.url, redisUrl: `redis://127.0.0.1:${port}`, queuePrefix: 'restart' };
    // One large export (municipality 461) that is still running when Redis goes, three small ones that wait.
    const big = mkdtempSync(join(tmpdir(), 'restart-big-'));
    await generateLargeDubu(big, 60_000);
    exports.push({ dir: big, exportDate: '2024-12-31' });
    for (const [i, code] of [147, 151, 153].entries()) {
      const dir = mkdtempSync(join(tmpdir(), 'restart-small-'));
      await generateDubuExport(dir, {
        municipalityCode: code,
        seed: 11 + i,
        children: 60,
        firstYear: 2022,
        exportDate: '2025-06-30',
        messy: false,
      });
      exports.push({ dir, exportDate: '2025-06-30' });
    }
    scratch.push(redisDir, ...exports.map((e) => e.dir));
  }, 120_000);
  afterAll(async () => {
    if (redis) await stopRedis(redis);
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
    await db?.drop();
    await reference?.drop();
  });

  /** The worker process (apps/worker) or the API process (npm run serve -- api), as docker runs them; its output. */
  function start(entry: string[], readyText: string): Promise<{ child: ChildProcess; output: () => string }> {
    const child = spawn(process.execPath, ['tools/run.js', ...entry], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        REDIS_URL: config.redisUrl,
        QUEUE_PREFIX: config.queuePrefix,
        PSEUDONYM_SECRET: TEST_SECRET,
        JWT_SECRET: TEST_JWT_SECRET,
        ETL_LOCK_DURATION_MS: '2000',
        PORT: '0',
        DROP_FOLDER_INTERVAL_MS: '0',
        WEB_DIST: 'dist/does-not-exist',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    return new Promise((ready, fail) => {
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes(readyText)) ready({ child, output: () => out });
      });
      child.stderr.on('data', (d) => (out += d));
      child.once('exit', (code) => fail(new Error(`${entry[0]} exited ${code}: ${out}`)));
    });
  }
  const stop = async (child: ChildProcess) => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };

  it('loses no job, retries the running one, applies none twice, and neither the worker nor the API exits', async () => {
    const { child: worker, output } = await start(['apps/worker/src/main.ts'], 'ETL worker running');
    const api = await start(['scripts/serve.ts', 'api'], 'Børneblik on');
    const apiUrl = /Børneblik on (\S+) /.exec(api.output())![1].replace('localhost', '127.0.0.1');
    const queue = etlQueue(config);
    try {
      const jobs: Awaited<ReturnType<typeof queue.add>>[] = [];
      for (const e of exports) jobs.push(await queue.add('import', { source: 'dubu', dir: e.dir, exportDate: e.exportDate }));
      const [running, ...waiting] = jobs;
      // Redis goes once the large import is well under way (its rows read, nothing committed).
      for (let i = 0; ; i++) {
        const progress = (await queue.getJob(running.id!))?.progress as { rowsRead?: number } | undefined;
        if (progress?.rowsRead && progress.rowsRead >= 20_000) break;
        if (i > 1200) throw new Error('the import never got going');
        await sleep(25);
      }
      expect(await Promise.all(waiting.map((j) => j.getState()))).toEqual(['waiting', 'waiting', 'waiting']);
      await stopRedis(redis!);
      // Down for longer than the job's lock: the running job's lock lapses meanwhile. The API answers
      // on: its health says the queue is down (503, within its 2 s check), not a hang.
      const during = await fetch(`${apiUrl}/api/health`, { signal: AbortSignal.timeout(5000) });
      expect(during.status).toBe(503);
      expect(await during.json()).toMatchObject({ database: 'up', queue: { backend: 'redis', status: 'down' } });
      await sleep(3000);
      redis = await startRedis(port, redisDir);

      const states = async () => Promise.all(jobs.map(async (j) => (await queue.getJob(j.id!))?.getState() ?? 'lost'));
      let now: string[] = [];
      for (let i = 0; i < 1200; i++) {
        now = await states();
        if (now.every((s) => s === 'completed' || s === 'failed' || s === 'lost')) break;
        await sleep(100);
      }
      expect(now).toEqual(['completed', 'completed', 'completed', 'completed']);
      // The worker lived through it: the outage reported, a line per connection, not thrown or left unhandled.
      expect(worker.exitCode).toBeNull();
      expect(output()).toMatch(/Redis connection: .*ECONNREFUSED.*\(retrying\)/);
      expect(output()).not.toMatch(/Unhandled error event/);
      expect(api.child.exitCode).toBeNull();
      expect(api.output()).toMatch(/Redis connection: .*ECONNREFUSED.*\(retrying\)/);
      expect(api.output()).not.toMatch(/Unhandled error event/);
      expect((await fetch(`${apiUrl}/api/health`)).status).toBe(200);

      // The running job was retried: two runs, the retry finding the export the same as the one the first
      // loaded, so it stages nothing again (ADR 0073).
      const { rows: runs } = await db.pool.query(
        `SELECT id::text, status, loaded, same_as::text AS same_as FROM import_run WHERE job_id = $1 ORDER BY id`,
        [running.id],
      );
      expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
      expect(runs[0].loaded.measures).toBe(60_000);
      expect(runs[1].same_as).toBe(runs[0].id);
      // Each waiting job ran once.
      for (const job of waiting) {
        const { rows } = await db.pool.query(`SELECT status FROM import_run WHERE job_id = $1`, [job.id]);
        expect(rows).toEqual([{ status: 'succeeded' }]);
      }
      // And the facts are those of one import of each export.
      for (const e of exports) {
        const once = await importDubu(reference.pool, e.dir, { pseudonymSecret: TEST_SECRET, exportDate: e.exportDate });
        expect(once.status).toBe('succeeded');
      }
      expect(await factChecksums(db.pool)).toEqual(await factChecksums(reference.pool));
    } finally {
      await queue.close();
      await Promise.all([stop(worker), stop(api.child)]);
    }
  }, 240_000);
});
