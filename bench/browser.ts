// Browser benchmark: time from navigation to the first view usable, on the demo data.
//
//   npm run bench -- browser [runs]      (default 5 measured runs per case)
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
// frame after every figure of the view has its data (DashboardView). It is read relative to
// the navigation start, so it includes loading the page, the script bundle, and the API calls.
// Only 127.0.0.1 is contacted; the number of page loads is fixed; the script stops by itself.
import { spawn } from 'child_process';
import { resolve } from 'path';
import { chromium, type Browser } from 'playwright-core';

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

export async function benchBrowser(runsArg?: string): Promise<void> {
  const RUNS = Math.max(1, Math.min(50, Number(runsArg ?? 5) || 5));
  console.log('Building the dashboard ...');
  await buildWeb();
  console.log('Starting the embedded default with demo data (first time: generates and imports the demo) ...');
  const stop = await startServer();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
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
