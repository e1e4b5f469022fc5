// npm start — the embedded default: a fresh clone runs with no Docker and no services.
// Embedded PostgreSQL (or DATABASE_URL), migrations, demo exports through the real ETL on
// BullMQ (PostgreSQL backend, or Redis with REDIS_URL), demo users, API and dashboard.
// With DATABASE_URL only into an empty database and only with `--demo` (or DEMO=1): see demo-target.ts.
import { existsSync, readFileSync, writeFileSync } from 'fs';
import { join, resolve } from 'path';
import { Pool } from 'pg';
import {
  APPLICATION_NAME,
  configFromEnv,
  databaseUrlFromEnv,
  exitOnConfigError,
  exitWithoutConnectionRoom,
  reportsConfigFromEnv,
  settings,
} from '@bu/config';
import { migrate } from '@bu/db';
import { copenhagenDate } from '@bu/domain';
import { DEMO_IMPORTER } from '@bu/contracts';
import { serve, type RunningServer } from '../apps/api/src/main';
import { ENTITY_NAMES, type EtlJobData } from '@bu/etl';
import { startWorkers } from '../apps/worker/src/workers';
import { dubuToCsc } from './demo/dubu-to-csc';
import { generateDubuExport } from './demo/generate-dubu';
import { generateEconomy, generateStatistics } from './demo/generate-public';
import { ensureWebBuilt } from './lib/build-web';
import { startEmbeddedPostgres } from './lib/embedded-postgres';
import { importViaQueue } from './lib/import-via-queue';
import { demoRefusal } from './lib/demo-target';
import { localSecrets } from './lib/secrets';
import { seedDemoGoals } from './lib/demo-goals';
import { seedDemoReviews } from './lib/demo-reviews';
import { addUser } from './lib/users';

const ROOT = resolve(__dirname, '..');
const ENV = settings();
const DATA = resolve(ENV.DATA_DIR ?? join(ROOT, '.data'));
// Two mid-sized municipalities, so the demo's case volume matches their number of children
// (about 11 notifications per 100 children a year, 0.9 % placed).
const DEMO_MUNICIPALITY = 320; // Faxe, on DUBU
const DEMO_CSC_MUNICIPALITY = 479; // Svendborg, on CSC Social
const DEMO_CHILDREN = 2000;

/**
 * Writes the demo exports once (their export date is the day they were made, kept beside them,
 * as a data steward gives it with --export-date): Faxe as DUBU with the mess real exports
 * have, Svendborg as CSC Social, the financial system's lines and the public statistics.
 */
async function ensureDemoExports(data: string): Promise<{ exportDate: string }> {
  const meta = join(data, 'demo', 'demo.json');
  if (existsSync(meta)) return JSON.parse(readFileSync(meta, 'utf8'));
  const exportDate = copenhagenDate(new Date());
  const year = Number(exportDate.slice(0, 4));
  const demo = (name: string) => join(data, 'demo', name);
  await generateDubuExport(demo(`dubu-${DEMO_MUNICIPALITY}`), {
    municipalityCode: DEMO_MUNICIPALITY,
    seed: 320,
    children: DEMO_CHILDREN,
    firstYear: year - 4,
    exportDate,
    messy: true,
  });
  const cscSource = demo(`dubu-${DEMO_CSC_MUNICIPALITY}-source`);
  await generateDubuExport(cscSource, {
    municipalityCode: DEMO_CSC_MUNICIPALITY,
    seed: 479,
    children: 2600,
    firstYear: year - 4,
    exportDate,
    messy: false,
  });
  await dubuToCsc(cscSource, demo(`csc-${DEMO_CSC_MUNICIPALITY}`));
  generateEconomy(demo('economy'), { municipalities: [DEMO_MUNICIPALITY, DEMO_CSC_MUNICIPALITY], exportDate, seed: 5 });
  generateStatistics(demo('statistics'), { lastYear: year - 1, years: 6, seed: 98 });
  writeFileSync(meta, JSON.stringify({ exportDate }));
  console.log(`Demo exports written to ${demo('')}`);
  return { exportDate };
}

async function main(): Promise<void> {
  // A given database is checked (TLS to another machine, ADR 0092) before the first connection.
  let databaseUrl = ENV.DATABASE_URL ? exitOnConfigError(() => databaseUrlFromEnv()) : undefined;
  if (databaseUrl) {
    // Checked before anything is written (not even a migration): refused means untouched.
    const refused = await demoRefusal(databaseUrl, ENV.DEMO || process.argv.includes('--demo'));
    if (refused) {
      console.error(refused);
      process.exit(1);
    }
  }
  const secrets = localSecrets(join(DATA, 'secrets.json'));
  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  let server: RunningServer | undefined;
  // Ctrl+C / SIGTERM / a closed terminal (from the start, so the embedded database is never left
  // running): the API finishes the requests in flight and the worker its job (main.ts, serve),
  // then the database stops, then exit 0. A second Ctrl+C does not wait for them: the database
  // stops at once (what is not committed is rolled back) and the exit code is 1.
  let stopping = false;
  const stop = async () => {
    if (stopping) {
      console.log('Stopper med det samme.');
      await embedded?.stop().catch(() => undefined);
      process.exit(1);
    }
    stopping = true;
    console.log('Stopper: igangværende forespørgsler og import gøres færdige (Ctrl+C igen: stop med det samme).');
    await server?.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop());
  // Stopping the database tells every connection still open (a library's listener) it is being
  // terminated (57P01): expected then, and no reason to print a crash.
  process.on('uncaughtException', (error: Error & { code?: string }) => {
    if (stopping && error.code === '57P01') return;
    console.error(error);
    process.exit(1);
  });
  if (!databaseUrl) {
    const port = ENV.EMBEDDED_PG_PORT;
    embedded = await startEmbeddedPostgres(DATA, port, secrets.databasePassword);
    databaseUrl = embedded.url;
    console.log(`Embedded PostgreSQL on 127.0.0.1:${port} (data in ${DATA})`);
  }
  // The API and the workers in this one process (ADR 0097), before anything is written; a refusal
  // stops the embedded database first. (The primary only: a standby's URL is checked for TLS with
  // the rest of the configuration, below, before anything connects to it.)
  await exitWithoutConnectionRoom(
    { api: 1, workers: ENV.RUN_WORKER ? 1 : 0, queueOnPostgres: !ENV.REDIS_URL },
    { primary: databaseUrl },
    ENV.DB_CONNECT_TIMEOUT_MS,
    (warning) => console.warn(warning),
    async () => embedded?.stop().catch(() => undefined),
  );
  const applied = await migrate(databaseUrl);
  if (applied.length) console.log(`Migrations applied: ${applied.join(', ')}`);

  // The embedded default's own secrets unless given; a given one is checked like anywhere else.
  // The OpenAPI description is public here (a local demo) unless API_DOCS says otherwise.
  const config = exitOnConfigError(() =>
    configFromEnv(undefined, {
      databaseUrl,
      pseudonymSecret: ENV.PSEUDONYM_SECRET ?? secrets.pseudonymSecret,
      jwtSecret: ENV.JWT_SECRET ?? secrets.jwtSecret,
      apiDocs: ENV.API_DOCS ?? 'public',
      // The embedded default keeps uploads beside its data (private, 0700).
      uploadDir: ENV.UPLOAD_DIR ?? join(DATA, 'uploads'),
      // A demo with well-known passwords (admin/demo is a product administrator): this machine only,
      // unless API_HOST says otherwise.
      host: ENV.API_HOST ?? '127.0.0.1',
      // Its demo logins (admin/demo among them) need no one-time code (ADR 0116).
      demoUsers: true,
    }),
  );
  const reports = exitOnConfigError(() => reportsConfigFromEnv());
  config.webDist = await ensureWebBuilt(ROOT);
  // The ETL and reports workers run in this process beside the API (RUN_WORKER, default on).
  server = await serve(config, config.runWorker ? { companion: () => startWorkers(config, reports) } : {});

  // Demo data goes through the real ETL as a queued job, like a data steward's import.
  const { exportDate } = await ensureDemoExports(DATA);
  const imports: [EtlJobData['source'], string, string?][] = [
    ['statistics', join(DATA, 'demo', 'statistics')],
    ['economy', join(DATA, 'demo', 'economy')],
    ['dubu', join(DATA, 'demo', `dubu-${DEMO_MUNICIPALITY}`), exportDate],
    ['csc', join(DATA, 'demo', `csc-${DEMO_CSC_MUNICIPALITY}`), exportDate],
  ];
  for (const [source, dir, date] of imports) {
    // Demo data goes through the real ETL as a queued job, like a data steward's import.
    const result = await importViaQueue(config, { source, dir, exportDate: date, requestedBy: DEMO_IMPORTER });
    // In catalogue order: a job's result comes back through the queue's storage, which may reorder keys.
    const loaded = ENTITY_NAMES.filter((e) => e in result.loaded)
      .map((e) => `${e} ${result.loaded[e]}`)
      .join(', ');
    console.log(
      `Demo import ${result.importId} (${source}): ${loaded}; ${result.rejectedCount} rows rejected, ${result.warningCount} warnings (see Datakvalitet).`,
    );
  }

  const pool = new Pool({ connectionString: databaseUrl, max: 1, application_name: APPLICATION_NAME.start });
  try {
    const { rows } = await pool.query(
      `SELECT team FROM caseworker WHERE municipality_code = $1 AND team IS NOT NULL GROUP BY team ORDER BY count(*) DESC, team LIMIT 1`,
      [DEMO_MUNICIPALITY],
    );
    const team = rows[0]?.team as string | undefined;
    for (const role of ['udvalg', 'chef', 'teamleder', 'admin'] as const) {
      // A team leader needs a team (users.ts); demo data without teams has no demo team leader.
      if (role === 'teamleder' && !team) continue;
      await addUser(pool, {
        username: role,
        password: 'demo',
        role,
        municipality: role === 'admin' ? null : DEMO_MUNICIPALITY,
        teams: role === 'teamleder' && team ? [team] : [],
        demo: true,
      });
    }
    await seedDemoGoals(pool, DEMO_MUNICIPALITY, exportDate.slice(0, 4));
    // Case reviews in both demo municipalities, drawn at the export date.
    for (const m of [DEMO_MUNICIPALITY, DEMO_CSC_MUNICIPALITY]) await seedDemoReviews(pool, m, exportDate);
  } finally {
    await pool.end();
  }

  console.log('');
  console.log(`Børneblik kører på ${server.url}`);
  console.log(`  API: ${server.url}/api/v1${config.apiDocs === 'public' ? `   OpenAPI: ${server.url}/api/docs` : ''}`);
  console.log('  Demo-logins (adgangskode "demo"): udvalg, chef, teamleder, admin');
  console.log('  Stop med Ctrl+C.');
}

main().catch((error) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
