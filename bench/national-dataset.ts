// A national-scale dataset for the API benchmark: all 98 municipalities with ten years of DUBU-style
// case data sized by their number of children, three years of economy and the public statistics,
// all loaded through the ETL. Built once per database and reused (the database comment says which
// build it holds), since building takes minutes.
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Client, Pool } from 'pg';
import { buildReadModels, migrate, READ_MODEL_TABLES, READ_MODELS_CURRENT, STALE_READ_MODELS } from '@bu/db';
import { municipalities } from '@bu/domain';
import { importDubu, importEconomy, importStatistics } from '@bu/etl';
import { generateDubuExport } from '../scripts/demo/generate-dubu';
import { demoPopulation, generateEconomy, generateStatistics } from '../scripts/demo/generate-public';

export const NATIONAL_EXPORT_DATE = '2026-10-31';
export const NATIONAL_FIRST_YEAR = 2017;
const SECRET = 'bench-secret-0123456789abcdef';
/** Children in contact with the services over ten years per child aged 0-17 (Faxe: 4,000 of 7,000). */
const CHILDREN_PER_CHILD = 4000 / 7000;
const BUILD = 'bench-api national v1';

export interface NationalDataset {
  url: string;
  reused: boolean;
  seconds: number;
  rows: Record<string, number>;
}

async function databaseComment(server: string, name: string): Promise<string | null> {
  const admin = new Client({ connectionString: server });
  await admin.connect();
  try {
    const { rows } = await admin.query('SELECT shobj_description(oid, $2) AS comment FROM pg_database WHERE datname = $1', [
      name,
      'pg_database',
    ]);
    return rows.length === 0 ? null : (rows[0].comment ?? '');
  } finally {
    await admin.end();
  }
}

const urlOf = (server: string, name: string) => {
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
};

async function counts(url: string): Promise<Record<string, number>> {
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    const out: Record<string, number> = {};
    for (const table of [
      'child_case',
      'notification',
      'measure',
      'assignment',
      'effect_measurement',
      'budget_line',
      'municipal_statistic',
    ]) {
      out[table] = (await pool.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
    }
    return out;
  } finally {
    await pool.end();
  }
}

export async function nationalDataset(
  server: string,
  name: string,
  opts: { fresh: boolean; scale: number; keepAtOne?: number[]; log: (line: string) => void },
): Promise<NationalDataset> {
  // Municipalities kept at scale 1 in a larger build (bench/scale.ts: their cost should not move).
  const keep = opts.keepAtOne ?? [];
  const build = `${BUILD} scale=${opts.scale}${keep.length > 0 ? ` keep=${keep.join(',')}` : ''}`;
  const url = urlOf(server, name);
  if (!opts.fresh && (await databaseComment(server, name)) === build) {
    await migrate(url); // a database from an older checkout gets the newer migrations
    await readModels(url, opts.log);
    return { url, reused: true, seconds: 0, rows: await counts(url) };
  }
  const started = Date.now();
  const admin = new Client({ connectionString: server });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  await migrate(url);
  const pool = new Pool({ connectionString: url, max: 2 });
  const work = mkdtempSync(join(tmpdir(), 'bench-national-'));
  try {
    const all = municipalities().map((m) => m.code);
    let done = 0;
    for (const code of all) {
      const dir = join(work, String(code));
      const children = Math.max(200, Math.round(demoPopulation(code) * CHILDREN_PER_CHILD * (keep.includes(code) ? 1 : opts.scale)));
      await generateDubuExport(dir, {
        municipalityCode: code,
        seed: code,
        children,
        firstYear: NATIONAL_FIRST_YEAR,
        exportDate: NATIONAL_EXPORT_DATE,
        messy: false,
      });
      const result = await importDubu(pool, dir, { pseudonymSecret: SECRET, exportDate: NATIONAL_EXPORT_DATE, requestedBy: 'bench' });
      if (result.status !== 'succeeded') throw new Error(`import of ${code} failed: ${result.error}`);
      rmSync(dir, { recursive: true, force: true });
      done++;
      if (done % 10 === 0 || done === all.length)
        opts.log(`  ${done}/${all.length} municipalities loaded (${Math.round((Date.now() - started) / 1000)} s)`);
    }
    generateEconomy(join(work, 'economy'), { municipalities: all, exportDate: NATIONAL_EXPORT_DATE, seed: 5 });
    const economy = await importEconomy(pool, join(work, 'economy'), { pseudonymSecret: SECRET, requestedBy: 'bench' });
    if (economy.status !== 'succeeded') throw new Error(`economy import failed: ${economy.error}`);
    generateStatistics(join(work, 'statistics'), { lastYear: Number(NATIONAL_EXPORT_DATE.slice(0, 4)) - 1, years: 10, seed: 98 });
    const statistics = await importStatistics(pool, join(work, 'statistics'), { pseudonymSecret: SECRET, requestedBy: 'bench' });
    if (statistics.status !== 'succeeded') throw new Error(`statistics import failed: ${statistics.error}`);
    await pool.query('ANALYZE');
  } finally {
    await pool.end();
    rmSync(work, { recursive: true, force: true });
  }
  // As the worker does after each import (the imports here are not jobs).
  await readModels(url, opts.log);
  const c = new Client({ connectionString: server });
  await c.connect();
  await c.query(`COMMENT ON DATABASE ${name} IS '${build}'`);
  await c.end();
  return { url, reused: false, seconds: (Date.now() - started) / 1000, rows: await counts(url) };
}

/**
 * The address of the national dataset when it is built (at scale 1 unless asked), else null: for
 * benchmarks that read it but must never build it (a build drops the database, perhaps mid-build).
 */
export async function builtNationalDataset(server: string, name: string, scale = 1): Promise<string | null> {
  return (await databaseComment(server, name)) === `${BUILD} scale=${scale}` ? urlOf(server, name) : null;
}

/**
 * Refuses a dataset whose read models of `municipality` are not current for this code's builds
 * (ADR 0107): a benchmark would time the facts' path without saying so. `npm run bench -- api
 * --build-only` builds them again.
 */
export async function assertReadModelsCurrent(url: string, municipality: number): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ current: boolean }>(READ_MODELS_CURRENT, [municipality]);
    if (!rows[0].current)
      throw new Error(
        `the read models of ${municipality} are not current for this code: build them with npm run bench -- api --build-only`,
      );
  } finally {
    await client.end();
  }
}

/** Builds the read models (ADR 0074) of every municipality whose are not built from its data in force. */
async function readModels(url: string, log: (line: string) => void): Promise<void> {
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    const { rows } = await pool.query<{ municipality: number }>(STALE_READ_MODELS);
    if (rows.length === 0) return;
    const started = Date.now();
    for (const { municipality } of rows) await buildReadModels(pool, municipality);
    // Vacuumed too: each build deletes the rows it replaces, and this kind of machine's PostgreSQL
    // runs without autovacuum, which a deployment's keeps on (the answers would read the dead rows).
    await pool.query(`VACUUM (ANALYZE) ${READ_MODEL_TABLES.join(', ')}`);
    log(`  read models of ${rows.length} municipalities built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await pool.end();
  }
}

/** Re-imports the public statistics: a real import, after which every cached figure is stale. */
export async function importStatisticsAgain(url: string): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'bench-statistics-'));
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    generateStatistics(work, { lastYear: Number(NATIONAL_EXPORT_DATE.slice(0, 4)) - 1, years: 10, seed: 98 });
    const result = await importStatistics(pool, work, { pseudonymSecret: SECRET, requestedBy: 'bench' });
    if (result.status !== 'succeeded') throw new Error(`statistics import failed: ${result.error}`);
  } finally {
    await pool.end();
    rmSync(work, { recursive: true, force: true });
  }
}
