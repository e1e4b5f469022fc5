import { Client } from 'pg';
import { APPLICATION_NAME } from '@bu/config';
import { MIGRATIONS } from './migrations';

/**
 * The migrations not yet applied to the database at `url`, read from TypeORM's `migrations` table
 * without loading TypeORM (half a second of a CLI's start): `migrate` only when this is not empty.
 */
export async function pendingMigrations(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url, application_name: APPLICATION_NAME.migrate });
  await client.connect();
  try {
    // As TypeORM finds it: on the search path.
    const { rows } = await client.query(`SELECT to_regclass('migrations') IS NOT NULL AS present`);
    const applied = new Set<string>(rows[0].present ? (await client.query('SELECT name FROM migrations')).rows.map((r) => r.name) : []);
    return MIGRATIONS.map((migration) => new migration().name).filter((name) => !applied.has(name));
  } finally {
    await client.end();
  }
}
