import { ChildProcess, spawn } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etlQueue, importDubu } from '@bu/etl';
import { generateLargeDubu } from '../../bench/generate-large-dubu';
import { addUser } from '../../scripts/lib/users';
import { createTestDatabase, TEST_JWT_SECRET, TEST_SECRET, type TestDatabase } from '../support/database';
import { DUBU_SMALL, DUBU_SMALL_D } from '../support/fixtures';
import { freePort } from '../support/pg-cluster';

// Issue 13, item 4: on SIGTERM the API stops accepting, finishes the requests in flight, the
// worker finishes its job (or, after SHUTDOWN_GRACE_MS, hands it back to the queue), and the
// process exits 0. The real entry points: `npm run serve`, `npm run serve:api`, `npm run serve:worker`
// (`npm start` stops through the same close: test/e2e/embedded-start.test.ts).

const ROOT = resolve(__dirname, '../..');
const PASSWORD = 'test-password-123';
/** Not a month end nor an export date of these tests. */
const NOT_HELD_DAY = '2024-02-28';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

describe('graceful shutdown on SIGTERM', () => {
  let db: TestDatabase;
  let bigExport = '';
  const dirs: string[] = [];
  const procs: ChildProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, DUBU_SMALL, { pseudonymSecret: TEST_SECRET, exportDate: DUBU_SMALL_D });
    await addUser(db.pool, { username: 'chef', password: PASSWORD, role: 'chef', municipality: 461 });
    bigExport = mkdtempSync(join(tmpdir(), 'bu-shutdown-dubu-'));
    await generateLargeDubu(bigExport, 60_000);
  }, 180_000);
  afterAll(async () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    for (const d of [bigExport, ...dirs]) if (d) rmSync(d, { recursive: true, force: true });
    await db?.drop();
  });

  function start(script: string[], ready: string, env: NodeJS.ProcessEnv): Promise<Proc> {
    const uploads = mkdtempSync(join(tmpdir(), 'bu-shutdown-uploads-'));
    dirs.push(uploads);
    const child = spawn(process.execPath, ['tools/run.js', ...script], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        REDIS_URL: '',
        JWT_SECRET: TEST_JWT_SECRET,
        PSEUDONYM_SECRET: TEST_SECRET,
        UPLOAD_DIR: uploads,
        WEB_DIST: 'dist/does-not-exist',
        DROP_FOLDER_INTERVAL_MS: '0',
        ETL_LOCK_DURATION_MS: '3000',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    procs.push(child);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
      child.once('exit', (code, signal) => r({ code, signal })),
    );
    return new Promise((resolvePromise, reject) => {
      const timer = setInterval(() => {
        if (out.includes(ready)) {
          clearInterval(timer);
          resolvePromise({ child, output: () => out, exited });
        }
      }, 100);
      void exited.then(({ code }) => {
        clearInterval(timer);
        reject(new Error(`exited ${code} before it was ready: ${out}`));
      });
    });
  }

  /** A request held in flight: the KPI's table is locked until `release`. */
  async function slowRequest(
    url: string,
  ): Promise<{ answer: Promise<{ status: number; body: { kpis?: Record<string, unknown> } }>; release: () => Promise<void> }> {
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'chef', password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const holder = await db.pool.connect();
    const release = async () => {
      await holder.query('ROLLBACK');
      holder.release();
    };
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE child_case IN ACCESS EXCLUSIVE MODE');
    // A day no read model holds (they hold month ends and export dates), so the answer reads
    // child_case whether or not the worker has built the read models yet.
    const answer = fetch(`${url}/api/v1/kpis?ids=caseload.open_cases&asOf=${NOT_HELD_DAY}`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(120_000),
    }).then(async (res) => ({
      status: res.status,
      body: (await res.json()) as { kpis?: Record<string, unknown> },
    }));
    // In flight: the API's statement waits for the lock.
    try {
      for (let i = 0; ; i++) {
        const { rows } = await db.pool.query(
          `SELECT count(*)::int AS n FROM pg_locks WHERE relation = 'child_case'::regclass AND NOT granted`,
        );
        if (rows[0].n > 0) break;
        if (i > 600) throw new Error('the request never reached the database');
        await sleep(50);
      }
    } catch (e) {
      // Left held, the lock would stall every later test's import.
      await release();
      throw e;
    }
    return { answer, release };
  }

  async function refusesNewConnections(url: string): Promise<void> {
    // Stops accepting soon after the signal: a new connection is refused (not queued).
    for (let i = 0; ; i++) {
      const refused = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5000) }).then(
        () => false,
        () => true,
      );
      if (refused) return;
      if (i > 100) throw new Error('still accepting connections after SIGTERM');
      await sleep(100);
    }
  }

  it('npm run serve:api: the request in flight gets its answer, new connections are refused, exit 0', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const api = await start(['scripts/serve.ts', 'api'], 'Børneblik on', { PORT: String(port) });
    const slow = await slowRequest(url);
    api.child.kill('SIGTERM');
    await refusesNewConnections(url);
    await sleep(1000);
    expect(api.child.exitCode, 'waits for the request in flight').toBeNull();
    await slow.release();
    const answer = await slow.answer;
    expect(answer.status).toBe(200);
    expect(answer.body.kpis?.['caseload.open_cases']).toBeTruthy();
    expect(await api.exited, api.output()).toEqual({ code: 0, signal: null });
  }, 120_000);

  it('npm run serve (API and worker): the request and the running import finish, exit 0', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const serve = await start(['scripts/serve.ts'], 'Børneblik on', { PORT: String(port), SHUTDOWN_GRACE_MS: '90000' });
    const queue = etlQueue({ databaseUrl: db.url });
    try {
      // Its cases replace the small fixture's whole: a shrink the guard refuses unless allowed.
      const job = await queue.add('import', { source: 'dubu', dir: bigExport, exportDate: '2024-12-31', allowShrink: true });
      for (let i = 0; ; i++) {
        const progress = (await queue.getJob(job.id!))?.progress as { rowsRead?: number } | undefined;
        if (progress?.rowsRead) break;
        if (i > 1200) throw new Error(`the import never got going: ${serve.output()}`);
        await sleep(50);
      }
      const slow = await slowRequest(url);
      serve.child.kill('SIGTERM');
      await refusesNewConnections(url);
      await sleep(500);
      await slow.release();
      expect((await slow.answer).status).toBe(200);
      expect(await serve.exited, serve.output()).toEqual({ code: 0, signal: null });
      // The worker waited for its job: done, in the database, before the process ended.
      expect(await (await queue.getJob(job.id!))?.getState()).toBe('completed');
      const { rows } = await db.pool.query(`SELECT status FROM import_run WHERE job_id = $1`, [job.id]);
      expect(rows).toEqual([{ status: 'succeeded' }]);
    } finally {
      await queue.close();
    }
  }, 240_000);

  it('npm run serve:worker: a job that does not finish within the grace period goes back to the queue, exit 0; the next worker runs it', async () => {
    const queue = etlQueue({ databaseUrl: db.url });
    try {
      // A grace far shorter than the import (60,000 rows: a second or more even on a quiet machine).
      const worker = await start(['apps/worker/src/main.ts'], 'ETL worker running', { SHUTDOWN_GRACE_MS: '100' });
      // Its cases replace the small fixture's whole: a shrink the guard refuses unless allowed.
      const job = await queue.add('import', { source: 'dubu', dir: bigExport, exportDate: '2025-01-31', allowShrink: true });
      for (let i = 0; ; i++) {
        const progress = (await queue.getJob(job.id!))?.progress as { rowsRead?: number } | undefined;
        if (progress?.rowsRead) break;
        if (i > 1200) throw new Error(`the import never got going: ${worker.output()}`);
        await sleep(50);
      }
      const signalled = Date.now();
      worker.child.kill('SIGTERM');
      expect(await worker.exited, worker.output()).toEqual({ code: 0, signal: null });
      expect(Date.now() - signalled).toBeLessThan(20_000);
      expect(worker.output()).toContain('did not finish in time: it goes back to the queue');
      expect(await (await queue.getJob(job.id!))?.getState()).not.toBe('completed');

      await start(['apps/worker/src/main.ts'], 'ETL worker running', {});
      let state = '';
      for (let i = 0; i < 1800 && state !== 'completed' && state !== 'failed'; i++) {
        state = (await (await queue.getJob(job.id!))?.getState()) ?? '';
        await sleep(100);
      }
      expect(state).toBe('completed');
      const { rows } = await db.pool.query(`SELECT status FROM import_run WHERE job_id = $1 ORDER BY id`, [job.id]);
      expect(rows.map((r) => r.status)).toEqual(['failed', 'succeeded']);
    } finally {
      await queue.close();
    }
  }, 240_000);
});
