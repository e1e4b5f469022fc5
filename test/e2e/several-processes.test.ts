import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import { mkdtempSync, rmSync } from 'fs';
import http from 'http';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLICATION_NAME, CONNECTIONS, connectionBudget } from '@bu/config';
import { municipalities } from '@bu/domain';
import { etlQueue } from '@bu/etl';
import type { Queue } from '@bu/queue';
import { NATIONAL_EXPORT_DATE } from '../../bench/national-dataset';
import { generateDubuExport } from '../../scripts/demo/generate-dubu';
import { addUser } from '../../scripts/lib/users';
import { PASSWORD } from '../support/api';
import { watchConnections } from '../support/connection-peaks';
import { createTestDatabase, TEST_JWT_SECRET, TEST_SECRET, TestDatabase } from '../support/database';

// `npm run serve` with API_PROCESSES=2 and WORKER_PROCESSES=2 (ADR 0072): real child processes
// against one PostgreSQL (this test's database) and one Redis (this test's queue prefix). A tiny
// national dataset (every municipality, a few children each, as bench/national-dataset.ts builds
// the big one) is imported through the queue by both workers; the API processes agree on every
// figure within a second of a commit and accept each other's tokens.
const ROOT = resolve(__dirname, '../..');
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Children per municipality: enough for open cases in each, small enough for 98 imports in well under two minutes. */
const CHILDREN = 3;
const FIRST_YEAR = 2025;
/** The municipality whose figures the API processes are asked before and after its import. */
const WATCHED = 461;
/** Imported twice, queued back to back: the second must wait for the first, whichever worker takes it. */
const TWICE = [101, 147, 151];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Answer {
  status: number;
  process: string;
  body: any;
}

describe('npm run serve with two API processes and two worker processes', () => {
  let db: TestDatabase;
  let work: string;
  let serve: ChildProcess;
  let output = '';
  let port = 0;
  let queue: Queue;
  const prefix = `procs-${randomBytes(4).toString('hex')}`;
  const METRICS_TOKEN = randomBytes(32).toString('hex');
  /** GET /kpis answers given (200), by either process: the summed metrics must count each once. */
  let kpiAnswers = 0;
  /** The product's connections to the database, from start to stop (ADR 0097). */
  let connections: Awaited<ReturnType<typeof watchConnections>>;

  /** One request on a connection of its own: the supervisor hands new connections to its API processes in turn. */
  const ask = (method: string, path: string, token?: string, body?: unknown): Promise<Answer> =>
    new Promise((done, fail) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          agent: false,
          headers: {
            connection: 'close',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (text += d));
          res.on('end', () => {
            if (method === 'GET' && path.startsWith('/api/v1/kpis') && res.statusCode === 200) kpiAnswers++;
            const json = (res.headers['content-type'] ?? '').startsWith('application/json');
            done({
              status: res.statusCode ?? 0,
              process: String(res.headers['x-api-process']),
              body: text && json ? JSON.parse(text) : text,
            });
          });
        },
      );
      req.on('error', fail);
      req.end(payload);
    });

  /** The same question put to each API process (by its x-api-process), until both have answered. */
  const askEach = async (path: string, token: string): Promise<Map<string, Answer>> => {
    const answers = new Map<string, Answer>();
    for (let i = 0; i < 20 && answers.size < 2; i++) {
      const answer = await ask('GET', path, token);
      if (!answers.has(answer.process)) answers.set(answer.process, answer);
    }
    expect([...answers.keys()].sort()).toEqual(['1', '2']);
    return answers;
  };

  const login = (username: string) => ask('POST', '/api/v1/auth/login', undefined, { username, password: PASSWORD });

  /** Waits until every job given has completed (none may fail); 270 s at most (a machine shared with other work). */
  const settle = async (ids: string[]) => {
    for (let i = 0; i < 2700; i++) {
      const states = await Promise.all(ids.map(async (id) => (await queue.getJob(id))?.getState()));
      const failed = ids.filter((_, n) => states[n] === 'failed');
      if (failed.length > 0) {
        const reasons = await Promise.all(failed.map(async (id) => (await queue.getJob(id))?.failedReason));
        throw new Error(`jobs failed: ${reasons.join('; ')}`);
      }
      if (states.every((s) => s === 'completed')) return;
      await sleep(100);
    }
    throw new Error(`jobs not done:\n${output.slice(-3000)}`);
  };

  const exportOf = (code: number) => join(work, String(code));

  beforeAll(async () => {
    db = await createTestDatabase();
    work = mkdtempSync(join(tmpdir(), 'bu-procs-'));
    for (const { code } of municipalities()) {
      await generateDubuExport(exportOf(code), {
        municipalityCode: code,
        seed: code,
        children: CHILDREN,
        firstYear: FIRST_YEAR,
        exportDate: NATIONAL_EXPORT_DATE,
        messy: false,
      });
    }
    await addUser(db.pool, { username: 'chef', password: PASSWORD, role: 'chef', municipality: WATCHED });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: db.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      PORT: '0',
      API_PROCESSES: '2',
      WORKER_PROCESSES: '2',
      JWT_SECRET: TEST_JWT_SECRET,
      PSEUDONYM_SECRET: TEST_SECRET,
      WEB_DIST: 'dist/does-not-exist',
      UPLOAD_DIR: join(work, 'uploads'),
      DROP_FOLDER_INTERVAL_MS: '0',
      // Coherence must come from the database's notification, not from the periodic check.
      KPI_VERSION_CHECK_MS: '0',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      METRICS_TOKEN,
    };
    serve = spawn(process.execPath, ['tools/run.js', 'scripts/serve.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    serve.stdout!.on('data', (d) => (output += d));
    serve.stderr!.on('data', (d) => (output += d));
    await new Promise<void>((ready, fail) => {
      const timer = setInterval(() => {
        const started = /Børneblik on http:\/\/localhost:(\d+): 2 API process/.exec(output);
        if (started) {
          clearInterval(timer);
          port = Number(started[1]);
          ready();
        }
      }, 100);
      serve.on('exit', (code) => {
        clearInterval(timer);
        fail(new Error(`npm run serve exited with ${code}:\n${output}`));
      });
    });
    queue = etlQueue({ databaseUrl: db.url, redisUrl: REDIS_URL, queuePrefix: prefix });
    connections = await watchConnections(db.url);
  });

  afterAll(async () => {
    await connections?.stop().catch(() => undefined);
    // This test's jobs go from the shared Redis with it.
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    if (serve && serve.exitCode === null) {
      serve.kill('SIGKILL');
      await new Promise((r) => serve.once('exit', r));
    }
    if (work) rmSync(work, { recursive: true, force: true });
    await db?.drop();
  });

  it('imports all 98 municipalities on both workers, never one municipality twice at once', async () => {
    const all = municipalities().map((m) => m.code);
    expect(all).toHaveLength(98);
    const job = (code: number) => ({
      name: 'import' as const,
      data: { source: 'dubu' as const, dir: exportOf(code), exportDate: NATIONAL_EXPORT_DATE, municipality: code, requestedBy: 'test' },
    });
    // The three imported twice first, each pair back to back: the two workers take a pair together.
    const order = [...TWICE.flatMap((code) => [code, code]), ...all.filter((code) => !TWICE.includes(code))];
    const jobs = await queue.addBulk(order.map(job));
    await settle(jobs.map((j) => j.id!));

    const { rows: runs } = await db.pool.query(
      `SELECT municipality_code AS code, status, started_at, finished_at, job_id FROM import_run ORDER BY started_at`,
    );
    expect(runs).toHaveLength(98 + TWICE.length);
    expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
    expect(new Set(runs.map((r) => r.code))).toEqual(new Set(all));
    // Never twice at once: per municipality, each import started after the one before had finished.
    for (const code of all) {
      const own = runs.filter((r) => r.code === code);
      expect(own).toHaveLength(TWICE.includes(code) ? 2 : 1);
      for (let i = 1; i < own.length; i++) expect(own[i].started_at.getTime()).toBeGreaterThanOrEqual(own[i - 1].finished_at.getTime());
    }
    // And the rule was put to the test: a job of a pair was taken while its twin ran, and put back
    // (each start counts, an attempt is not spent: ADR 0072).
    const starts = await Promise.all(jobs.slice(0, 2 * TWICE.length).map(async (j) => (await queue.getJob(j.id!))!.attemptsStarted));
    expect(Math.max(...starts), `starts of the pairs' jobs: ${starts.join(', ')}`).toBeGreaterThan(1);
    const { rows: snapshots } = await db.pool.query(`SELECT count(DISTINCT municipality_code)::int AS n FROM source_snapshot`);
    expect(snapshots[0].n).toBe(98);

    // Both worker processes imported: every job names the process that ran it (host:pid).
    const workerPids = /2 worker process\(es\) \(pid (\d+), (\d+)\)/.exec(output)!.slice(1, 3);
    const ranBy = new Map<string, number>();
    for (const j of jobs) {
      const done = (await queue.getJob(j.id!))!;
      const pid = done.processedBy?.split(':').pop() ?? '?';
      ranBy.set(pid, (ranBy.get(pid) ?? 0) + 1);
    }
    expect([...ranBy.keys()].sort()).toEqual([...workerPids].sort());
    // Spread, not one doing nearly all: each took at least a fifth.
    for (const count of ranBy.values()) expect(count).toBeGreaterThanOrEqual(Math.floor(jobs.length / 5));
  }, 300_000);

  it('accepts a token issued by one API process in the other', async () => {
    // Log in until each process has issued a token.
    const tokens = new Map<string, string>();
    for (let i = 0; i < 10 && tokens.size < 2; i++) {
      const res = await login('chef');
      expect(res.status).toBe(200);
      tokens.set(res.process, res.body.token as string);
    }
    expect([...tokens.keys()].sort()).toEqual(['1', '2']);
    for (const [issuer, token] of tokens) {
      const answers = await askEach('/api/v1/me', token);
      for (const [process, answer] of answers) {
        expect(answer.status, `token of process ${issuer} at process ${process}`).toBe(200);
        expect(answer.body.username).toBe('chef');
      }
    }
  });

  it("keeps every API process's figures coherent within a second of an import's commit", async () => {
    const token = (await login('chef')).body.token as string;
    const path = '/api/v1/kpis?ids=caseload.open_cases';
    const figures = async () => {
      const answers = await askEach(path, token);
      for (const answer of answers.values()) expect(answer.status).toBe(200);
      return new Map([...answers].map(([p, a]) => [p, JSON.stringify(a.body.kpis['caseload.open_cases'])]));
    };
    // Asked twice each: the second answer comes from each process's cache.
    await figures();
    const before = await figures();
    expect(before.get('1')).toBe(before.get('2'));

    // Another export of the watched municipality: more children, other cases and caseworkers.
    const changed = join(work, 'changed');
    await generateDubuExport(changed, {
      municipalityCode: WATCHED,
      seed: WATCHED + 1000,
      children: CHILDREN * 10,
      firstYear: FIRST_YEAR,
      exportDate: NATIONAL_EXPORT_DATE,
      messy: false,
    });
    const [job] = await queue.addBulk([
      {
        name: 'import',
        data: {
          source: 'dubu',
          dir: changed,
          exportDate: NATIONAL_EXPORT_DATE,
          municipality: WATCHED,
          requestedBy: 'test',
          allowShrink: true,
        },
      },
    ]);
    // The commit, seen by the database within 20 ms of it.
    let committed = 0;
    for (let i = 0; i < 3000 && committed === 0; i++) {
      const { rows } = await db.pool.query(`SELECT status FROM import_run WHERE job_id = $1`, [job.id]);
      if (rows[0]?.status === 'succeeded') committed = Date.now();
      else if (rows[0]?.status === 'failed') throw new Error('the import failed');
      else await sleep(20);
    }
    expect(committed).toBeGreaterThan(0);
    // Within a second, both processes answer with the new figure, and the same one.
    let after = before;
    /** Each round's start and end (ms after the commit) and whether each process's figure was new. */
    const trace: string[] = [];
    while (Date.now() - committed < 1000) {
      const t0 = Date.now() - committed;
      after = await figures();
      trace.push(
        `${t0}-${Date.now() - committed}: ${[...after].map(([p, f]) => `${p}=${f === before.get('1') ? 'old' : 'new'}`).join(' ')}`,
      );
      if ([...after.values()].every((figure) => figure !== before.get('1'))) break;
      await sleep(20);
    }
    const coherentAfter = Date.now() - committed;
    // On failure, what each process answered when (ms after the commit).
    const seen = trace.join(' | ');
    expect(after.get('1'), seen).not.toBe(before.get('1'));
    expect(after.get('2'), seen).toBe(after.get('1'));
    expect(coherentAfter, seen).toBeLessThan(1000);
    await settle([job.id!]);
  }, 60_000);

  it("sums every process's metrics, whichever API process the scraper reaches (ADR 0095)", async () => {
    const value = (text: string, line: string) => {
      const found = text.split('\n').find((l) => l.startsWith(`${line} `));
      return found === undefined ? undefined : Number(found.slice(line.length + 1));
    };
    const scrapes = await askEach('/api/metrics', METRICS_TOKEN);
    for (const [process, scrape] of scrapes) {
      expect(scrape.status, `process ${process}`).toBe(200);
      const text = scrape.body as string;
      // The workers' part: every import job of this test (98, three twice, and the watched one again), over both workers.
      expect(value(text, 'boerneblik_etl_jobs_done_total{job_name="import",outcome="completed"}'), `process ${process}`).toBe(
        98 + TWICE.length + 1,
      );
      // The API processes' part: each GET /kpis answer of this test once, whichever process gave it.
      const hits = value(text, 'boerneblik_kpi_answers_total{cache="hit"}') ?? 0;
      const misses = value(text, 'boerneblik_kpi_answers_total{cache="miss"}') ?? 0;
      expect(hits + misses, `process ${process}`).toBe(kpiAnswers);
      expect(hits, `process ${process}`).toBeGreaterThan(0);
      // Nothing left out: the supervisor answered, the database and the queue too.
      expect(value(text, 'boerneblik_metrics_errors'), `process ${process}`).toBe(0);
      // The pools of every process (ADR 0097): the API processes' and the workers' (ETL, reports), none waited for.
      for (const pool of [APPLICATION_NAME.api, APPLICATION_NAME.etl, APPLICATION_NAME.reports])
        expect(value(text, `boerneblik_db_pool_connections{pool="${pool}",state="waiting"}`), `${pool} at process ${process}`).toBe(0);
      // Read from the database once, not once per process.
      expect(text.match(/^boerneblik_data_age_seconds\{municipality="461",source="dubu"\} /gm)).toHaveLength(1);
    }
    // Several processes' memory together: more than any one of them alone would have.
    const rss = value(scrapes.get('1')!.body as string, 'process_resident_memory_bytes')!;
    expect(rss).toBeGreaterThan(4 * 40 * 1024 * 1024);

    // A worker process that does not answer (stopped here; busy past the limit in life): the scrape
    // leaves the processes' part out rather than show part of the sum, and says so.
    const worker = Number(/2 worker process\(es\) \(pid (\d+), (\d+)\)/.exec(output)![1]);
    process.kill(worker, 'SIGSTOP');
    try {
      const partial = await ask('GET', '/api/metrics', METRICS_TOKEN);
      expect(partial.status).toBe(200);
      const text = partial.body as string;
      expect(value(text, 'boerneblik_metrics_errors')).toBe(1);
      expect(text).not.toMatch(/^boerneblik_kpi_answers_total/m);
      expect(text).toMatch(/^boerneblik_data_age_seconds\{municipality="461",source="dubu"\} /m);
    } finally {
      process.kill(worker, 'SIGCONT');
    }
    const whole = await ask('GET', '/api/metrics', METRICS_TOKEN);
    expect(value(whole.body as string, 'boerneblik_metrics_errors')).toBe(0);
  });

  it('opens no more connections than ADR 0097 budgets, each named after what opened it', async () => {
    const peaks = await connections.stop();
    const seen = Object.fromEntries(peaks.byName);
    // Every connection says what opened it: no other name, and none without one.
    for (const name of Object.keys(seen)) expect(Object.values(APPLICATION_NAME), `${name} (${JSON.stringify(seen)})`).toContain(name);
    // Each kind within two processes' worth; with Redis, no queue connection to PostgreSQL.
    expect(seen[APPLICATION_NAME.api] ?? 0).toBeLessThanOrEqual(2 * CONNECTIONS.api);
    expect(seen[APPLICATION_NAME.apiListener]).toBe(2 * CONNECTIONS.apiListener);
    expect(seen[APPLICATION_NAME.etl]).toBeLessThanOrEqual(2 * CONNECTIONS.etl);
    expect(seen[APPLICATION_NAME.reports] ?? 0).toBeLessThanOrEqual(2 * CONNECTIONS.reports);
    expect(seen[APPLICATION_NAME.queue]).toBeUndefined();
    // Two imports at once, each with its staging connections and its lock: what the budget counts them for.
    expect(seen[APPLICATION_NAME.import]).toBeGreaterThan(CONNECTIONS.import);
    expect(seen[APPLICATION_NAME.import]).toBeLessThanOrEqual(2 * CONNECTIONS.import);
    expect(peaks.total).toBeLessThanOrEqual(connectionBudget({ api: 2, workers: 2, queueOnPostgres: false }).primary);
    console.log(`connections at most: ${peaks.total} in all, ${JSON.stringify(seen)} (${peaks.samples} samples)`);
  });

  it('stops every process on SIGTERM, each finishing its own work, and exits 0', async () => {
    const pids = /\(pid (\d+), (\d+)\), 2 worker process\(es\) \(pid (\d+), (\d+)\)/.exec(output)!.slice(1).map(Number);
    const exited = new Promise<number | null>((r) => serve.once('exit', (code) => r(code)));
    serve.kill('SIGTERM');
    expect(await exited).toBe(0);
    // Each child said it was stopping, and none is left.
    expect(output.match(/Stopped by npm run serve: stopping/g)).toHaveLength(4);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  }, 60_000);
});
