import { randomBytes } from 'crypto';
import { Client, Pool } from 'pg';
import { migrate } from '@bu/db';

// Integration tests run against a real PostgreSQL: each suite gets its own fresh database.
/** What a test's own connections call themselves: told apart from the product's in pg_stat_activity. */
export const TEST_APPLICATION_NAME = 'boerneblik-test';

export const TEST_SERVER_URL = process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://root@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  pool: Pool;
  drop(): Promise<void>;
}

export async function createTestDatabase(prefix = 'bu_test'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: TEST_SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  await migrate(databaseUrl(name));
  return testDatabase(name, new Pool({ connectionString: databaseUrl(name), max: 5, application_name: TEST_APPLICATION_NAME }));
}

/** The address of a database of the test server. */
export function databaseUrl(name: string): string {
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A database of the test server by name, with its pool, that drops itself. */
export function testDatabase(name: string, pool: Pool): TestDatabase {
  return {
    url: databaseUrl(name),
    pool,
    async drop() {
      await pool.end();
      await dropDatabase(name);
    },
  };
}

/**
 * Drops a test database once the connections that are closing (pools, the queues' listeners) have
 * gone, so FORCE cuts none mid-goodbye: a cut connection without an error listener (inside a
 * library) would fail the test run as an uncaught error. Up to 15 s on a busy machine.
 */
export async function dropDatabase(name: string): Promise<void> {
  const c = new Client({ connectionString: TEST_SERVER_URL });
  await c.connect();
  try {
    for (let i = 0; i < 150; i++) {
      const { rows } = await c.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
      if (rows[0].n === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await c.end();
  }
}

// Fresh per test process: every process refuses a secret written in the repository (@bu/config).
export const TEST_SECRET = randomBytes(24).toString('hex');
export const TEST_JWT_SECRET = randomBytes(24).toString('hex');
