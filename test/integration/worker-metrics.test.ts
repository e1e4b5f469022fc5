import { ChildProcess, spawn, spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import { connect, createServer } from 'net';
import { resolve } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueConfig } from '@bu/queue';
import { importViaQueue } from '../../scripts/lib/import-via-queue';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { DUBU_SMALL, DUBU_SMALL_D } from '../support/fixtures';

// A worker process on its own (compose's worker containers) serves its own metrics page (ADR 0109):
// GET /metrics with METRICS_TOKEN, and nothing without it.
const ROOT = resolve(__dirname, '../..');
const TOKEN = randomBytes(32).toString('hex');

/** A port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

describe('the worker’s own metrics page', () => {
  let db: TestDatabase;
  let config: QueueConfig;
  let worker: ChildProcess;
  let port: number;
  const page = (path = '/metrics', init: RequestInit = {}) => fetch(`http://127.0.0.1:${port}${path}`, init);
  const withToken = (token: string): RequestInit => ({ headers: { authorization: `Bearer ${token}` } });
  const baseEnv = (): NodeJS.ProcessEnv => ({
    ...process.env,
    DATABASE_URL: db.url,
    REDIS_URL: '',
    QUEUE_PREFIX: config.queuePrefix,
    PSEUDONYM_SECRET: TEST_SECRET,
    DROP_FOLDER_INTERVAL_MS: '0',
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    config = { databaseUrl: db.url, queuePrefix: `metrics-${db.url.split('/').pop()}` };
    port = await freePort();
    worker = spawn(process.execPath, ['tools/run.js', 'apps/worker/src/main.ts'], {
      cwd: ROOT,
      env: { ...baseEnv(), METRICS_TOKEN: TOKEN, WORKER_METRICS_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((ready, fail) => {
      let out = '';
      worker.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('Metrics page on port')) ready();
      });
      worker.stderr!.on('data', (d) => (out += d));
      worker.on('exit', (code) => fail(new Error(`worker exited ${code}: ${out}`)));
    });
  });
  afterAll(async () => {
    if (worker?.exitCode === null) worker.kill('SIGKILL');
    await db?.drop();
  });

  it('refuses a missing or wrong token, and has nothing else to show', async () => {
    for (const init of [{}, withToken('x'.repeat(64)), withToken(`${TOKEN}x`), { headers: { authorization: TOKEN } }]) {
      const res = await page('/metrics', init);
      expect(res.status).toBe(401);
      expect(await res.text()).toBe('METRICS_TOKEN mangler eller er forkert');
    }
    expect((await page('/', withToken(TOKEN))).status).toBe(404);
    expect((await page('/api/metrics', withToken(TOKEN))).status).toBe(404);
    expect((await page('/metrics', { ...withToken(TOKEN), method: 'POST' })).status).toBe(404);
    // A request line no URL parser would take leaves the worker standing.
    const raw = await new Promise<string>((done, fail) => {
      const socket = connect(port, '127.0.0.1', () => socket.end('GET http://[ HTTP/1.1\r\nHost: x\r\n\r\n'));
      let answer = '';
      socket.on('data', (d: Buffer) => (answer += d.toString()));
      socket.on('close', () => done(answer));
      socket.on('error', fail);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 (400|404)/);
    expect((await page('/metrics', withToken(TOKEN))).status).toBe(200);
  });

  it('shows the worker’s jobs and pools to the scraper', async () => {
    const result = await importViaQueue(config, { source: 'dubu', dir: DUBU_SMALL, exportDate: DUBU_SMALL_D, requestedBy: 'test' });
    expect(result.status).toBe('succeeded');
    const res = await page('/metrics', withToken(TOKEN));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await res.text();
    expect(body).toMatch(/^boerneblik_etl_jobs_done_total\{job_name="import",outcome="completed"\} 1$/m);
    expect(body).toMatch(/^boerneblik_db_pool_connections\{pool="boerneblik-etl",state="busy"\} \d+$/m);
    expect(body).toMatch(/^process_cpu_seconds_total \d/m);
  });

  it('stops with the worker on SIGTERM', async () => {
    const exited = new Promise<number | null>((done) => worker.once('exit', (code) => done(code)));
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
    await expect(page('/metrics', withToken(TOKEN))).rejects.toThrow();
  });

  it('stops the worker before it takes a job when the port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((done) => taken.listen(0, done));
    try {
      const busy = (taken.address() as { port: number }).port;
      const child = spawnSync(process.execPath, ['tools/run.js', 'apps/worker/src/main.ts'], {
        cwd: ROOT,
        env: { ...baseEnv(), METRICS_TOKEN: TOKEN, WORKER_METRICS_PORT: String(busy) },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(child.status).toBe(1);
      expect(child.stdout + child.stderr).toMatch(/EADDRINUSE/);
      expect(child.stdout).not.toMatch(/ETL worker running/);
    } finally {
      taken.close();
    }
  });

  it('is never opened without a token of its own', () => {
    const run = (env: NodeJS.ProcessEnv) =>
      spawnSync(process.execPath, ['tools/run.js', 'apps/worker/src/main.ts'], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
    const withoutToken = run({ ...baseEnv(), WORKER_METRICS_PORT: String(port), METRICS_TOKEN: '' });
    expect(withoutToken.status).not.toBe(0);
    expect(withoutToken.stderr.trim()).toMatch(/^Konfigurationsfejl: WORKER_METRICS_PORT er sat uden METRICS_TOKEN.*openssl rand -hex 32/);
    const sameAsPseudonym = run({ ...baseEnv(), WORKER_METRICS_PORT: String(port), METRICS_TOKEN: TEST_SECRET });
    expect(sameAsPseudonym.status).not.toBe(0);
    expect(sameAsPseudonym.stderr).toMatch(/METRICS_TOKEN er den samme som en af Børneblik's andre nøgler/);
    const jwt = randomBytes(32).toString('hex');
    const sameAsJwt = run({ ...baseEnv(), WORKER_METRICS_PORT: String(port), METRICS_TOKEN: jwt, JWT_SECRET: jwt });
    expect(sameAsJwt.status).not.toBe(0);
    expect(sameAsJwt.stderr).toMatch(/METRICS_TOKEN er den samme som en af Børneblik's andre nøgler/);
  });
});
