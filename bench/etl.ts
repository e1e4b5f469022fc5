// npm run bench -- etl [measures]  — the full DUBU import (parse, validate, pseudonymise, COPY,
// merge) of a large export, cold, next to psql \copy of the same files into untyped tables; then
// the same export again, and the next night's with one row in a hundred changed.
import { execFileSync, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'fs';
import { cpus, tmpdir } from 'os';
import { join, resolve } from 'path';
import { Client } from 'pg';
import { migrate } from '@bu/db';
import { generateLargeDubu } from './generate-large-dubu';
import { busySeconds, freshDatabase as emptyDatabase } from './lib';

const ROOT = resolve(__dirname, '..');
const SERVER = process.env.BENCH_DATABASE_SERVER_URL ?? 'postgres://root@127.0.0.1:5432/postgres';
// A fresh key per run: the ETL CLI refuses any secret written in the repository.
const BENCH_SECRET = randomBytes(32).toString('hex');

const freshDatabase = (name: string) => emptyDatabase(SERVER, name);

async function dropDatabase(name: string): Promise<void> {
  const admin = new Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}

function psqlCopy(url: string, dir: string): number {
  const files = readdirSync(dir).filter((f) => f.endsWith('.csv'));
  const script = files
    .map((f) => {
      const cols = readFileSync(join(dir, f), 'utf8')
        .slice(0, 400)
        .split('\n')[0]
        .split(';')
        .map((_, i) => `c${i} text`);
      const table = f.replace('.csv', '');
      return `CREATE TABLE raw_${table} (${cols.join(', ')});\n\\copy raw_${table} FROM '${join(dir, f)}' WITH (FORMAT csv, DELIMITER ';', HEADER true)`;
    })
    .join('\n');
  const started = process.hrtime.bigint();
  execFileSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', url], { input: `\\timing off\nBEGIN;\n${script}\nCOMMIT;\n` });
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Runs `etl import dubu <dir> --json` as a child process; its summary and its peak RSS in bytes. */
function importInChild(
  url: string,
  dir: string,
): Promise<{
  result: { status: string; loaded: Record<string, number>; rejected: unknown[]; sameAs?: string };
  peak: number;
  cpu: number;
}> {
  return new Promise((resolveRun, reject) => {
    // The same heap cap as `npm run etl`: V8 would otherwise let garbage grow the heap long before
    // collecting it; the import's live data is small (streaming), so the cap costs no speed.
    const child = spawn(
      process.execPath,
      [
        '--max-old-space-size=128',
        join(ROOT, 'tools/run.js'),
        join(ROOT, 'etl/src/cli.ts'),
        'import',
        'dubu',
        dir,
        '--export-date',
        '2024-12-31',
        '--json',
      ],
      {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: url, PSEUDONYM_SECRET: BENCH_SECRET },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    let peak = 0;
    // The process's own CPU time (user + system), as last read before it ended.
    let cpu = 0;
    // VmHWM is the process's own high-water mark; read it until the process ends.
    const sample = setInterval(() => {
      try {
        const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (hwm) peak = Math.max(peak, Number(hwm[1]) * 1024);
        const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
        cpu = (Number(stat[11]) + Number(stat[12])) / 100;
      } catch {
        // ended
      }
    }, 20);
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', () => {
      clearInterval(sample);
      try {
        resolveRun({ result: JSON.parse(out), peak, cpu });
      } catch {
        reject(new Error(`the import printed no summary: ${out.slice(0, 500)}`));
      }
    });
  });
}

/**
 * One small import before anything is timed, large enough for the staging thread (8 MB of
 * ydelser.csv): tools/run.js compiles the import's TypeScript on its first run and keeps it on
 * disk, and a fresh clone's first timed import would otherwise count the compiler (3-4 core-seconds
 * here). The production image runs compiled code (ADR 0045).
 */
async function warmUp(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-dubu-warm-'));
  const name = `bu_bench_etl_warm_${process.pid}`;
  try {
    await generateLargeDubu(dir, 100_000);
    const url = await freshDatabase(name);
    await migrate(url);
    const { result } = await importInChild(url, dir);
    if (result.status !== 'succeeded') throw new Error(`warm-up import failed: ${JSON.stringify(result).slice(0, 500)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await dropDatabase(name);
  }
}

export async function benchEtl(measures: number, options: { rejected?: boolean } = {}): Promise<void> {
  await warmUp();
  const dir = mkdtempSync(join(tmpdir(), 'bench-dubu-'));
  console.log(`Generating a DUBU export with ${measures.toLocaleString('da-DK')} rows in ydelser.csv in ${dir} ...`);
  const counts = await generateLargeDubu(dir, measures, options);
  if (options.rejected) console.log('Every row of ydelser.csv is rejected: half by the parser, half by the reference rule.');
  const bytes = readdirSync(dir).reduce((s, f) => s + statSync(join(dir, f)).size, 0);
  const rows = Object.values(counts).reduce((a, b) => a + b, 0);

  // The physical limit, timed before and after the import: this shared machine's speed drifts by
  // a fifth or more from minute to minute, and the ratio is against the mean of the two.
  const psqlBefore = psqlCopy(await freshDatabase(`bu_bench_psql_${process.pid}`), dir);

  const url = await freshDatabase(`bu_bench_etl_${process.pid}`);
  await migrate(url);
  // The import runs in its own process, as in the worker, so its peak RSS (the kernel's VmHWM) is
  // the import's, not the generator's.
  const started = process.hrtime.bigint();
  const busyBefore = busySeconds();
  const { result, peak, cpu: importCpu } = await importInChild(url, dir);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const busy = busySeconds() - busyBefore;
  const psqlAfter = psqlCopy(await freshDatabase(`bu_bench_psql_${process.pid}`), dir);
  const psqlSeconds = (psqlBefore + psqlAfter) / 2;
  if (result.status !== 'succeeded') throw new Error(`import failed: ${JSON.stringify(result).slice(0, 500)}`);

  // The nightly case: the same export again (every file as loaded): not staged again (ADR 0073).
  const againStarted = process.hrtime.bigint();
  const again = await importInChild(url, dir);
  const againSeconds = Number(process.hrtime.bigint() - againStarted) / 1e9;
  if (again.result.status !== 'succeeded') throw new Error(`re-import failed: ${JSON.stringify(again.result).slice(0, 500)}`);
  const changed = Object.values(again.result.loaded).reduce((a, b) => a + b, 0);

  // The next night's export: one row in a hundred of every file changed, staged in full.
  const changedDir = mkdtempSync(join(tmpdir(), 'bench-dubu-changed-'));
  await generateLargeDubu(changedDir, measures, { ...options, changed: true });
  const nextStarted = process.hrtime.bigint();
  const next = await importInChild(url, changedDir);
  const nextSeconds = Number(process.hrtime.bigint() - nextStarted) / 1e9;
  if (next.result.status !== 'succeeded') throw new Error(`changed re-import failed: ${JSON.stringify(next.result).slice(0, 500)}`);
  const nextLoaded = Object.values(next.result.loaded).reduce((a, b) => a + b, 0);

  const mb = (n: number) => (n / 1024 / 1024).toFixed(0);
  console.log('');
  console.log(
    `files:            ${Object.entries(counts)
      .map(([k, v]) => `${k} ${v.toLocaleString('da-DK')}`)
      .join(', ')} (${mb(bytes)} MB)`,
  );
  console.log(`loaded:           ${JSON.stringify(result.loaded)}; rejected ${result.rejected.length.toLocaleString('da-DK')}`);
  console.log(
    `psql \\copy:       ${psqlSeconds.toFixed(2)} s  (${Math.round(rows / psqlSeconds).toLocaleString('da-DK')} rows/s, untyped tables; ${psqlBefore.toFixed(2)} s before the import, ${psqlAfter.toFixed(2)} s after)`,
  );
  console.log(`full ETL import:  ${seconds.toFixed(2)} s  (${Math.round(rows / seconds).toLocaleString('da-DK')} rows/s, cold)`);
  console.log(`ratio:            ${(seconds / psqlSeconds).toFixed(2)} × psql`);
  console.log(
    `CPU busy:         ${busy.toFixed(1)} core-seconds of ${(seconds * cpus().length).toFixed(1)} (${cpus().length} cores × wall time), ${importCpu.toFixed(1)} of them the import's process, the rest mostly the database server`,
  );
  console.log(`peak RSS:         ${mb(peak)} MB (the import's process: npm run etl -- import dubu, node and all)`);
  console.log(
    `same export again: ${againSeconds.toFixed(2)} s  (${(againSeconds / seconds).toFixed(2)} × the cold import; ${changed} rows loaded, ${again.result.sameAs ? `not staged: the same as import ${again.result.sameAs}` : 'staged'}), peak RSS ${mb(again.peak)} MB`,
  );
  console.log(
    `1 % rows changed: ${nextSeconds.toFixed(2)} s  (${(nextSeconds / seconds).toFixed(2)} × the cold import; ${nextLoaded.toLocaleString('da-DK')} rows loaded), peak RSS ${mb(next.peak)} MB`,
  );
  rmSync(dir, { recursive: true, force: true });
  rmSync(changedDir, { recursive: true, force: true });
  for (const name of [`bu_bench_psql_${process.pid}`, `bu_bench_etl_${process.pid}`]) await dropDatabase(name);
}
