import type { INestApplication } from '@nestjs/common';
import { execFile, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import { copyFileSync, createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'fs';
import type { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { performance } from 'perf_hooks';
import { promisify } from 'util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu, startWorker } from '@bu/etl';
import { createApp } from '../../apps/api/src/app';
import { configFromEnv } from '@bu/config';
import { PASSWORD, seedUsers } from '../support/api';
import { createTestDatabase, TEST_JWT_SECRET, TEST_SECRET, TestDatabase } from '../support/database';
import { DUBU_SMALL, FIXTURES } from '../support/fixtures';

const PERIOD_MS = 50;
const BOUND_MS = 200;

/** A DUBU export plus a filler file of base64 text (deflates to about 3/4): a zip of about 300 MB, made with the zip CLI. */
async function makeBigZip(work: string): Promise<string> {
  const folder = join(work, 'udtraek');
  mkdirSync(folder);
  for (const f of readdirSync(DUBU_SMALL)) copyFileSync(join(DUBU_SMALL, f), join(folder, f));
  const out = createWriteStream(join(folder, 'fyld.csv'));
  for (let written = 0; written < 400 * 1024 ** 2;) {
    const line = randomBytes(3 * 1024 ** 2).toString('base64');
    written += line.length;
    if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  const zip = join(work, 'udtraek.zip');
  await promisify(execFile)('zip', ['-1', '-q', '-r', zip, 'udtraek'], { cwd: work });
  rmSync(folder, { recursive: true });
  return zip;
}

const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(xs.length * 0.95) - 1];
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const failed = s.filter((x) => x === Infinity).length;
  return `n ${s.length}${failed ? ` (${failed} failed)` : ''}, p50 ${s[Math.floor(s.length / 2)].toFixed(0)} ms, p95 ${p95(s).toFixed(0)} ms, max ${s[s.length - 1].toFixed(0)} ms`;
};

// The old API held an upload in memory and unzipped it synchronously on its event loop: every
// request waited seconds. Now the upload streams to disk and the worker unpacks it as a stream.
describe('the API stays responsive while a 300 MB upload is received and unpacked', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let worker: ReturnType<typeof startWorker>;
  let work: string;
  let uploadDir: string;
  let base = '';
  let zip = '';

  const login = async (username: string) => {
    const res = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: PASSWORD }),
    });
    return ((await res.json()) as { token: string }).token;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, join(FIXTURES, 'dubu-deadlines'), { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' });
    await seedUsers(db, 461, 'Team Nord');
    work = mkdtempSync(join(tmpdir(), 'bu-latency-'));
    uploadDir = join(work, 'uploads');
    const config = configFromEnv(
      {},
      {
        databaseUrl: db.url,
        pseudonymSecret: TEST_SECRET,
        jwtSecret: TEST_JWT_SECRET,
        port: 0,
        runWorker: true,
        uploadDir,
        webDist: 'dist/does-not-exist',
        // The national admin logs in with the password alone here (as in startTestApi).
        secondFactor: 'none',
      },
    );
    // A real listening API, and the worker in the same process (as the embedded default runs them).
    app = await createApp(config, { logger: false });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    worker = startWorker(config);
    await worker.swept;
    zip = await makeBigZip(work);
  }, 240_000);
  afterAll(async () => {
    await worker?.close();
    await app?.close();
    await db?.drop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('keeps GET /api/health and a cached KPI request under 200 ms p95 during the upload and the unpack', async () => {
    const zipBytes = statSync(zip).size;
    expect(zipBytes).toBeGreaterThan(280 * 1024 ** 2);
    const [chef, admin] = [await login('chef'), await login('admin')];
    const kpi = () => fetch(`${base}/api/v1/kpis?ids=caseload.open_cases`, { headers: { Authorization: `Bearer ${chef}` } });
    const health = () => fetch(`${base}/api/health`);
    // Warm: the second answer comes from the cache.
    for (let i = 0; i < 3; i++) expect((await kpi()).status).toBe(200);

    const samples = { health: [] as number[], kpi: [] as number[] };
    const at = { health: [] as number[], kpi: [] as number[] };
    const inFlight: Promise<void>[] = [];
    let sampling = true;
    // Each sample is timed from when it was due, not when it was sent: a blocked event loop that
    // delays the sending shows in the figures instead of hiding (no coordinated omission).
    const sampler = (async () => {
      const t0 = performance.now();
      for (let k = 0; sampling; k++) {
        const due = t0 + k * PERIOD_MS;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        for (const [name, ask] of [
          ['health', health],
          ['kpi', kpi],
        ] as const) {
          // A refused or failed request counts as one that never answered.
          const answered = ask().then(
            async (res) => {
              await res.arrayBuffer();
              return res.status === 200;
            },
            () => false,
          );
          inFlight.push(
            answered.then((ok) => {
              samples[name].push(ok ? performance.now() - due : Infinity);
              at[name].push(due);
            }),
          );
        }
      }
    })();

    // The machine's own noise first: 5 s with no upload.
    const idle = performance.now();
    await new Promise((r) => setTimeout(r, 5000));
    // The upload, by a real HTTP client in its own process.
    const started = performance.now();
    // The upload replaces the loaded fixture, a newer export with other cases: an older export and a
    // shrink, both refused unless allowed (the cached KPI request keeps reading the fixture).
    const form = [
      '-F',
      'source=dubu',
      '-F',
      'exportDate=2024-02-29',
      '-F',
      'allowShrink=true',
      '-F',
      'allowOlder=true',
      '-F',
      `file=@${zip};type=application/zip`,
    ];
    const curl = spawn('curl', [
      '-sS',
      '-o',
      join(work, 'response.json'),
      '-w',
      '%{http_code}',
      '-H',
      `Authorization: Bearer ${admin}`,
      ...form,
      `${base}/api/v1/imports`,
    ]);
    let status = '';
    curl.stdout.on('data', (d) => (status += d));
    await new Promise((resolve, reject) =>
      curl.on('exit', (code) => (code === 0 ? resolve(code) : reject(new Error(`curl exited with ${code}`)))),
    );
    const uploaded = performance.now();
    expect(status).toBe('201');
    const { jobId } = JSON.parse(readFileSync(join(work, 'response.json'), 'utf8'));
    let job: { state: string; progress: unknown; failedReason: string | null; result: { loaded: Record<string, number> } | null } = {
      state: 'waiting',
      progress: null,
      failedReason: null,
      result: null,
    };
    let importing = 0; // when the import began reading (the unpack is done)
    while (job.state !== 'completed' && job.state !== 'failed') {
      await new Promise((r) => setTimeout(r, 200));
      job = await (await fetch(`${base}/api/v1/imports/jobs/${jobId}`, { headers: { Authorization: `Bearer ${admin}` } })).json();
      if (!importing && job.progress && typeof job.progress === 'object') importing = performance.now();
    }
    const done = performance.now();
    // The machine's own noise right after, for the baseline.
    await new Promise((r) => setTimeout(r, 5000));
    sampling = false;
    await sampler;
    await Promise.all(inFlight);

    const within = (name: 'health' | 'kpi', from: number, to: number) =>
      samples[name].filter((_, i) => at[name][i] >= from && at[name][i] < to);
    const idleOf = (name: 'health' | 'kpi') => [...within(name, idle, started), ...within(name, done, Infinity)];
    console.log(
      `upload ${(zipBytes / 1024 ** 2).toFixed(0)} MB: received in ${((uploaded - started) / 1000).toFixed(1)} s, unpacked and imported in ${((done - uploaded) / 1000).toFixed(1)} s`,
    );
    for (const name of ['health', 'kpi'] as const) {
      const phases = `receiving ${summary(within(name, started, uploaded))}; unpacking ${summary(within(name, uploaded, importing || done))}; importing ${importing ? summary(within(name, importing, done)) : '-'}`;
      console.log(`${name}: idle ${summary(idleOf(name))}; during ${summary(within(name, started, done))} (${phases})`);
    }
    for (const name of ['health', 'kpi'] as const) {
      const during = within(name, started, done);
      // Enough samples for a p95: the upload and the unpack take 5-20 s here (100-400 samples); a
      // much faster machine still gives 30 (1.5 s).
      expect(during.length).toBeGreaterThanOrEqual(30);
      // The bound is 200 ms p95. On a machine so busy with other work that the API's p95 without
      // any upload (5 s before or 5 s after, the larger) is already above 100 ms, the bound is
      // that idle p95 plus 100 ms: what the upload may add. Either way a blocked event loop (the old synchronous
      // unzip, seconds long) is far beyond it.
      const noise = Math.max(p95(within(name, idle, started)), p95(within(name, done, Infinity)));
      const allowed = Math.max(BOUND_MS, noise + 100);
      expect(p95(during), `${name} p95 during the upload (allowed ${allowed.toFixed(0)} ms)`).toBeLessThan(allowed);
    }
    expect(job.failedReason).toBeNull();
    expect(job.result!.loaded).toMatchObject({ cases: 11 });
    expect(readdirSync(uploadDir)).toEqual([]);
  }, 300_000);
});
