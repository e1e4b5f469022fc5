// npm run bench -- api [--fresh] [--scale x] [--warm-only | --cold | --profile] — p50/p95 latency of
// each role's full KPI set over HTTP on a national-scale dataset (98 municipalities, ten years), 50
// concurrent clients, a mix of municipalities, as-of dates and periods: cold (right after an import)
// and warm, next to the time of the same SQL run directly in psql. --cold: only uncached answers,
// one client and 50, every request a municipality and month-end of the last three years asked
// nowhere else in the run. --profile: the SQL time of each KPI of each role's set, summed over a few
// cold requests, heaviest first. --slowest n: the n slowest requests of each role, by municipality and D.
// --cold --all: every one of the 98 municipalities asked by every role in each cold round, one client and
// 50, at month-ends of its own (point 2's "any municipality"), instead of the twelve of the mix.
import { ChildProcess, execFileSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { Agent, get as httpGet } from 'http';
import { availableParallelism, loadavg, tmpdir } from 'os';
import { join } from 'path';
import { Pool } from 'pg';
import { kpiSlots, parseEnv } from '@bu/config';
import { SESSION_OPTIONS } from '@bu/db';
import { addMonths, defaultPeriod, monthEnd, municipalities, type Role } from '@bu/domain';
import { answerMemo, KPIS, loadSettings, type KpiContext } from '@bu/kpi';
import { addUser } from '../scripts/lib/users';
import { busySeconds, freePort, processCpuSeconds, roleSetContext, startApiProcess, timeRoleSet } from './lib';
import { assertReadModelsCurrent, importStatisticsAgain, NATIONAL_EXPORT_DATE, nationalDataset } from './national-dataset';

const SERVER = process.env.BENCH_DATABASE_SERVER_URL ?? 'postgres://root@127.0.0.1:5432/postgres';
/** The benchmark database's name; another name lets two checkouts on one server keep a dataset each. */
const DATABASE = process.env.BENCH_API_DATABASE ?? 'bu_bench_api';
const CLIENTS = 50;
/** Cold requests per role with one client, and with CLIENTS clients. */
const COLD_ONE = Number(process.env.BENCH_COLD_ONE ?? 8);
const COLD_FIFTY = Number(process.env.BENCH_COLD_FIFTY ?? 50);
const WARM_ROUNDS = Number(process.env.BENCH_WARM_ROUNDS ?? 5);
const PAGED = '&limit=100';
const PASSWORD = 'bench-password-123';
const ROLES: Role[] = ['udvalg', 'chef', 'teamleder'];
/** The four largest, two mid-sized (the demo's) and six small municipalities. */
const MIX = [101, 751, 461, 851, 320, 479, 360, 400, 580, 665, 727, 825];

interface Spec {
  role: Role;
  municipality: number;
  asOf: string;
  from: string;
}

interface Sample {
  role: Role;
  /** What was asked: municipality and D. */
  asked: string;
  ms: number;
  ok: boolean;
  /** Bytes received (compressed where the client took gzip). */
  bytes?: number;
}

function specs(): Spec[] {
  const out: Spec[] = [];
  // The newest export date, the end of last year and a mid-year date, each with the year to date
  // and with the last three months as the period.
  for (const asOf of [NATIONAL_EXPORT_DATE, '2025-12-31', '2024-06-30']) {
    for (const from of [`${asOf.slice(0, 4)}-01-01`, addMonths(asOf, -3)]) {
      for (const municipality of MIX) for (const role of ROLES) out.push({ role, municipality, asOf, from });
    }
  }
  return out;
}

/** The month ends of the three years up to the export date, newest first. */
function monthEnds(): string[] {
  return Array.from({ length: 36 }, (_, i) => monthEnd(addMonths(`${NATIONAL_EXPORT_DATE.slice(0, 7)}-01`, -i)));
}

/**
 * Cold requests: every one a (municipality, month-end) pair no other request of the run asks for,
 * with D's year to date as the period, so no answer and no KPI value can come from the cache.
 * The roles take turns; `counts` requests per role for each round, the rounds' pairs disjoint.
 */
function coldSpecs(counts: number[], mix = MIX): Spec[][] {
  const pairs: { municipality: number; asOf: string }[] = [];
  const ends = monthEnds();
  // Walk the months and the municipalities together so that every round mixes sizes and dates. With
  // a round of one request per role and municipality (a count of mix.length), the roles take turns
  // so that each municipality is asked by each role once, at a month-end of its own.
  for (let i = 0; i < ends.length * mix.length; i++) {
    pairs.push({ municipality: mix[i % mix.length], asOf: ends[(i + Math.floor(i / mix.length) * 5) % ends.length] });
  }
  const needed = counts.reduce((a, n) => a + n * ROLES.length, 0);
  if (needed > pairs.length) throw new Error(`at most ${pairs.length} cold requests, asked for ${needed}`);
  let next = 0;
  return counts.map((n) =>
    Array.from({ length: n * ROLES.length }, (_, i) => {
      const { municipality, asOf } = pairs[next++];
      return { role: ROLES[i % ROLES.length], municipality, asOf, from: defaultPeriod(asOf).from };
    }),
  );
}

const load1 = () => loadavg()[0].toFixed(1);

const percentile = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

function startApi(url: string, port: number): Promise<ChildProcess> {
  // BENCH_API_NODE_ARGS: extra node flags for the API process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return startApiProcess(url, port, { WEB_DIST: 'dist/does-not-exist' }, nodeArgs);
}

// The load generator must cost as little as it can: it shares the two cores with the API and
// PostgreSQL. Plain http with kept-alive connections costs a fraction of fetch per request.
const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });

/**
 * Receives the whole answer; keeps its first 256 bytes (to check what it is) and counts the rest,
 * rather than copying megabytes together in the client, which shares the cores with the API.
 */
function getBody(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer; bytes: number }> {
  return new Promise((resolveGet, reject) => {
    httpGet(url, { agent, headers }, (res) => {
      let head = Buffer.alloc(0);
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        if (head.length < 256) head = Buffer.concat([head, c.subarray(0, 256 - head.length)]);
        bytes += c.length;
      });
      res.on('end', () => {
        const declared = Number(res.headers['content-length'] ?? bytes);
        if (declared !== bytes) return reject(new Error(`received ${bytes} of ${declared} bytes`));
        resolveGet({ status: res.statusCode ?? 0, body: head, bytes });
      });
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** Runs the specs with CLIENTS concurrent clients, each taking the next spec when done. */
async function load(
  base: string,
  tokens: Map<string, string>,
  list: Spec[],
  extra = '',
  gzip = false,
  clients = CLIENTS,
): Promise<{ samples: Sample[]; seconds: number }> {
  const samples: Sample[] = [];
  let next = 0;
  const started = Date.now();
  const client = async () => {
    while (next < list.length) {
      const s = list[next++];
      const t = process.hrtime.bigint();
      let ok = false;
      let bytes = 0;
      try {
        // Uncompressed unless asked: decompressing (like parsing) is the client's business, and on this
        // machine 50 clients inflating megabytes would be measured as the API's latency. With gzip the
        // compressed answer is received whole, as a browser receives it before inflating.
        const res = await getBody(`${base}/api/v1/kpis?municipality=${s.municipality}&asOf=${s.asOf}&from=${s.from}&to=${s.asOf}${extra}`, {
          authorization: `Bearer ${tokens.get(`${s.role}-${s.municipality}`)}`,
          ...(gzip ? { 'accept-encoding': 'gzip' } : {}),
        });
        bytes = res.bytes;
        const json = res.body.subarray(0, 8).toString() === '{"asOf":' && res.body.includes('"kpis":{"');
        const gzipped = res.body[0] === 0x1f && res.body[1] === 0x8b;
        ok = res.status === 200 && (json || (gzip && gzipped));
      } catch {
        ok = false;
      }
      samples.push({ role: s.role, asked: `${s.municipality} ${s.asOf}`, ms: Number(process.hrtime.bigint() - t) / 1e6, ok, bytes });
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return { samples, seconds: (Date.now() - started) / 1000 };
}

function report(label: string, run: { samples: Sample[]; seconds: number }): void {
  const mb = run.samples.reduce((a, s) => a + (s.bytes ?? 0), 0) / run.samples.length / 1024;
  console.log(
    `${label}: ${run.samples.length} requests in ${run.seconds.toFixed(1)} s (${(run.samples.length / run.seconds).toFixed(1)}/s), ${run.samples.filter((s) => !s.ok).length} errors, ${mb.toFixed(0)} KiB per answer on average`,
  );
  for (const role of ROLES) {
    const ms = run.samples.filter((s) => s.role === role).map((s) => s.ms);
    console.log(
      `  ${role.padEnd(10)} p50 ${percentile(ms, 50).toFixed(0).padStart(6)} ms   p95 ${percentile(ms, 95).toFixed(0).padStart(6)} ms`,
    );
    // --slowest n: which requests those were (municipality and D).
    const at = process.argv.indexOf('--slowest');
    const slowest = at >= 0 ? Number(process.argv[at + 1]) : 0;
    if (slowest > 0)
      console.log(
        `             slowest: ${run.samples
          .filter((s) => s.role === role)
          .sort((a, b) => b.ms - a.ms)
          .slice(0, slowest)
          .map((s) => `${s.asked} ${s.ms.toFixed(0)} ms`)
          .join(', ')}`,
      );
  }
}

/** A parameter as an SQL literal, for a psql script (the statements cast their parameters). */
function literal(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (Array.isArray(v)) return `'{${v.map((x) => `"${String(x).replace(/["\\]/g, '\\$&')}"`).join(',')}}'`;
  return `'${String(v).replace(/'/g, "''")}'`;
}

/** Every statement one request of the role computes, with its parameters written in. */
async function statementsOf(pool: Pool, spec: Spec, teams: string[] | undefined): Promise<string[]> {
  const statements: string[] = [];
  const query = (async (sql: string, params: unknown[] = []) => {
    statements.push(`${sql.replace(/\$(\d+)/g, (_, n) => literal(params[Number(n) - 1]))};`);
    return (await pool.query(sql, params)).rows;
  }) as KpiContext['query'];
  const settings = await loadSettings(query, spec.municipality);
  statements.length = 0;
  const ctx: KpiContext = {
    query,
    municipality: spec.municipality,
    asOf: spec.asOf,
    period: { from: spec.from, to: spec.asOf },
    teams,
    settings,
  };
  for (const kpi of KPIS.filter((k) => k.roles.includes(spec.role))) await kpi.compute(ctx);
  return statements;
}

/** The server time psql reports for a script of statements (\timing), in ms. */
function psqlMs(url: string, statements: string[], dir: string): number {
  const file = join(dir, 'request.sql');
  writeFileSync(file, `\\timing on\n${statements.join('\n')}\n`);
  const out = execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', file, url], { maxBuffer: 256 * 1024 * 1024 }).toString();
  return [...out.matchAll(/^Time: ([\d.]+) ms/gm)].reduce((s, m) => s + Number(m[1]), 0);
}

/**
 * The SQL time of each KPI of each role's set (one client, computed directly on a pool, as the API
 * computes a cold answer), summed over a few cold requests per role, heaviest first.
 */
async function profile(url: string, readModels: boolean): Promise<void> {
  const pool = new Pool({ connectionString: url, max: 1, options: SESSION_OPTIONS });
  const query = (async (sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows) as KpiContext['query'];
  const perRole = Number(process.env.BENCH_PROFILE_REQUESTS ?? 4);
  try {
    const [list] = coldSpecs([perRole]);
    for (const role of ROLES) {
      const totals = new Map<string, number>();
      let all = 0;
      for (const spec of list.filter((s) => s.role === role))
        all += await timeRoleSet(await roleSetContext(query, role, { ...spec }, !readModels), role, totals);
      console.log(
        `${role}: ${(all / perRole).toFixed(0)} ms of SQL per request (mean of ${perRole}; load ${load1()}); heaviest KPIs, ms per request:`,
      );
      for (const [id, ms] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, 12))
        console.log(`  ${(ms / perRole).toFixed(0).padStart(7)}  ${(((ms / all) * 100).toFixed(0) + ' %').padStart(5)}  ${id}`);
    }
  } finally {
    await pool.end();
  }
}

/**
 * --check: every KPI, with its fraction and the children it rests on, computed from the facts and
 * from the read models (ADR 0074) on the national dataset, for large and small municipalities,
 * three as-of dates, all teams and one; any difference fails the benchmark. The read models'
 * side shares one answer's memo over the KPIs of each municipality, date and teams, as the API
 * computes an answer (ADR 0075). `--all`: every municipality instead, each at a month-end of its
 * own over the last three years.
 */
async function check(url: string, all: boolean): Promise<void> {
  const pool = new Pool({ connectionString: url, max: 1, options: SESSION_OPTIONS });
  const query = (async (sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows) as KpiContext['query'];
  const started = Date.now();
  let compared = 0;
  const differences: string[] = [];
  const cases = all
    ? municipalities().map(({ code }, i) => ({ municipality: code, dates: [monthEnd(addMonths(NATIONAL_EXPORT_DATE, -((i * 7) % 36)))] }))
    : [101, 851, 825].map((municipality) => ({ municipality, dates: [NATIONAL_EXPORT_DATE, '2025-12-31', '2024-06-30'] }));
  try {
    for (const { municipality, dates } of cases) {
      await assertReadModelsCurrent(url, municipality);
      const settings = await loadSettings(query, municipality);
      for (const asOf of dates) {
        for (const teams of [undefined, ['Team Nord']]) {
          const base = { query, municipality, asOf, period: defaultPeriod(asOf), teams, settings };
          const facts: KpiContext = { ...base, readModels: false };
          const models: KpiContext = { ...base, readModels: true, shared: answerMemo() };
          const values = async (kpi: (typeof KPIS)[number], ctx: KpiContext) =>
            JSON.stringify([await kpi.compute(ctx), await kpi.fraction?.(ctx), await kpi.children?.(ctx)]);
          for (const kpi of KPIS.filter((k) => !teams || k.roles.includes('teamleder'))) {
            compared++;
            if ((await values(kpi, facts)) !== (await values(kpi, models)))
              differences.push(`${kpi.id} ${municipality} ${asOf} ${teams ? teams.join(',') : 'all teams'}`);
          }
        }
      }
    }
    console.log(`${compared} KPI values compared, facts against read models, in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    if (differences.length > 0) throw new Error(`different from the read models:\n${differences.join('\n')}`);
    console.log('every one the same');
  } finally {
    await pool.end();
  }
}

export async function benchApi(args: string[]): Promise<void> {
  const fresh = args.includes('--fresh');
  const scaleAt = args.indexOf('--scale');
  const scale = scaleAt >= 0 ? Number(args[scaleAt + 1]) : 1;
  console.log(`National dataset (98 municipalities, ${NATIONAL_EXPORT_DATE.slice(0, 4)} and nine years before, scale ${scale}) ...`);
  const data = await nationalDataset(SERVER, DATABASE, { fresh, scale, log: console.log });
  console.log(
    `  ${data.reused ? 'reused the database built before (--fresh rebuilds it)' : `built in ${data.seconds.toFixed(0)} s`}: ${Object.entries(
      data.rows,
    )
      .map(([k, v]) => `${k} ${v.toLocaleString('da-DK')}`)
      .join(', ')}`,
  );
  if (args.includes('--build-only')) return;
  if (args.includes('--profile')) return profile(data.url, !args.includes('--live'));
  if (args.includes('--check')) return check(data.url, args.includes('--all'));

  const pool = new Pool({ connectionString: data.url, max: 2 });
  const tokens = new Map<string, string>();
  const everyMunicipality = args.includes('--cold') && args.includes('--all');
  const asked = everyMunicipality ? municipalities().map((m) => m.code) : MIX;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let api: ChildProcess | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'bench-api-'));
  try {
    for (const m of asked) {
      for (const role of ROLES) {
        await addUser(pool, {
          username: `bench-${role}-${m}`,
          password: PASSWORD,
          role,
          municipality: m,
          teams: role === 'teamleder' ? ['Team Nord'] : [],
        });
      }
    }
    // Right after an import: the statistics again, a real import that makes every cached figure stale.
    await importStatisticsAgain(data.url);
    api = await startApi(data.url, port);
    for (const m of asked) {
      for (const role of ROLES) {
        const res = await fetch(`${base}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: `bench-${role}-${m}`, password: PASSWORD }),
        });
        tokens.set(`${role}-${m}`, ((await res.json()) as { token: string }).token);
      }
    }
    // The floor on this machine: the same 50 clients on the health check, which reads nothing.
    const floor: Sample[] = [];
    let next = 0;
    const floorStarted = Date.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next++ < 2000) {
          const t = process.hrtime.bigint();
          const res = await getBody(`${base}/api/health`);
          floor.push({ role: 'admin', asked: 'health', ms: Number(process.hrtime.bigint() - t) / 1e6, ok: res.status === 200 });
        }
      }),
    );
    const floorMs = floor.map((s) => s.ms);
    console.log(
      `floor: GET /api/health, ${CLIENTS} clients, 2000 requests: p50 ${percentile(floorMs, 50).toFixed(0)} ms, p95 ${percentile(floorMs, 95).toFixed(0)} ms (${(2000 / ((Date.now() - floorStarted) / 1000)).toFixed(0)}/s)`,
    );
    if (args.includes('--cold')) {
      const [one, fifty] = everyMunicipality ? coldSpecs([asked.length, asked.length], asked) : coldSpecs([COLD_ONE, COLD_FIFTY]);
      console.log('');
      console.log(
        `cold${everyMunicipality ? `, all ${asked.length} municipalities, each by every role in each round` : ''}: each request a municipality and month-end of the last three years asked once (load ${load1()}; the API's KPI slots: ${kpiSlots(parseEnv().KPI_SLOTS, availableParallelism(), parseEnv().API_PROCESSES)}, ADR 0099)`,
      );
      // Where the cores went: the API process's own CPU, and the rest (PostgreSQL, this client).
      const round = async (title: string, specs: Spec[], clients: number) => {
        const before = { busy: busySeconds(), api: processCpuSeconds(api!.pid!) };
        const samples = await load(base, tokens, specs, '', false, clients);
        const busy = busySeconds() - before.busy;
        const ownCpu = processCpuSeconds(api!.pid!) - before.api;
        report(title, samples);
        console.log(
          `  cores busy ${busy.toFixed(1)} s: the API process ${ownCpu.toFixed(1)} s (${((ownCpu / specs.length) * 1000).toFixed(0)} ms a request), the rest ${(busy - ownCpu).toFixed(1)} s`,
        );
      };
      await round(`cold, 1 client (load after ${load1()})`, one, 1);
      await round(`cold, ${CLIENTS} clients (load after ${load1()})`, fifty, CLIENTS);
      return;
    }
    const list = specs();
    const shuffled = (xs: Spec[], seed: number) =>
      xs
        .map((x, i) => ({ x, k: (i * 2654435761 + seed * 40503) % 4294967296 }))
        .sort((a, b) => a.k - b.k)
        .map((e) => e.x);
    console.log('');
    console.log(
      `${list.length} distinct requests (${MIX.length} municipalities × ${ROLES.length} roles × 3 as-of dates × 2 periods), ${CLIENTS} concurrent clients, each role's full KPI set per request`,
    );
    // --warm-only (for profiling the warm path): the cold round fills the cache unmeasured, no psql.
    const warmOnly = args.includes('--warm-only');
    const cold = await load(base, tokens, shuffled(list, 1));
    if (!warmOnly) report('cold (right after an import, nothing cached)', cold);
    const warm: Sample[] = [];
    let warmSeconds = 0;
    for (let round = 0; round < WARM_ROUNDS; round++) {
      const r = await load(base, tokens, shuffled(list, round + 2));
      warm.push(...r.samples);
      warmSeconds += r.seconds;
    }
    report(`warm (${WARM_ROUNDS} more rounds of the same requests)`, { samples: warm, seconds: warmSeconds });
    // The same answers as a browser asks for them (Accept-Encoding: gzip): compressed once, kept in the cache.
    await load(base, tokens, shuffled(list, 7), '', true);
    const zipped: Sample[] = [];
    let zippedSeconds = 0;
    for (let round = 0; round < WARM_ROUNDS; round++) {
      const r = await load(base, tokens, shuffled(list, round + 22), '', true);
      zipped.push(...r.samples);
      zippedSeconds += r.seconds;
    }
    report(`warm, gzip (as a browser asks; first compressed once, then ${WARM_ROUNDS} rounds)`, {
      samples: zipped,
      seconds: zippedSeconds,
    });
    // The same with every list as its first page of 100 rows (count still the whole list), the way
    // a work list is read on screen: the largest municipalities' lists run to thousands of rows.
    await load(base, tokens, shuffled(list, 9), PAGED);
    const paged: Sample[] = [];
    let pagedSeconds = 0;
    for (let round = 0; round < WARM_ROUNDS; round++) {
      const r = await load(base, tokens, shuffled(list, round + 12), PAGED);
      paged.push(...r.samples);
      pagedSeconds += r.seconds;
    }
    report(`warm, lists paged (limit=100; first built from the cached figures, then ${WARM_ROUNDS} rounds)`, {
      samples: paged,
      seconds: pagedSeconds,
    });

    if (warmOnly) return;
    // The same SQL directly in psql, one request after another on one connection.
    console.log('');
    console.log('the same SQL directly in psql (\\timing, summed per request; one client):');
    for (const role of ROLES) {
      const times: number[] = [];
      for (const spec of list.filter((s) => s.role === role && [101, 320, 825].includes(s.municipality) && s.from.endsWith('-01-01'))) {
        const statements = await statementsOf(pool, spec, role === 'teamleder' ? ['Team Nord'] : undefined);
        times.push(psqlMs(data.url, statements, dir));
      }
      console.log(
        `  ${role.padEnd(10)} p50 ${percentile(times, 50).toFixed(0).padStart(6)} ms   p95 ${percentile(times, 95).toFixed(0).padStart(6)} ms   (${times.length} requests)`,
      );
    }
  } finally {
    api?.kill('SIGTERM');
    await pool.query(`DELETE FROM app_user WHERE username LIKE 'bench-%'`).catch(() => undefined);
    await pool.end();
    rmSync(dir, { recursive: true, force: true });
  }
}
