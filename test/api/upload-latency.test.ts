import type { INestApplication } from '@nestjs/common';
import { ChildProcess, execFile, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import { copyFileSync, createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'fs';
import type { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { IntervalHistogram, monitorEventLoopDelay, performance } from 'perf_hooks';
import { promisify } from 'util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu, startWorker } from '@bu/etl';
import { createApp } from '../../apps/api/src/app';
import { AppConfig, configFromEnv } from '@bu/config';
import { PASSWORD, seedUsers } from '../support/api';
import { createTestDatabase, TEST_JWT_SECRET, TEST_SECRET, TestDatabase } from '../support/database';
import { DUBU_SMALL, FIXTURES } from '../support/fixtures';

const PERIOD_MS = 50;
const BOUND_MS = 200;
/** What the upload may add to a request over the control's p95 at least (more on a loaded machine). */
const MARGIN_MS = 100;
/**
 * The longest the API's event loop may stall: the old synchronous unzip stalled it for 11 s; 650 ms
 * was seen on a 2-core machine at load 16, so the bound keeps a margin above that.
 */
const STALL_MS = 2000;
const ELD_RESOLUTION_MS = 10;
const ROOT = resolve(__dirname, '../..');
/** Wall-clock milliseconds, high resolution: shared with the probe's process. */
const clock = () => performance.timeOrigin + performance.now();

/** A helper process (test/support/latency-twin.ts, latency-probe.cjs), sent `message`. */
function helper(args: string[], message: object): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child.send(message);
  return child;
}
const answer = <T>(child: ChildProcess) =>
  new Promise<T>((resolve, reject) => {
    child.once('message', (m) => resolve(m as T));
    child.once('exit', (code) => reject(new Error(`${child.spawnargs.slice(1).join(' ')} exited with ${code} before answering`)));
  });
const stop = (child?: ChildProcess) =>
  !child || child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill();
      });

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

const ASKED = ['health', 'kpi'] as const;
type Asked = (typeof ASKED)[number];
/** Each request, asked of the API and of the control. */
type Name = Asked | `control ${Asked}`;
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
  let twin: ChildProcess | undefined;
  let controlBase = '';
  let probe: ChildProcess | undefined;

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
    const overrides: Partial<AppConfig> = {
      databaseUrl: db.url,
      pseudonymSecret: TEST_SECRET,
      jwtSecret: TEST_JWT_SECRET,
      port: 0,
      runWorker: true,
      uploadDir,
      webDist: 'dist/does-not-exist',
      // The national admin logs in with the password alone here (as in startTestApi).
      secondFactor: 'none',
    };
    const config = configFromEnv({}, overrides);
    // A real listening API, and the worker in the same process (as the embedded default runs them).
    app = await createApp(config, { logger: false });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    worker = startWorker(config);
    await worker.swept;
    // The control: the same API without its worker, in a process of its own, which gets no upload.
    twin = helper(['tools/run.js', 'test/support/latency-twin.ts'], {
      ...overrides,
      runWorker: false,
      uploadDir: join(work, 'control-uploads'),
    });
    [controlBase, zip] = await Promise.all([answer<number>(twin).then((port) => `http://127.0.0.1:${port}`), makeBigZip(work)]);
  }, 240_000);
  afterAll(async () => {
    // Gone before the database is dropped: the twin holds connections to it.
    await Promise.all([stop(probe), stop(twin)]);
    await worker?.close();
    await app?.close();
    await db?.drop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('keeps GET /api/health and a cached KPI request under 200 ms p95 during the upload and the unpack', async () => {
    const zipBytes = statSync(zip).size;
    expect(zipBytes).toBeGreaterThan(280 * 1024 ** 2);
    const [chef, admin] = [await login('chef'), await login('admin')];
    const auth = { Authorization: `Bearer ${chef}` };
    const targets: Record<Name, { url: string; headers?: Record<string, string> }> = {
      health: { url: `${base}/api/health` },
      kpi: { url: `${base}/api/v1/kpis?ids=caseload.open_cases`, headers: auth },
      'control health': { url: `${controlBase}/api/health` },
      'control kpi': { url: `${controlBase}/api/v1/kpis?ids=caseload.open_cases`, headers: auth },
    };
    // Warm: the second answer comes from the cache.
    for (let i = 0; i < 3; i++)
      for (const { url, headers } of [targets.kpi, targets['control kpi']]) expect((await fetch(url, { headers })).status).toBe(200);

    // The sampler asks the API and the control at the same due times, from a process of its own: in
    // the API's process, a stalled event loop would delay the control's samples as much as the API's,
    // and the control would hide what it is there to show. Each sample is timed from when it was
    // due, not when it was sent: a late sending shows in the figures instead of hiding (no
    // coordinated omission).
    probe = helper(['test/support/latency-probe.cjs'], { periodMs: PERIOD_MS, targets });
    const probed = answer<{ name: Name; due: number; ms: number | null; failure?: string }[]>(probe);
    probed.catch(() => undefined); // awaited at the end; a test that fails before then leaves it unawaited
    // The API's own event loop (the worker's too: both run in this process), before, during and
    // after. One histogram each: a histogram enabled again would count the pause as a delay.
    const loop = {
      before: monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS }),
      during: monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS }),
      after: monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS }),
    };
    loop.before.enable();

    // The machine's own noise first: 5 s with no upload.
    const idle = clock();
    await new Promise((r) => setTimeout(r, 5000));
    // The upload, by a real HTTP client in its own process.
    loop.before.disable();
    loop.during.enable();
    const started = clock();
    // The API's process's CPU time (its threads too) in each phase: busy with the upload, or starved.
    const cpu = { started: process.cpuUsage(), uploaded: process.cpuUsage(), importing: process.cpuUsage(), done: process.cpuUsage() };
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
    const uploaded = clock();
    cpu.uploaded = process.cpuUsage();
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
      if (!importing && job.progress && typeof job.progress === 'object') {
        importing = clock();
        cpu.importing = process.cpuUsage();
      }
    }
    const done = clock();
    cpu.done = process.cpuUsage();
    if (!importing) cpu.importing = cpu.done;
    loop.during.disable();
    loop.after.enable();
    // The machine's own noise right after, for the figures.
    await new Promise((r) => setTimeout(r, 5000));
    loop.after.disable();
    probe.send('stop');
    const samples = Object.fromEntries(Object.keys(targets).map((name) => [name, [] as number[]])) as Record<Name, number[]>;
    const at = Object.fromEntries(Object.keys(targets).map((name) => [name, [] as number[]])) as Record<Name, number[]>;
    // A refused or failed request counts as one that never answered.
    const failures = new Map<string, number>();
    for (const { name, due, ms, failure } of await probed) {
      samples[name].push(ms ?? Infinity);
      at[name].push(due);
      if (failure) failures.set(`${name}: ${failure}`, (failures.get(`${name}: ${failure}`) ?? 0) + 1);
    }

    const within = (name: Name, from: number, to: number) => samples[name].filter((_, i) => at[name][i] >= from && at[name][i] < to);
    const idleOf = (name: Name) => [...within(name, idle, started), ...within(name, done, Infinity)];
    // Event-loop delay beyond the timer's own period, in ms.
    const stall = (q: number | 'max', ...hs: IntervalHistogram[]) =>
      Math.max(0, ...hs.map((h) => (q === 'max' ? h.max : h.percentile(q)) / 1e6 - ELD_RESOLUTION_MS));
    console.log(
      `upload ${(zipBytes / 1024 ** 2).toFixed(0)} MB: received in ${((uploaded - started) / 1000).toFixed(1)} s, unpacked and imported in ${((done - uploaded) / 1000).toFixed(1)} s`,
    );
    for (const name of Object.keys(targets) as Name[]) {
      const phases = `receiving ${summary(within(name, started, uploaded))}; unpacking ${summary(within(name, uploaded, importing || done))}; importing ${importing ? summary(within(name, importing, done)) : '-'}`;
      console.log(`${name}: idle ${summary(idleOf(name))}; during ${summary(within(name, started, done))} (${phases})`);
    }
    const cpuSeconds = (from: NodeJS.CpuUsage, to: NodeJS.CpuUsage) => ((to.user + to.system - from.user - from.system) / 1e6).toFixed(1);
    console.log(
      `API process CPU: receiving ${cpuSeconds(cpu.started, cpu.uploaded)} s, unpacking ${cpuSeconds(cpu.uploaded, cpu.importing)} s, importing ${cpuSeconds(cpu.importing, cpu.done)} s`,
    );
    for (const [failure, n] of failures) console.log(`failed ${n}×, ${failure}`);
    console.log(
      `API event loop delay: idle p99 ${stall(99, loop.before, loop.after).toFixed(0)} ms, max ${stall('max', loop.before, loop.after).toFixed(0)} ms; during p50 ${stall(50, loop.during).toFixed(0)} ms, p99 ${stall(99, loop.during).toFixed(0)} ms, max ${stall('max', loop.during).toFixed(0)} ms`,
    );

    for (const name of ASKED) {
      const during = within(name, started, done);
      const control = within(`control ${name}`, started, done);
      // Enough samples for a p95: the upload and the unpack take 5-20 s here (100-400 samples); a
      // much faster machine still gives 30 (1.5 s).
      expect(during.length).toBeGreaterThanOrEqual(30);
      // The control answered: its p95 is the measure of the machine's load.
      expect(control.filter((x) => x === Infinity).length, `failed requests to the control (${name})`).toBe(0);
      // The bound is 200 ms p95. On a machine so busy with other work that the control, asked the
      // same request at the same due times, already has a p95 above 100 ms, the bound is that p95
      // plus what the upload may add: 100 ms, or as much again once the control's p95 is above
      // that (the API's process also does the upload's work, receiving it and running its job, and
      // the same load slows that too: 440 ms against the control's 240 once while unpacking, with a
      // CPU burner on a machine already at a load average of 10). The same window: load from other
      // work changes over seconds, and a baseline before and after misses it. A stalled event loop
      // (the old synchronous unzip, p95 11 s) delays the API's answers only, and is far beyond.
      const noise = p95(control);
      const allowed = Math.max(BOUND_MS, noise + Math.max(MARGIN_MS, noise));
      expect(
        p95(during),
        `${name} p95 during the upload (allowed ${allowed.toFixed(0)} ms = max(${BOUND_MS} ms, the control's p95 in the same window ${noise.toFixed(0)} ms + max(${MARGIN_MS} ms, that p95)))`,
      ).toBeLessThan(allowed);
    }
    // And from inside: the API's event loop never stalled for long. A starved process shows here
    // too (650 ms once at a load average of 16 on 2 cores), the old synchronous unzip: 11 s.
    expect(
      stall('max', loop.during),
      `longest stall of the API's event loop during the upload (allowed ${STALL_MS} ms; the old synchronous unzip: seconds)`,
    ).toBeLessThan(STALL_MS);
    expect(job.failedReason).toBeNull();
    expect(job.result!.loaded).toMatchObject({ cases: 11 });
    expect(readdirSync(uploadDir)).toEqual([]);
  }, 300_000);
});
