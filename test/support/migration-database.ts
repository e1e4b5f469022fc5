import { randomBytes } from 'crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '@bu/db';
import { TEST_SERVER_URL } from './database';

// A database of its own for testing one migration: migrated up to just before it, then up through
// it and back (`through`), with a client for rows and checks.

type Migration = (typeof MIGRATIONS)[number];

export interface MigrationDatabase {
  db: Client;
  /** Runs the migration (and any before it not yet run). */
  up(): Promise<void>;
  /** Undoes the migration. */
  down(): Promise<void>;
  drop(): Promise<void>;
}

export async function migrationDatabase(prefix: string, migration: Migration): Promise<MigrationDatabase> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${name}`;
  const upTo = MIGRATIONS.indexOf(migration);
  const source = (migrations: Migration[]) =>
    new DataSource({ type: 'postgres', url: url.toString(), migrations, migrationsTransactionMode: 'each', logging: ['error'] });
  const admin = new Client({ connectionString: TEST_SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const before = await source(MIGRATIONS.slice(0, upTo)).initialize();
  await before.runMigrations();
  await before.destroy();
  const db = new Client({ connectionString: url.toString() });
  await db.connect();
  const through = async (run: (ds: DataSource) => Promise<unknown>) => {
    const ds = await source(MIGRATIONS.slice(0, upTo + 1)).initialize();
    await run(ds);
    await ds.destroy();
  };
  return {
    db,
    up: () => through((ds) => ds.runMigrations()),
    down: () => through((ds) => ds.undoLastMigration()),
    async drop() {
      await db.end();
      const c = new Client({ connectionString: TEST_SERVER_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
