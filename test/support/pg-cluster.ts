import { execFileSync, spawnSync } from 'child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { createServer } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { Client } from 'pg';
import type { ServerCertificate } from './tls';

// A PostgreSQL cluster of a test's own (initdb/pg_ctl in a temporary folder, on a free port), to
// stop and start under a running product. As root, the server runs as the 'postgres' system user
// (initdb refuses root), like scripts/lib/embedded-postgres.ts.

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** As root, a test server's files are the 'postgres' system user's (initdb refuses root): its ids; else null. */
export function serverOwner(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  return {
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
  };
}

/**
 * A file of a test server's (its key and certificates), readable by its user only (0600, as the
 * server and libpq ask of a key) and, as root, that user's.
 */
export function writeServerFile(path: string, text: string, owner: { uid: number; gid: number } | null): string {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
  if (owner) chownSync(path, owner.uid, owner.gid);
  return path;
}

export function binDir(): string {
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    if (existsSync(join(dir, 'pg_ctl'))) return dir;
  } catch {
    // no pg_config: look in the Debian layout
  }
  const found = spawnSync('sh', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1'], { encoding: 'utf8' }).stdout.trim();
  if (!found) throw new Error('PostgreSQL binaries not found (pg_config --bindir, /usr/lib/postgresql/*/bin)');
  return found;
}

export interface PgCluster {
  port: number;
  /** postgres://boerneblik@127.0.0.1:<port>/boerneblik (trust authentication, local only). */
  url: string;
  stop(): void;
  start(): void;
  destroy(): void;
}

/**
 * `tls`: the server speaks TLS with this certificate and refuses every connection without it,
 * replication too (pg_hba: hostssl only), as a database on another machine should. `clients`: it also takes only
 * clients with a certificate this CA signed, for the user their certificate names (pg_hba: cert);
 * `admin` is one for the cluster's user, to make the database with.
 */
export async function startPgCluster(
  options: {
    tls?: ServerCertificate;
    clients?: { ca: string; admin: ServerCertificate };
    /** Server settings besides this helper's own (`-c name=value`), e.g. max_connections. */
    settings?: Record<string, string | number>;
  } = {},
): Promise<PgCluster> {
  const bin = binDir();
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'bu-pgcluster-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const owner = serverOwner();
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = root ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] : [join(bin, cmd), args];
    const r = spawnSync(file, argv, { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
  };
  run('initdb', ['-D', data, '-U', 'boerneblik', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  if (options.tls) {
    for (const [file, text] of [
      ['server.crt', options.tls.cert],
      ['server.key', options.tls.key],
      ...(options.clients ? [['root.crt', options.clients.ca]] : []),
    ]) {
      writeServerFile(join(data, file), text, owner);
    }
    appendFileSync(
      join(data, 'postgresql.conf'),
      `\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n${options.clients ? "ssl_ca_file = 'root.crt'\n" : ''}`,
    );
    writeFileSync(
      join(data, 'pg_hba.conf'),
      ['all', 'replication']
        .map((db) => `hostssl ${db} all 127.0.0.0/8 ${options.clients ? 'cert' : 'trust'}\nhostnossl ${db} all 127.0.0.0/8 reject\n`)
        .join(''),
    );
  }
  const port = await freePort();
  // With TLS also on 127.0.0.2, an address its certificate does not name.
  const listen = options.tls ? '127.0.0.1,127.0.0.2' : '127.0.0.1';
  const extra = Object.entries(options.settings ?? {})
    .map(([name, value]) => ` -c ${name}=${value}`)
    .join('');
  const serverOptions = `-p ${port} -c listen_addresses=${listen} -c unix_socket_directories= -c fsync=off -c timezone=Europe/Copenhagen${extra}`;
  const cluster: PgCluster = {
    port,
    url: `postgres://boerneblik@127.0.0.1:${port}/boerneblik`,
    start: () => run('pg_ctl', ['-D', data, '-o', serverOptions, '-l', log, '-w', '-t', '120', 'start']),
    stop: () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '120', 'stop']),
    destroy: () => {
      spawnSync(
        root ? 'runuser' : join(bin, 'pg_ctl'),
        root
          ? ['-u', 'postgres', '--', join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', 'stop']
          : ['-D', data, '-m', 'immediate', 'stop'],
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
  cluster.start();
  const admin = new Client({
    connectionString: `postgres://boerneblik@127.0.0.1:${port}/postgres`,
    ...(options.tls ? { ssl: { ca: options.tls.cert, ...(options.clients ? options.clients.admin : {}) } } : {}),
  });
  await admin.connect();
  await admin.query('CREATE DATABASE boerneblik');
  await admin.end();
  return cluster;
}
