import { ChildProcess, spawn } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { createServer, type Socket } from 'net';
import { Client, Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLICATION_NAME, CONNECTIONS, checkConnectionBudget, connectionBudget } from '@bu/config';
import { migrate } from '@bu/db';
import { etlQueue } from '@bu/etl';
import { NATIONAL_EXPORT_DATE } from '../../bench/national-dataset';
import { generateDubuExport } from '../../scripts/demo/generate-dubu';
import { addUser } from '../../scripts/lib/users';
import { PASSWORD } from '../support/api';
import { watchConnections } from '../support/connection-peaks';
import { TEST_APPLICATION_NAME, TEST_JWT_SECRET, TEST_SECRET } from '../support/database';
import { startPgCluster, type PgCluster } from '../support/pg-cluster';

// ADR 0097: every connection of the service named after what opened it and counted once, in one
// declaration (CONNECTIONS); a start refused when the server cannot take what the processes may
// open at once. A server of the test's own whose max_connections is just the budget of one process
// with the worker inside it (the embedded default's shape, queues in PostgreSQL), plus the slots
// PostgreSQL reserves and the test's own few.
const ROOT = resolve(__dirname, '../..');
const SINGLE = { api: 1, workers: 1, queueOnPostgres: true };
const RESERVED = 3; // superuser_reserved_connections' default
const TEST_OWN = 8; // the watcher, the test's pool (5) and a queue's client, with room to spare
const MUNICIPALITIES = [101, 147, 151, 153, 155, 157];
const WATCHED = 101;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(script: string, args: string[], env: NodeJS.ProcessEnv): Run {
  let output = '';
  const child = spawn(process.execPath, ['tools/run.js', script, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => output, exited };
}

describe('the connections the service opens to PostgreSQL (ADR 0097)', () => {
  let server: PgCluster;
  let small: PgCluster;
  let work: string;
  let env: NodeJS.ProcessEnv;
  const running: Run[] = [];

  beforeAll(async () => {
    const budget = connectionBudget(SINGLE).primary;
    server = await startPgCluster({ settings: { max_connections: budget + RESERVED + TEST_OWN } });
    // Too small for even one worker process alone.
    small = await startPgCluster({ settings: { max_connections: 20 } });
    await migrate(server.url);
    work = mkdtempSync(join(tmpdir(), 'bu-budget-'));
    env = {
      ...process.env,
      REDIS_URL: '',
      PORT: '0',
      JWT_SECRET: TEST_JWT_SECRET,
      PSEUDONYM_SECRET: TEST_SECRET,
      WEB_DIST: 'dist/does-not-exist',
      UPLOAD_DIR: join(work, 'uploads'),
      DROP_FOLDER_INTERVAL_MS: '0',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
    };
  }, 120_000);

  afterAll(async () => {
    for (const run of running) if (run.child.exitCode === null) run.child.kill('SIGKILL');
    await Promise.all(running.map((run) => run.exited));
    server?.destroy();
    small?.destroy();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('refuses npm run serve when its processes together need more than the server takes, and starts none', async () => {
    const needs = { api: 2, workers: 1, queueOnPostgres: true };
    const budget = connectionBudget(needs).primary;
    const available = connectionBudget(SINGLE).primary + TEST_OWN;
    expect(budget).toBeGreaterThan(available);
    const watcher = await watchConnections(server.url);
    const run = start('scripts/serve.ts', [], { ...env, DATABASE_URL: server.url, API_PROCESSES: '2', WORKER_PROCESSES: '1' });
    running.push(run);
    expect(await run.exited).toBe(1);
    const peaks = await watcher.stop();
    expect(run.output()).toContain(
      `PostgreSQL (127.0.0.1:${server.port}/boerneblik) tager højst ${available} forbindelser ` +
        `(max_connections ${available + RESERVED}, heraf ${RESERVED} forbeholdt), men 2 API-processer og 1 worker-proces ` +
        `kan åbne op til ${budget}. Sæt max_connections til mindst ${budget + RESERVED}, eller start færre processer ` +
        `(API_PROCESSES, WORKER_PROCESSES).`,
    );
    // Refused before any process started: none of the service's pools was opened.
    expect(run.output()).not.toContain('Børneblik on');
    for (const name of [APPLICATION_NAME.api, APPLICATION_NAME.etl, APPLICATION_NAME.queue]) expect(peaks.byName.get(name)).toBeUndefined();
  }, 60_000);

  it('starts them anyway with DB_CONNECTION_CHECK=warn, saying so', async () => {
    const run = start('scripts/serve.ts', [], {
      ...env,
      DATABASE_URL: server.url,
      API_PROCESSES: '2',
      WORKER_PROCESSES: '1',
      DB_CONNECTION_CHECK: 'warn',
    });
    running.push(run);
    for (let i = 0; i < 600 && !run.output().includes('Børneblik on'); i++) {
      if (run.child.exitCode !== null) throw new Error(`npm run serve exited:\n${run.output()}`);
      await sleep(100);
    }
    expect(run.output()).toContain('Børneblik on');
    expect(run.output()).toMatch(
      /men 2 API-processer og 1 worker-proces kan åbne op til \d+\..*\(DB_CONNECTION_CHECK=warn: startes alligevel\.\)/,
    );
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  }, 120_000);

  it('warns, without hanging or refusing, when the server is full already or does not answer', async () => {
    const needs = { api: 0, workers: 1, queueOnPostgres: false };
    // Every slot of the small server taken (its user is a superuser: the reserved ones too).
    const held: Client[] = [];
    try {
      for (let i = 0; i < 25; i++) {
        const client = new Client({ connectionString: small.url, application_name: TEST_APPLICATION_NAME });
        client.on('error', () => undefined);
        try {
          await client.connect();
          held.push(client);
        } catch (error) {
          expect((error as { code?: string }).code).toBe('53300');
          break;
        }
      }
      expect(held).toHaveLength(20);
      const full = await checkConnectionBudget(needs, { primary: small.url });
      expect(full.refusals).toEqual([]);
      expect(full.warnings).toEqual([
        `PostgreSQL (127.0.0.1:${small.port}/boerneblik) tager ikke imod flere forbindelser lige nu (max_connections er nået); ` +
          `1 worker-proces kan åbne op til ${connectionBudget(needs).primary}. Se docs/OPERATIONS.md.`,
      ]);
    } finally {
      await Promise.all(held.map((c) => c.end().catch(() => undefined)));
    }
    // A server that takes the connection and then says nothing: given up within the time.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as { port: number }).port;
      const started = Date.now();
      const quiet = await checkConnectionBudget(needs, { primary: `postgres://boerneblik@127.0.0.1:${port}/boerneblik` }, 500);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(quiet).toEqual({ refusals: [], warnings: [] });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it("refuses a worker process alone (compose's worker container) on a server too small for it", async () => {
    const budget = connectionBudget({ api: 0, workers: 1, queueOnPostgres: true }).primary;
    const run = start('apps/worker/src/main.ts', [], { ...env, DATABASE_URL: small.url });
    running.push(run);
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain(
      `tager højst ${20 - RESERVED} forbindelser (max_connections 20, heraf ${RESERVED} forbeholdt), ` +
        `men 1 worker-proces kan åbne op til ${budget}. Sæt max_connections til mindst ${budget + RESERVED},`,
    );
    expect(run.output()).not.toContain('ETL worker running');
  }, 60_000);

  it('stays within its budget under imports and cold KPI answers at once, every connection named', async () => {
    const pool = new Pool({ connectionString: server.url, max: 2, application_name: TEST_APPLICATION_NAME });
    try {
      await addUser(pool, { username: 'chef', password: PASSWORD, role: 'chef', municipality: WATCHED });
      // The imports wait in the queue (in PostgreSQL) before the process starts; the test's own
      // queue is closed by then, so every queue connection seen is the process's.
      const queue = etlQueue({ databaseUrl: server.url });
      for (const code of MUNICIPALITIES) {
        const dir = join(work, String(code));
        await generateDubuExport(dir, {
          municipalityCode: code,
          seed: code,
          children: 60,
          firstYear: 2022,
          exportDate: NATIONAL_EXPORT_DATE,
          messy: false,
        });
        await queue.add('import', { source: 'dubu', dir, exportDate: NATIONAL_EXPORT_DATE, municipality: code, requestedBy: 'test' });
      }
      await queue.close();

      const watcher = await watchConnections(server.url);
      const run = start('scripts/serve.ts', [], { ...env, DATABASE_URL: server.url, API_PROCESSES: '1', WORKER_PROCESSES: '1' });
      running.push(run);
      let base = '';
      for (let i = 0; i < 600 && !base; i++) {
        base = /Børneblik on (http:\/\/[^ ]+) /.exec(run.output())?.[1] ?? '';
        if (run.child.exitCode !== null) throw new Error(`npm run serve exited:\n${run.output()}`);
        await sleep(100);
      }
      expect(base, run.output()).not.toBe('');
      const login = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'chef', password: PASSWORD }),
      });
      const { token } = (await login.json()) as { token: string };

      // While the worker imports, the chef's whole set for twelve month-ends at once, cold, again
      // and again: the API's pool at its fullest beside the import's connections.
      const monthEnds = Array.from({ length: 12 }, (_, i) => new Date(Date.UTC(2024, i + 1, 0)).toISOString().slice(0, 10));
      const statuses: number[] = [];
      const imported = async () => Number((await pool.query(`SELECT count(*) AS n FROM import_run WHERE status = 'succeeded'`)).rows[0].n);
      const failed = async () => Number((await pool.query(`SELECT count(*) AS n FROM import_run WHERE status = 'failed'`)).rows[0].n);
      for (let round = 0; round < 300 && (await imported()) < MUNICIPALITIES.length; round++) {
        expect(await failed(), run.output().slice(-3000)).toBe(0);
        const answers = await Promise.all(
          monthEnds.map((asOf) =>
            fetch(`${base}/api/v1/kpis?asOf=${asOf}&from=${asOf.slice(0, 4)}-01-01&to=${asOf}`, {
              headers: { authorization: `Bearer ${token}` },
            }),
          ),
        );
        for (const answer of answers) {
          statuses.push(answer.status);
          await answer.arrayBuffer();
        }
      }
      expect(await imported()).toBe(MUNICIPALITIES.length);
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      const peaks = await watcher.stop();
      const seen = Object.fromEntries(peaks.byName);

      // Every answer given: no request ran out of connections (53300 would be a 503).
      expect(statuses.length).toBeGreaterThan(0);
      expect(new Set(statuses)).toEqual(new Set([200]));
      // Each connection says what opened it: ours, or BullMQ's name for a consumer's LISTEN
      // (`<queue>:w:<host>:<pid>`, which its getWorkers reads), one per queue.
      const consumers = Object.keys(seen).filter((name) => /^(etl|reports):w:/.test(name));
      expect(consumers.map((name) => name.split(':')[0]).sort()).toEqual(['etl', 'reports']);
      for (const name of consumers) expect(seen[name]).toBe(CONNECTIONS.queueListen);
      for (const name of Object.keys(seen).filter((n) => !consumers.includes(n)))
        expect(Object.values(APPLICATION_NAME), `${name} in ${JSON.stringify(seen)}`).toContain(name);
      // Each kind within its share of the budget, and used (the load reached it).
      expect(seen[APPLICATION_NAME.api]).toBeGreaterThan(2);
      expect(seen[APPLICATION_NAME.api]).toBeLessThanOrEqual(CONNECTIONS.api);
      expect(seen[APPLICATION_NAME.apiListener]).toBe(CONNECTIONS.apiListener);
      expect(seen[APPLICATION_NAME.import]).toBeGreaterThan(1);
      expect(seen[APPLICATION_NAME.import]).toBeLessThanOrEqual(CONNECTIONS.import);
      expect(seen[APPLICATION_NAME.etl]).toBeLessThanOrEqual(CONNECTIONS.etl);
      expect(seen[APPLICATION_NAME.queue]).toBeGreaterThan(0);
      const queues = connectionBudget(SINGLE).primary - connectionBudget({ ...SINGLE, queueOnPostgres: false }).primary;
      expect(seen[APPLICATION_NAME.queue] + consumers.length * CONNECTIONS.queueListen).toBeLessThanOrEqual(queues);
      expect(peaks.total).toBeLessThanOrEqual(connectionBudget(SINGLE).primary);
      console.log(`connections at most: ${peaks.total} of ${connectionBudget(SINGLE).primary} budgeted, ${JSON.stringify(seen)}`);
    } finally {
      await pool.end();
    }
  }, 300_000);
});
