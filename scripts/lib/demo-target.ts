import { Client } from 'pg';
import { APPLICATION_NAME } from '@bu/config';

// `npm start` loads demo municipalities and demo users (password "demo", one national admin).
// On the embedded database that is the point; on a database given by DATABASE_URL it is allowed
// only when asked for explicitly and only when that database holds nothing yet: demo logins in
// a real deployment would let anyone in.

/** Tables that hold what a deployment made (migrations fill only the municipality list and the data version). */
const USER_DATA = [
  'app_user',
  'import_run',
  'person',
  'political_goal',
  'admin_comment',
  'review_round',
  'review_example',
  'comparison_group',
  'drop_folder',
  'setting',
  'audit_log',
];

export const DEMO_REFUSED =
  'npm start lægger demodata og demobrugere med adgangskoden "demo" i databasen: med DATABASE_URL sker det kun i en tom database, og kun når du beder om det med `npm start -- --demo` (eller DEMO=1). Til en rigtig database: npm run serve.';

/**
 * Why demo data may not go into this database, or null when it may: the database is empty (no
 * table at all, or Børneblik's tables without a row of a deployment's data). Reads only.
 */
export async function demoRefusal(databaseUrl: string, asked: boolean): Promise<string | null> {
  if (!asked) return DEMO_REFUSED;
  const client = new Client({ connectionString: databaseUrl, application_name: APPLICATION_NAME.start });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`,
    );
    if (tables.length === 0) return null;
    const names = new Set(tables.map((t) => t.name));
    if (!names.has('migrations') || !names.has('municipality')) {
      return `Databasen i DATABASE_URL er ikke tom og er ikke en Børneblik-database: demodata lægges kun i en tom database. Intet er ændret.`;
    }
    const present = USER_DATA.filter((t) => names.has(t));
    const { rows } = await client.query<{ name: string }>(
      present.map((t) => `SELECT '${t}' AS name WHERE EXISTS (SELECT 1 FROM ${t})`).join(' UNION ALL '),
    );
    if (rows.length > 0) {
      return `Databasen i DATABASE_URL er ikke tom (${rows.map((r) => r.name).join(', ')}): demodata og demobrugere lægges kun i en tom database. Intet er ændret.`;
    }
    return null;
  } finally {
    await client.end();
  }
}
