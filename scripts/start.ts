// npm start — the embedded default: a fresh clone runs with no Docker and no services.
// Embedded PostgreSQL (or DATABASE_URL), migrations, demo exports through the real ETL on
// BullMQ (PostgreSQL backend, or Redis with REDIS_URL), demo users, API and dashboard.
import { existsSync, readFileSync, writeFileSync } from 'fs';
import { join, resolve } from 'path';
import { Pool } from 'pg';
import { migrate } from '@bu/db';
import { copenhagenDate } from '@bu/domain';
import { configFromEnv } from '../apps/api/src/config';
import { serve } from '../apps/api/src/main';
import { generateDubuExport } from './demo/generate-dubu';
import { ensureWebBuilt } from './lib/build-web';
import { startEmbeddedPostgres } from './lib/embedded-postgres';
import { importViaQueue } from './lib/import-via-queue';
import { localSecrets } from './lib/secrets';
import { addUser } from './lib/users';

const ROOT = resolve(__dirname, '..');
const DATA = resolve(process.env.DATA_DIR ?? join(ROOT, '.data'));
const DEMO_MUNICIPALITY = 461; // Odense
const DEMO_CHILDREN = 600;

async function main(): Promise<void> {
  const secrets = localSecrets(join(DATA, 'secrets.json'));
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const port = Number(process.env.EMBEDDED_PG_PORT ?? 54329);
    databaseUrl = (await startEmbeddedPostgres(DATA, port, secrets.databasePassword)).url;
    console.log(`Embedded PostgreSQL on 127.0.0.1:${port} (data in ${DATA})`);
  }
  const applied = await migrate(databaseUrl);
  if (applied.length) console.log(`Migrations applied: ${applied.join(', ')}`);

  const config = configFromEnv(
    { ...process.env, PSEUDONYM_SECRET: process.env.PSEUDONYM_SECRET ?? secrets.pseudonymSecret, JWT_SECRET: process.env.JWT_SECRET ?? secrets.jwtSecret },
    { databaseUrl, webDist: await ensureWebBuilt(ROOT) },
  );
  const server = await serve(config);

  // Demo data goes through the real ETL as a queued job, like a data steward's import.
  // The export date goes with the export, as a data steward gives it with --export-date.
  const demoDir = join(DATA, 'demo', `dubu-${DEMO_MUNICIPALITY}`);
  const demoMeta = `${demoDir}.json`;
  if (!existsSync(demoMeta)) {
    const exportDate = copenhagenDate(new Date());
    const year = Number(exportDate.slice(0, 4));
    await generateDubuExport(demoDir, { municipalityCode: DEMO_MUNICIPALITY, seed: 461, children: DEMO_CHILDREN, firstYear: year - 4, exportDate, messy: true });
    writeFileSync(demoMeta, JSON.stringify({ exportDate }));
    console.log(`Demo export written to ${demoDir}`);
  }
  const { exportDate } = JSON.parse(readFileSync(demoMeta, 'utf8'));
  const result = await importViaQueue(config, { source: 'dubu', dir: demoDir, exportDate, requestedBy: 'npm start' });
  const loaded = Object.entries(result.loaded).map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(`Demo import ${result.importId}: ${loaded}; ${result.rejected.length} rows rejected, ${result.warnings.length} warnings (see Datakvalitet).`);

  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const { rows } = await pool.query(
      `SELECT team FROM caseworker WHERE municipality_code = $1 AND team IS NOT NULL GROUP BY team ORDER BY count(*) DESC, team LIMIT 1`,
      [DEMO_MUNICIPALITY],
    );
    const team = rows[0]?.team as string | undefined;
    for (const role of ['udvalg', 'chef', 'teamleder', 'admin'] as const) {
      await addUser(pool, {
        username: role,
        password: 'demo',
        role,
        municipality: role === 'admin' ? null : DEMO_MUNICIPALITY,
        teams: role === 'teamleder' && team ? [team] : [],
        demo: true,
      });
    }
  } finally {
    await pool.end();
  }

  console.log('');
  console.log(`Børneblik kører på ${server.url}`);
  console.log(`  API: ${server.url}/api/v1   OpenAPI: ${server.url}/api/docs`);
  console.log('  Demo-logins (adgangskode "demo"): udvalg, chef, teamleder, admin');
  console.log('  Stop med Ctrl+C.');
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exit(1);
});
