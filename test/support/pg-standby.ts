import { spawnSync } from 'child_process';
import { appendFileSync, chownSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { binDir, freePort, serverOwner, writeServerFile, type PgCluster } from './pg-cluster';

// A streaming-replication standby of a test's own cluster (test/support/pg-cluster.ts): a base
// backup (pg_basebackup -R) in a temporary folder, started on a free port as a hot standby, its
// replay held back by recovery_min_apply_delay. Never of the shared server at 5432.

export interface PgStandby {
  port: number;
  /** postgres://boerneblik@127.0.0.1:<port>/boerneblik, read-only. */
  url: string;
  /** Stops the server (fast shutdown), keeping its folder. */
  stop(): void;
  destroy(): void;
}

/**
 * `tls`: the standby reaches the primary over TLS that checks its certificate and name
 * (sslmode=verify-full against `rootcert`), with a client certificate when given; written into its
 * primary_conninfo by pg_basebackup -R, as docker/pg-standby-init.sh does.
 */
export async function startStandby(
  primary: PgCluster,
  applyDelay: string,
  options: { tls?: { rootcert: string; cert?: string; key?: string } } = {},
): Promise<PgStandby> {
  const bin = binDir();
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'bu-pgstandby-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const owner = serverOwner();
  if (owner) chownSync(dir, owner.uid, owner.gid);
  // The TLS files beside the data folder, the server's user's own (libpq reads a key only if so).
  const tlsFile = (name: string, text: string) => writeServerFile(join(dir, name), text, owner);
  const tls = options.tls;
  const conninfo = [
    `host=127.0.0.1 port=${primary.port} user=boerneblik`,
    ...(tls ? [`sslmode=verify-full sslrootcert=${tlsFile('root.crt', tls.rootcert)}`] : []),
    ...(tls?.cert && tls.key ? [`sslcert=${tlsFile('client.crt', tls.cert)} sslkey=${tlsFile('client.key', tls.key)}`] : []),
  ].join(' ');
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = root ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] : [join(bin, cmd), args];
    const r = spawnSync(file, argv, { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
  };
  // -R writes standby.signal and primary_conninfo; -X stream brings the WAL of the backup along; a
  // fast checkpoint starts it at once (a spread one waits minutes).
  run('pg_basebackup', ['-d', conninfo, '-D', data, '-R', '-X', 'stream', '--checkpoint=fast', '--no-sync']);
  appendFileSync(join(data, 'postgresql.auto.conf'), `recovery_min_apply_delay = '${applyDelay}'\nhot_standby = on\n`);
  const port = await freePort();
  const serverOptions = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c fsync=off -c timezone=Europe/Copenhagen`;
  run('pg_ctl', ['-D', data, '-o', serverOptions, '-l', log, '-w', '-t', '120', 'start']);
  return {
    port,
    url: `postgres://boerneblik@127.0.0.1:${port}/boerneblik`,
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
}
