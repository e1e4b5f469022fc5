// What the benchmarks share: a free port, an API process to measure, a fresh database, the cores' busy time.
import { spawn, type ChildProcess } from 'child_process';
import { randomBytes } from 'crypto';
import { readFileSync } from 'fs';
import { createServer } from 'net';
import { join, resolve } from 'path';
import { Client } from 'pg';
import type { Role } from '@bu/domain';
import { answerMemo, KPIS, loadSettings, readModelsCurrent, type KpiContext } from '@bu/kpi';

const ROOT = resolve(__dirname, '..');

export const freePort = () =>
  new Promise<number>((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });

/**
 * The API as its own process (`npm run serve:api`) on the database at `url`, with fresh secrets and
 * no Redis; resolves once /api/health answers (60 s at most).
 */
export async function startApiProcess(
  url: string,
  port: number,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'tools/run.js'), join(ROOT, 'scripts/serve.ts'), 'api'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: url,
      PORT: String(port),
      JWT_SECRET: randomBytes(32).toString('hex'),
      PSEUDONYM_SECRET: randomBytes(32).toString('hex'),
      REDIS_URL: '',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`the API stopped (exit ${child.exitCode})`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGTERM');
  throw new Error('the API did not start within 60 s');
}

/** An empty database `name` on the server at `server` (dropped first if it exists); its URL. */
export async function freshDatabase(server: string, name: string): Promise<string> {
  const admin = new Client({ connectionString: server });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Seconds the machine's cores spent busy so far (/proc/stat: all but idle and iowait). */
export function busySeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return (fields.reduce((a, b) => a + b, 0) - fields[3] - fields[4]) / 100;
}

/** Seconds of CPU the process `pid` has used so far (/proc/<pid>/stat: user and system time). */
export function processCpuSeconds(pid: number): number {
  // The command name (field 2) is in parentheses and may hold spaces: count from after it.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * One role's KPI set as the API computes an answer's (ADR 0075: one memo per answer), for the SQL
 * benchmarks: the team leader's for Team Nord, the read models when current (unless `live`).
 */
export async function roleSetContext(
  query: KpiContext['query'],
  role: Role,
  at: { municipality: number; asOf: string; from: string },
  live = false,
): Promise<KpiContext> {
  return {
    query,
    municipality: at.municipality,
    asOf: at.asOf,
    period: { from: at.from, to: at.asOf },
    teams: role === 'teamleder' ? ['Team Nord'] : undefined,
    settings: await loadSettings(query, at.municipality),
    readModels: !live && (await readModelsCurrent(query, at.municipality)),
    shared: answerMemo(),
  };
}

/**
 * Computes the role's whole set one KPI after another (the SQL's cost, not the API's concurrency),
 * with the committee's counts and children, and adds each KPI's milliseconds to `perKpi`.
 */
export async function timeRoleSet(ctx: KpiContext, role: Role, perKpi: Map<string, number>): Promise<number> {
  let all = 0;
  for (const kpi of KPIS.filter((k) => k.roles.includes(role))) {
    const t = process.hrtime.bigint();
    await kpi.compute(ctx);
    if (role === 'udvalg') await kpi.fraction?.(ctx);
    if (role === 'udvalg') await kpi.children?.(ctx);
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    perKpi.set(kpi.id, (perKpi.get(kpi.id) ?? 0) + ms);
    all += ms;
  }
  return all;
}
