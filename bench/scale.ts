// npm run bench -- scale <etl|sets|saturation> — the measurements of docs/SCALING.md ("Past one
// machine", issue 18 point 7):
//
//   scale etl [--scale s] [--workers 1,2,4]   ETL throughput with 1, 2 and 4 workers: the 98
//       municipalities' DUBU exports (sized by their children × s, default 0.25) imported into a
//       fresh database by N worker processes that take the next export as they finish one, as the
//       job queue hands them out (never one municipality twice at once).
//   scale sets [--scales 1,2,4] [--build-only] [--kpis [--top n]] the SQL cost of each role's whole KPI set at 1×, 2× and
//       4× the national dataset, for a large, a middle and a small municipality. In the 2× and 4×
//       builds the middle and the small one stay at 1×: their cost should not move (a statement
//       reads its own municipality's partitions), while the large one's grows with its own size.
//   scale saturation [--clients 1,2,4,8,16]   where a single primary saturates: the same 16 chief sets
//       computed by C clients at once on the national dataset, sets per minute and the cores busy.
//
// Each database is built once and reused (the database comment says which build it holds).
import { spawn, type ChildProcess } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { loadavg, tmpdir } from 'os';
import { join, resolve } from 'path';
import { Pool } from 'pg';
import { migrate, SESSION_OPTIONS } from '@bu/db';
import { defaultPeriod, municipalities, type Role } from '@bu/domain';
import { importDubu } from '@bu/etl';
import type { KpiContext } from '@bu/kpi';
import { generateDubuExport } from '../scripts/demo/generate-dubu';
import { demoPopulation } from '../scripts/demo/generate-public';
import { busySeconds, freshDatabase as emptyDatabase, roleSetContext, timeRoleSet } from './lib';
import { NATIONAL_EXPORT_DATE, NATIONAL_FIRST_YEAR, nationalDataset } from './national-dataset';

const ROOT = resolve(__dirname, '..');
const SERVER = process.env.BENCH_DATABASE_SERVER_URL ?? 'postgres://root@127.0.0.1:5432/postgres';
const DATABASE = process.env.BENCH_API_DATABASE ?? 'bu_bench_api';
const SECRET = 'bench-secret-0123456789abcdef';
const CHILDREN_PER_CHILD = 4000 / 7000;
const ROLES: Role[] = ['udvalg', 'chef', 'teamleder'];
/** København (large, grows with the scale), Odense and Læsø (kept at 1× in the larger builds). */
const LARGE = 101;
const PROBES = [461, 825];
const DATES = [NATIONAL_EXPORT_DATE, '2025-12-31', '2024-06-30'];

const load1 = () => loadavg()[0].toFixed(1);
const option = (args: string[], name: string, fallback: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
const list = (text: string) => text.split(',').map(Number);

async function freshDatabase(name: string): Promise<string> {
  const url = await emptyDatabase(SERVER, name);
  await migrate(url);
  return url;
}

/** A worker process: imports each export directory it is sent, and says when it is done with it. */
async function child(url: string): Promise<void> {
  const pool = new Pool({ connectionString: url, max: 2 });
  process.on('message', (message: { dir?: string }) => {
    if (!message.dir) {
      void pool.end().then(() => process.exit(0));
      return;
    }
    void importDubu(pool, message.dir, { pseudonymSecret: SECRET, exportDate: NATIONAL_EXPORT_DATE, requestedBy: 'bench' }).then(
      (r) =>
        process.send!({
          dir: message.dir,
          status: r.status,
          error: r.error,
          rows: Object.values(r.loaded).reduce((a, n) => a + (n ?? 0), 0),
        }),
      (e: Error) => process.send!({ dir: message.dir, status: 'failed', error: e.message, rows: 0 }),
    );
  });
  process.send!({ ready: true });
  await new Promise(() => undefined); // until the parent sends the end
}

async function etl(args: string[]): Promise<void> {
  const scale = Number(option(args, '--scale', '0.25'));
  const workers = list(option(args, '--workers', '1,2,4'));
  const work = mkdtempSync(join(tmpdir(), 'bench-scale-etl-'));
  try {
    // Largest first, as a nightly drop folder would not be: the order that keeps N workers busiest
    // is the one a fair comparison needs (the tail is one small municipality, not København).
    const codes = municipalities()
      .map((m) => m.code)
      .sort((a, b) => demoPopulation(b) - demoPopulation(a));
    console.log(`Generating the 98 municipalities' exports at scale ${scale} ...`);
    for (const code of codes) {
      await generateDubuExport(join(work, String(code)), {
        municipalityCode: code,
        seed: code,
        children: Math.max(100, Math.round(demoPopulation(code) * CHILDREN_PER_CHILD * scale)),
        firstYear: NATIONAL_FIRST_YEAR,
        exportDate: NATIONAL_EXPORT_DATE,
        messy: false,
      });
    }
    console.log('workers | wall s | rows loaded | rows/s | cores busy (of the machine) | load before');
    for (const n of workers) {
      const url = await freshDatabase('bu_bench_scale_etl');
      const before = { t: Date.now(), busy: busySeconds(), load: load1() };
      let rows = 0;
      const queue = codes.map((c) => join(work, String(c)));
      const children: ChildProcess[] = [];
      await Promise.all(
        Array.from(
          { length: n },
          () =>
            new Promise<void>((done, fail) => {
              const c = spawn(process.execPath, [join(ROOT, 'tools/run.js'), join(ROOT, 'scripts/bench.ts'), 'scale', 'child', url], {
                stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
              });
              children.push(c);
              const next = () => {
                const dir = queue.shift();
                c.send(dir ? { dir } : {});
                if (!dir) done();
              };
              c.on('message', (m: { ready?: boolean; status?: string; error?: string; rows?: number; dir?: string }) => {
                if (m.status && m.status !== 'succeeded') return fail(new Error(`${m.dir}: ${m.error}`));
                rows += m.rows ?? 0;
                next();
              });
              c.on('exit', (code) => (code ? fail(new Error(`worker exited with ${code}`)) : undefined));
            }),
        ),
      );
      await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.on('exit', r)))));
      const seconds = (Date.now() - before.t) / 1000;
      const cores = (busySeconds() - before.busy) / seconds;
      console.log(
        `${String(n).padStart(7)} | ${seconds.toFixed(0).padStart(6)} | ${rows.toLocaleString('da-DK').padStart(11)} | ${Math.round(
          rows / seconds,
        )
          .toLocaleString('da-DK')
          .padStart(6)} | ${cores.toFixed(2)} | ${before.load}`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function sets(args: string[]): Promise<void> {
  const scales = list(option(args, '--scales', '1,2,4'));
  console.log('scale | municipality (cases) | udvalg | chef | teamleder ms of SQL per set (mean of 3 dates) | load');
  for (const scale of scales) {
    const name = scale === 1 ? DATABASE : `${DATABASE}_x${scale}`;
    const data = await nationalDataset(SERVER, name, { fresh: false, scale, keepAtOne: scale === 1 ? [] : PROBES, log: console.log });
    if (args.includes('--build-only')) continue;
    const pool = new Pool({ connectionString: data.url, max: 1, options: SESSION_OPTIONS });
    const query = (async (sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows) as KpiContext['query'];
    try {
      for (const municipality of [LARGE, ...PROBES]) {
        const [{ n }] = await query<{ n: number }>('SELECT count(*)::int AS n FROM child_case WHERE municipality_code = $1', [
          municipality,
        ]);
        const ms: number[] = [];
        const heaviest: string[] = [];
        for (const role of ROLES) {
          let sum = 0;
          const perKpi = new Map<string, number>();
          for (const asOf of DATES)
            sum += await timeRoleSet(
              await roleSetContext(query, role, { municipality, asOf, from: defaultPeriod(asOf).from }),
              role,
              perKpi,
            );
          ms.push(sum / DATES.length);
          const top = [...perKpi].sort((a, b) => b[1] - a[1]).slice(0, Number(option(args, '--top', '6')));
          if (args.includes('--kpis'))
            heaviest.push(`    ${role}: ${top.map(([id, t]) => `${id} ${(t / DATES.length).toFixed(0)}`).join(', ')}`);
        }
        console.log(`${scale}× | ${municipality} (${n.toLocaleString('da-DK')}) | ${ms.map((x) => x.toFixed(0)).join(' | ')} | ${load1()}`);
        for (const line of heaviest) console.log(line);
      }
    } finally {
      await pool.end();
    }
  }
}

async function saturation(args: string[]): Promise<void> {
  const clients = list(option(args, '--clients', '1,2,4,8,16'));
  const data = await nationalDataset(SERVER, DATABASE, { fresh: false, scale: 1, log: console.log });
  const codes = municipalities().map((m) => m.code);
  const months = Array.from({ length: 36 }, (_, i) => {
    const d = new Date(Date.UTC(2026, 9 - i + 1, 0));
    return d.toISOString().slice(0, 10);
  });
  // The same 16 sets (municipalities of every size, spread over three years) at each C: the SQL
  // reads what fits in memory either way, so only the concurrency differs between rows.
  const sets = Array.from({ length: 16 }, (_, i) => ({
    municipality: codes[(i * 37) % codes.length],
    asOf: months[(i * 5) % months.length],
  }));
  console.log('clients | chief sets | wall s | sets per minute | p95 s per set | cores busy | load before');
  for (const c of clients) {
    const n = sets.length;
    const pool = new Pool({ connectionString: data.url, max: c, options: SESSION_OPTIONS });
    const query = (async (sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows) as KpiContext['query'];
    const before = { t: Date.now(), busy: busySeconds(), load: load1() };
    const times: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: c }, async () => {
        while (next < n) {
          const { municipality, asOf } = sets[next++];
          const ctx = await roleSetContext(query, 'chef', { municipality, asOf, from: defaultPeriod(asOf).from });
          times.push(await timeRoleSet(ctx, 'chef', new Map()));
        }
      }),
    );
    await pool.end();
    const seconds = (Date.now() - before.t) / 1000;
    times.sort((a, b) => a - b);
    const p95 = times[Math.min(times.length - 1, Math.ceil(times.length * 0.95) - 1)] / 1000;
    console.log(
      `${String(c).padStart(7)} | ${String(n).padStart(10)} | ${seconds.toFixed(0).padStart(6)} | ${((n / seconds) * 60).toFixed(1).padStart(15)} | ${p95.toFixed(1)} | ${((busySeconds() - before.busy) / seconds).toFixed(2)} | ${before.load}`,
    );
  }
}

export async function benchScale(args: string[]): Promise<void> {
  const [what, ...rest] = args;
  if (what === 'child') return child(rest[0]);
  if (what === 'etl') return etl(rest);
  if (what === 'sets') return sets(rest);
  if (what === 'saturation') return saturation(rest);
  throw new Error('Brug: npm run bench -- scale <etl|sets|saturation> [--scale s] [--workers 1,2,4] [--scales 1,2,4] [--clients 1,2,4,8]');
}
