// Browser benchmark: time from navigation to the first view usable, on the demo data.
//
//   npm run bench -- browser [runs]      (default 5 measured runs per case)
//   npm run bench -- browser --national [runs] [--web dir] [--requests] [--running-api]
//                                        the chief's view of København on the national dataset
//                                        (bench/national-dataset.ts, built by `bench -- api
//                                        --build-only`; never built here), cold: a fresh API per run,
//                                        or one API whose cache every import would empty (--running-api;
//                                        BENCH_IDLE_MS: the wait after moving the versions, default 1500)
//   BENCH_JSON=1 ... prints the results as JSON as well
//
// Builds the dashboard (production), starts the embedded default (`npm start`: PostgreSQL from
// npm, demo exports through the ETL, demo users) on BENCH_PORT (default 3998) with its own
// embedded PostgreSQL port (EMBEDDED_PG_PORT, default 54339) — or DATABASE_URL when set — and
// opens each view in Debian's Chromium (CHROMIUM_PATH), logged in by token. Each case runs once
// to warm up and then `runs` times in a fresh browser context (cold HTTP cache), with the work
// lists fetched as Apache Arrow streams and, for comparison, inside the JSON answer.
//
// "Usable" is the dashboard's own performance mark `boerneblik:view-usable`: set on the first
// frame after the first screen's figures have their data (DashboardView; a view without sections:
// every figure; the chief's view: Overblik and the summary strip, ADR 0077). It is read relative to
// the navigation start, so it includes loading the page, the script bundle, and the API calls.
// Only 127.0.0.1 is contacted; the number of page loads is fixed; the script stops by itself.
import { spawn, type ChildProcess } from 'child_process';
import { loadavg } from 'os';
import { resolve } from 'path';
import { Pool } from 'pg';
import { chromium, type Browser } from 'playwright-core';
import { addUser } from '../scripts/lib/users';
import { freePort, startApiProcess } from './lib';
import { assertReadModelsCurrent, builtNationalDataset } from './national-dataset';

const ROOT = resolve(__dirname, '..');
const PORT = Number(process.env.BENCH_PORT ?? 3998);
const BASE = `http://127.0.0.1:${PORT}`;
const MARK = 'boerneblik:view-usable';
const CASES: { user: string; view: string }[] = [
  { user: 'udvalg', view: 'udvalg' },
  { user: 'chef', view: 'chef' },
  { user: 'teamleder', view: 'teamleder' },
  // The chief sees the whole municipality's work lists: the largest lists of the demo.
  { user: 'chef', view: 'teamleder' },
];
const TRANSPORTS = ['arrow', 'json'] as const;

interface Sample {
  ms: number;
  kpiRequests: number;
  kpiBytes: number;
}

async function buildWeb(): Promise<void> {
  process.env.NODE_ENV = 'production';
  const { build } = await import('vite');
  await build({ configFile: resolve(ROOT, 'apps/web/vite.config.mts'), logLevel: 'warn' });
}

const launch = () =>
  chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });

async function startServer(): Promise<() => Promise<void>> {
  const env = { ...process.env, PORT: String(PORT), EMBEDDED_PG_PORT: process.env.EMBEDDED_PG_PORT ?? '54339', NODE_ENV: 'production' };
  const server = spawn(process.execPath, ['tools/run.js', 'scripts/start.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  // The server's own log is shown only when it fails to start (its shutdown is not measured).
  server.stderr.on('data', (d) => (output += d));
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`npm start did not report ready within 10 minutes:\n${output}`)), 600_000);
    server.stdout.on('data', (d) => {
      output += d;
      if (output.includes('Børneblik kører på')) {
        clearTimeout(timer);
        ready();
      }
    });
    server.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`npm start exited with ${code}:\n${output}`));
    });
  });
  return () =>
    new Promise<void>((done) => {
      server.removeAllListeners('exit');
      server.once('exit', () => done());
      server.kill('SIGINT');
      setTimeout(() => server.kill('SIGKILL'), 20_000).unref();
    });
}

async function token(username: string): Promise<string> {
  const res = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: 'demo' }),
  });
  if (!res.ok) throw new Error(`login ${username}: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

async function measure(
  browser: Browser,
  user: string,
  view: string,
  transport: (typeof TRANSPORTS)[number],
  bearer: string,
): Promise<Sample> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'da-DK' });
  await context.addInitScript(
    ([t, mode]) => {
      sessionStorage.setItem('boerneblik.token', t);
      localStorage.setItem('boerneblik.transport', mode);
    },
    [bearer, transport] as const,
  );
  const page = await context.newPage();
  const bodies: Promise<number>[] = [];
  page.on('response', (res) => {
    if (new URL(res.url()).pathname.startsWith('/api/v1/kpis'))
      bodies.push(
        res.body().then(
          (b) => b.length,
          () => 0,
        ),
      );
  });
  try {
    await page.goto(`${BASE}/#/${view}`);
    await page.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, MARK, { timeout: 120_000 });
    const ms = await page.evaluate((mark) => performance.getEntriesByName(mark)[0].startTime, MARK);
    const heading = await page.getByRole('heading', { level: 1 }).textContent();
    if (heading?.toLowerCase() !== view) throw new Error(`${user} landed on ${heading}, not ${view}`);
    const sizes = await Promise.all(bodies);
    return { ms, kpiRequests: sizes.length, kpiBytes: sizes.reduce((a, b) => a + b, 0) };
  } finally {
    await context.close();
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function benchBrowser(args: string[]): Promise<void> {
  if (args.includes('--national')) return benchNational(args);
  const runsArg = args.find((a) => !a.startsWith('--'));
  const RUNS = Math.max(1, Math.min(50, Number(runsArg ?? 5) || 5));
  console.log('Building the dashboard ...');
  await buildWeb();
  console.log('Starting the embedded default with demo data (first time: generates and imports the demo) ...');
  const stop = await startServer();
  const browser = await launch();
  const results: {
    user: string;
    view: string;
    transport: string;
    runs: number;
    medianMs: number;
    minMs: number;
    maxMs: number;
    kpiRequests: number;
    kpiKiB: number;
  }[] = [];
  try {
    const tokens: Record<string, string> = {};
    for (const { user } of CASES) tokens[user] ??= await token(user);
    for (const { user, view } of CASES) {
      for (const transport of TRANSPORTS) {
        await measure(browser, user, view, transport, tokens[user]); // warm-up
        const samples: Sample[] = [];
        for (let i = 0; i < RUNS; i++) samples.push(await measure(browser, user, view, transport, tokens[user]));
        const ms = samples.map((s) => s.ms);
        results.push({
          user,
          view,
          transport,
          runs: RUNS,
          medianMs: Math.round(median(ms)),
          minMs: Math.round(Math.min(...ms)),
          maxMs: Math.round(Math.max(...ms)),
          kpiRequests: samples[0].kpiRequests,
          kpiKiB: Math.round(samples[0].kpiBytes / 102.4) / 10,
        });
        const r = results[results.length - 1];
        console.log(
          `${`${user} → #/${view}`.padEnd(22)} ${transport.padEnd(5)}  median ${String(r.medianMs).padStart(5)} ms  (min ${r.minMs}, max ${r.maxMs})  ${r.kpiRequests} KPI requests, ${r.kpiKiB} KiB`,
        );
      }
    }
  } finally {
    await browser.close();
    await stop();
  }
  if (process.env.BENCH_JSON) console.log(JSON.stringify(results, null, 2));
}

// --- The national dataset: the chief's view of København, cold (issue 18, point 8) -----------------

const SERVER = process.env.BENCH_DATABASE_SERVER_URL ?? 'postgres://root@127.0.0.1:5432/postgres';
/** The API benchmark's database (bench/api.ts), read here, never built. */
const DATABASE = process.env.BENCH_API_DATABASE ?? 'bu_bench_api';
const COMPLETE = 'boerneblik:view-complete';
const PART = 'boerneblik:part:';
/** Not `bench-…`: the API benchmark removes those when it ends, perhaps mid-run here. */
const CHIEF = { username: 'browserbench-chef-101', password: 'browserbench-password-123', municipality: 101 };

interface NationalSample {
  /** The first screen's figures in (`boerneblik:view-usable`), ms from navigation start. */
  usable: number;
  /** Every figure in (`boerneblik:view-complete`; absent in a dashboard built before ADR 77). */
  complete: number | null;
  /** Each part's answer (`boerneblik:part:<id>`): a section, the summary strip, the benchmarks. */
  parts: Record<string, number>;
  kpiRequests: number;
  /** KPI answers the API said it had cached (`x-kpi-cache: hit`): 0 when the run was cold. */
  kpiHits: number;
  /** Every API request's start and end, ms from navigation start (`--requests`). */
  requests: { path: string; start: number; end: number }[];
}

/** A fresh API process (its KPI cache empty) serving the built dashboard from `web`. */
function startNationalApi(url: string, port: number, web: string): Promise<ChildProcess> {
  // The KPI cache is per process: nothing warms it in the background either.
  return startApiProcess(url, port, { WEB_DIST: web, KPI_REWARM: '0' });
}

const stopped = (child: ChildProcess) =>
  new Promise<void>((done) => {
    if (child.exitCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });

async function measureNational(browser: Browser, base: string, bearer: string): Promise<NationalSample> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'da-DK' });
  await context.addInitScript((t) => sessionStorage.setItem('boerneblik.token', t), bearer);
  const page = await context.newPage();
  let kpiRequests = 0;
  let kpiHits = 0;
  page.on('request', (req) => {
    if (new URL(req.url()).pathname.startsWith('/api/v1/kpis')) kpiRequests++;
  });
  page.on('response', (res) => {
    if (new URL(res.url()).pathname.startsWith('/api/v1/kpis') && res.headers()['x-kpi-cache'] === 'hit') kpiHits++;
  });
  try {
    await page.goto(`${base}/#/chef`);
    await page.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, MARK, { timeout: 300_000 });
    // The whole view: its own mark, or (a dashboard from before ADR 77, whose usable mark meant the
    // whole view but for the summary strip) the strip's headline values on screen as well.
    await page.waitForFunction(
      ([complete, part]) =>
        performance.getEntriesByName(complete).length > 0 ||
        (!performance.getEntriesByType('mark').some((m) => m.name.startsWith(part)) &&
          document.querySelector('.summary-strip .headline-value') !== null),
      [COMPLETE, PART] as const,
      { timeout: 300_000 },
    );
    const marks = await page.evaluate(
      ([usable, complete, part]) => ({
        usable: performance.getEntriesByName(usable)[0].startTime,
        complete: performance.getEntriesByName(complete)[0]?.startTime ?? null,
        parts: Object.fromEntries(
          performance
            .getEntriesByType('mark')
            .filter((m) => m.name.startsWith(part))
            .map((m) => [m.name.slice(part.length), m.startTime]),
        ),
      }),
      [MARK, COMPLETE, PART] as const,
    );
    // A dashboard from before ADR 77: complete when the strip is drawn too (measured now, an upper bound).
    const complete = marks.complete ?? Math.max(marks.usable, await page.evaluate(() => performance.now()));
    const requests = await page.evaluate(() =>
      (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
        .filter((r) => new URL(r.name).pathname.startsWith('/api/') || /\.(js|css)$/.test(new URL(r.name).pathname))
        .map((r) => ({ path: new URL(r.name).pathname + new URL(r.name).search, start: r.startTime, end: r.responseEnd }))
        .concat(
          (performance.getEntriesByType('navigation') as PerformanceNavigationTiming[]).map((n) => ({
            path: '(the page: response end to DOMContentLoaded, the main bundle run)',
            start: n.responseEnd,
            end: n.domContentLoadedEventEnd,
          })),
        ),
    );
    const heading = await page.getByRole('heading', { level: 1 }).textContent();
    if (heading !== 'Chef') throw new Error(`the chief landed on ${heading}, not Chef`);
    return { usable: marks.usable, complete, parts: marks.parts, kpiRequests, kpiHits, requests };
  } finally {
    await context.close();
  }
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};

async function benchNational(args: string[]): Promise<void> {
  const RUNS = Math.max(1, Math.min(50, Number(args.find((a) => /^\d+$/.test(a)) ?? 5) || 5));
  const webAt = args.indexOf('--web');
  const url = await builtNationalDataset(SERVER, DATABASE);
  if (!url) throw new Error(`the national dataset is not built in ${DATABASE}: build it first with npm run bench -- api --build-only`);
  // Read models of other builds (ADR 0107) are not read: the run would time the facts' path.
  await assertReadModelsCurrent(url, 101);
  let web = resolve(ROOT, 'dist/web');
  if (webAt >= 0) web = resolve(args[webAt + 1]);
  else {
    console.log('Building the dashboard ...');
    await buildWeb();
  }
  const pool = new Pool({ connectionString: url, max: 1 });
  const browser = await launch();
  const samples: NationalSample[] = [];
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let running: ChildProcess | null = null;
  try {
    await addUser(pool, { username: CHIEF.username, password: CHIEF.password, role: 'chef', municipality: CHIEF.municipality, teams: [] });
    // --running-api: one API process throughout, as in production, its cache emptied before each run
    // the way an import empties it (every scope's data version moved); else a fresh process per run.
    running = args.includes('--running-api') ? await startNationalApi(url, port, web) : null;
    console.log(
      `The chief of København (101) on the national dataset, ${running ? 'one running API, every version moved before each run' : 'a fresh API per run'} (cold cache), load ${loadavg()[0].toFixed(1)}`,
    );
    // One run unmeasured: the database's own buffers and the browser's start, not the API's cache.
    for (let run = 0; run <= RUNS; run++) {
      if (running) {
        await pool.query(`SELECT move_data_version('*')`);
        // The API process hears of it by NOTIFY (issue 18: within 1 s).
        await new Promise((r) => setTimeout(r, Number(process.env.BENCH_IDLE_MS ?? 1500)));
      }
      const api: ChildProcess = running ?? (await startNationalApi(url, port, web));
      try {
        const res = await fetch(`${base}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: CHIEF.username, password: CHIEF.password }),
        });
        if (!res.ok) throw new Error(`login: ${res.status}`);
        const { token } = (await res.json()) as { token: string };
        const s = await measureNational(browser, base, token);
        const parts = Object.entries(s.parts)
          .sort((a, b) => a[1] - b[1])
          .map(([id, ms]) => `${id} ${(ms / 1000).toFixed(1)}`)
          .join(', ');
        console.log(
          `  ${run === 0 ? 'warm-up' : `run ${run}`.padEnd(7)}  first screen ${(s.usable / 1000).toFixed(2)} s, every figure ${((s.complete ?? NaN) / 1000).toFixed(2)} s, ${s.kpiRequests} KPI requests, ${s.kpiHits} cached (load ${loadavg()[0].toFixed(1)})${parts ? `; parts: ${parts}` : ''}`,
        );
        if (args.includes('--requests'))
          for (const r of [...s.requests].sort((a, b) => a.start - b.start))
            console.log(`      ${r.start.toFixed(0).padStart(5)}-${r.end.toFixed(0).padStart(5)} ms  ${r.path.slice(0, 160)}`);
        if (run > 0) samples.push(s);
      } finally {
        if (!running) await stopped(api);
      }
    }
  } finally {
    if (running) await stopped(running);
    await browser.close();
    await pool.query('DELETE FROM app_user WHERE username = $1', [CHIEF.username]).catch(() => undefined);
    await pool.end();
  }
  const line = (label: string, xs: number[]) =>
    console.log(
      `${label.padEnd(24)} p50 ${(percentile(xs, 50) / 1000).toFixed(2)} s   p95 ${(percentile(xs, 95) / 1000).toFixed(2)} s   (min ${(Math.min(...xs) / 1000).toFixed(2)}, max ${(Math.max(...xs) / 1000).toFixed(2)}; ${xs.length} runs)`,
    );
  line(
    'first screen usable',
    samples.map((s) => s.usable),
  );
  line(
    'every figure',
    samples.map((s) => s.complete ?? NaN),
  );
  const ids = [...new Set(samples.flatMap((s) => Object.keys(s.parts)))];
  for (const id of ids)
    line(
      `  part ${id}`,
      samples.map((s) => s.parts[id]).filter((x) => x !== undefined),
    );
  if (process.env.BENCH_JSON) console.log(JSON.stringify(samples, null, 2));
}
