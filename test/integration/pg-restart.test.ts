import { ChildProcess, spawn } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '@bu/db';
import { etlQueue, importDubu } from '@bu/etl';
import { generateLargeDubu } from '../../bench/generate-large-dubu';
import { addUser } from '../../scripts/lib/users';
import { TEST_JWT_SECRET, TEST_SECRET } from '../support/database';
import { DUBU_SMALL, DUBU_SMALL_D } from '../support/fixtures';
import { freePort, startPgCluster, type PgCluster } from '../support/pg-cluster';

// Issue 13, item 1: PostgreSQL restarts while clients ask for figures and an import runs in the
// worker (`npm run serve`: API and worker in one process, BullMQ on its PostgreSQL backend in the
// same database). Nothing exits; requests during the outage get 503 in Danish in bounded time;
// the import fails as a whole and its job is retried; health is green again without a restart.

const ROOT = resolve(__dirname, '../..');
const PASSWORD = 'test-password-123';
const STATEMENT_TIMEOUT_MS = 5000;
const CONNECT_TIMEOUT_MS = 2000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Answer {
  at: number;
  status: number;
  ms: number;
  message?: string;
}

describe('PostgreSQL restart under load', () => {
  let cluster: PgCluster;
  let pool: Pool;
  let api: ChildProcess;
  let output = '';
  let url = '';
  let bigExport = '';
  let uploads = '';

  beforeAll(async () => {
    cluster = await startPgCluster();
    await migrate(cluster.url);
    pool = new Pool({ connectionString: cluster.url, max: 2 });
    pool.on('error', () => undefined);
    await importDubu(pool, DUBU_SMALL, { pseudonymSecret: TEST_SECRET, exportDate: DUBU_SMALL_D });
    await addUser(pool, { username: 'chef', password: PASSWORD, role: 'chef', municipality: 461 });
    bigExport = mkdtempSync(join(tmpdir(), 'bu-restart-dubu-'));
    await generateLargeDubu(bigExport, 120_000);
    uploads = mkdtempSync(join(tmpdir(), 'bu-restart-uploads-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    api = spawn(process.execPath, ['tools/run.js', 'scripts/serve.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: cluster.url,
        REDIS_URL: '',
        PORT: String(port),
        JWT_SECRET: TEST_JWT_SECRET,
        PSEUDONYM_SECRET: TEST_SECRET,
        UPLOAD_DIR: uploads,
        WEB_DIST: 'dist/does-not-exist',
        DROP_FOLDER_INTERVAL_MS: '0',
        ETL_LOCK_DURATION_MS: '5000',
        // Every request reads the user's state: each one needs the database.
        TOKEN_CHECK_SECONDS: '0',
        API_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
        DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    api.stdout!.on('data', (d) => (output += d));
    api.stderr!.on('data', (d) => (output += d));
    for (let i = 0; !output.includes('Børneblik on'); i++) {
      if (api.exitCode !== null || i > 1200) throw new Error(`the API did not start: ${output}`);
      await sleep(100);
    }
  }, 300_000);

  afterAll(async () => {
    if (api && api.exitCode === null) api.kill('SIGKILL');
    await pool?.end().catch(() => undefined);
    cluster?.destroy();
    for (const dir of [bigExport, uploads]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const counts = async () =>
    (
      await pool.query(
        `SELECT (SELECT count(*) FROM child_case)::int AS cases, (SELECT count(*) FROM measure)::int AS measures, (SELECT count(*) FROM assignment)::int AS assignments`,
      )
    ).rows[0];

  /**
   * What to look at when the retried import did not end: the job as the queue has it, the import
   * runs, what every connection of the cluster is doing, and the product's own lines (without the
   * figure requests, which would crowd them out of a CI log's tail).
   */
  const diagnose = async (jobId: string) => {
    const job = await pool.query(
      `SELECT state, attempts_made, attempts_started, stalled_count, stalled_marked, failed_reason, locked_until_ms - (extract(epoch FROM now()) * 1000)::bigint AS lock_left_ms
       FROM bullmq.job WHERE queue = 'etl' AND id = $1`,
      [jobId],
    );
    const runs = await pool.query(`SELECT id, status, error FROM import_run WHERE job_id = $1 ORDER BY id`, [jobId]);
    const activity = await pool.query(
      `SELECT application_name AS app, state, wait_event, round(extract(epoch FROM now() - query_start))::int AS seconds, left(query, 60) AS query
       FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    const started = output.slice(output.indexOf('Børneblik on'));
    const lines = started.split('\n').filter((line) => !line.includes('GET /api/v1/kpis'));
    return [JSON.stringify(job.rows), JSON.stringify(runs.rows), ...activity.rows.map((r) => JSON.stringify(r)), ...lines].join('\n');
  };

  it('keeps running, answers 503 during the outage, fails the import cleanly and retries it, and is healthy again', async () => {
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'chef', password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const before = await counts();
    expect(before).toEqual({ cases: 11, measures: 0, assignments: 14 });

    // Clients asking for figures all along; each asks a date not asked before (no cached answer).
    const answers: Answer[] = [];
    let asking = true;
    let day = 0;
    const client = async () => {
      while (asking) {
        const asOf = new Date(Date.UTC(2023, 0, 1) + (day++ % 420) * 86_400_000).toISOString().slice(0, 10);
        const started = Date.now();
        try {
          const res = await fetch(`${url}/api/v1/kpis?ids=caseload.open_cases&asOf=${asOf}`, {
            headers: { Authorization: `Bearer ${token}` },
            signal: AbortSignal.timeout(60_000),
          });
          const body = (await res.json().catch(() => ({}))) as { message?: string };
          answers.push({ at: started, status: res.status, ms: Date.now() - started, message: body.message });
        } catch (error) {
          answers.push({ at: started, status: 0, ms: Date.now() - started, message: String(error) });
        }
        await sleep(50);
      }
    };
    const clients = [client(), client(), client()];

    const queue = etlQueue({ databaseUrl: cluster.url });
    try {
      // Its cases replace the small fixture's whole: a shrink the guard refuses unless allowed.
      const job = await queue.add('import', { source: 'dubu', dir: bigExport, exportDate: '2024-12-31', allowShrink: true });
      for (let i = 0; ; i++) {
        const progress = (await queue.getJob(job.id!))?.progress as { rowsRead?: number } | undefined;
        if (progress?.rowsRead && progress.rowsRead >= 20_000) break;
        if (i > 1200) throw new Error(`the import never got going: ${output}`);
        await sleep(50);
      }

      const down = Date.now();
      cluster.stop();
      await sleep(4000);
      cluster.start();
      const back = Date.now();
      // All or nothing: the import's transaction died with its connection; nothing of it is in the tables.
      expect(await counts()).toEqual(before);

      let healthy = 0;
      for (let i = 0; !healthy; i++) {
        const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
        if (res?.status === 200) healthy = Date.now();
        else if (Date.now() - back > 60_000) throw new Error('health never came back');
        else await sleep(250);
      }
      expect(healthy - back).toBeLessThan(30_000);
      await sleep(2000);
      asking = false;
      await Promise.all(clients);

      // No request hung: each answered within the connection and statement timeouts (and slack for a loaded machine).
      for (const a of answers) expect(a.ms, JSON.stringify(a)).toBeLessThan(CONNECT_TIMEOUT_MS + STATEMENT_TIMEOUT_MS + 10_000);
      // Each was a figure or a 503 in Danish; nothing else (no 500, no cut connection).
      for (const a of answers) expect([200, 503], JSON.stringify(a)).toContain(a.status);
      const unavailable = answers.filter((a) => a.status === 503);
      expect(unavailable.length).toBeGreaterThan(0);
      for (const a of unavailable) expect(a.message).toBe('Databasen svarer ikke lige nu. Prøv igen om lidt.');
      expect(answers.filter((a) => a.at < down && a.status === 200).length).toBeGreaterThan(0);
      expect(answers.filter((a) => a.at > healthy && a.status === 200).length).toBeGreaterThan(0);

      // The job is retried and completes, in the same (never restarted) process.
      let state = '';
      for (let i = 0; i < 1800 && state !== 'completed' && state !== 'failed'; i++) {
        state = (await (await queue.getJob(job.id!))?.getState().catch(() => '')) ?? '';
        await sleep(100);
      }
      expect(state, state === 'completed' ? '' : await diagnose(job.id!)).toBe('completed');
      expect(await counts()).toEqual({ cases: 30_000, measures: 120_000, assignments: 30_000 });
      const { rows: runs } = await pool.query(`SELECT status FROM import_run WHERE job_id = $1 ORDER BY id`, [job.id]);
      expect(runs.length).toBeGreaterThanOrEqual(2);
      expect(runs[0].status).toBe('failed');
      expect(runs.at(-1).status).toBe('succeeded');
    } finally {
      asking = false;
      await queue.close();
    }
    expect(api.exitCode, output).toBeNull();
    expect(output).not.toMatch(/Unhandled|uncaught/i);

    // And it still stops cleanly.
    api.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => (api.exitCode !== null ? r(api.exitCode) : api.once('exit', (c) => r(c))));
    expect(code, output).toBe(0);
  }, 600_000);
});
