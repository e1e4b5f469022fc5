import type { INestApplication } from '@nestjs/common';
import { spawnSync } from 'child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { Client, Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrlProblem } from '@bu/config';
import { migrateImportAndAnswer } from '../support/product-roundtrip';
import { startPgCluster, type PgCluster } from '../support/pg-cluster';
import { startStandby, type PgStandby } from '../support/pg-standby';
import { certificateAuthority, clientCertificate, serverCertificate } from '../support/tls';

// ADR 0096: a database server that takes only clients with a certificate its CA signed (pg_hba:
// cert, the certificate naming the user), as a security officer may ask of a shared national
// database. The product's processes give theirs in DATABASE_URL (sslcert, sslkey): the
// migrations, an import and its staging thread, the API, and the backup's pg_dump. A client
// without one, or with one another CA signed, is refused by the server; a key file others may
// read, or a certificate without its key, is refused at start.

const ROOT = resolve(__dirname, '../..');

describe('the database that takes only clients with a certificate', () => {
  let cluster: PgCluster;
  let pool: Pool;
  let app: INestApplication;
  let dir: string;
  let url: string;
  let verified: string;
  let server: ReturnType<typeof serverCertificate>;
  let own: ReturnType<typeof clientCertificate>;
  let standby: PgStandby | undefined;

  beforeAll(async () => {
    server = serverCertificate(['127.0.0.1']);
    const ca = certificateAuthority();
    own = clientCertificate(ca, 'boerneblik');
    const foreign = clientCertificate(certificateAuthority('Other CA'), 'boerneblik');
    dir = mkdtempSync(join(tmpdir(), 'bu-dbcert-'));
    const file = (name: string, text: string) => {
      writeFileSync(join(dir, name), text, { mode: 0o600 });
      chmodSync(join(dir, name), 0o600);
    };
    file('ca.crt', server.cert);
    file('client.crt', own.cert);
    file('client.key', own.key);
    file('foreign.crt', foreign.cert);
    file('foreign.key', foreign.key);
    cluster = await startPgCluster({ tls: server, clients: { ca: ca.cert, admin: own } });
    verified = `${cluster.url}?sslmode=verify-full&sslrootcert=${join(dir, 'ca.crt')}`;
    url = `${verified}&sslcert=${join(dir, 'client.crt')}&sslkey=${join(dir, 'client.key')}`;
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await pool?.end();
    standby?.destroy();
    cluster?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a client without a certificate, or with one another CA signed', async () => {
    const without = new Client({ connectionString: verified });
    await expect(without.connect()).rejects.toThrow(/requires a valid client certificate/);
    const foreign = new Client({ connectionString: `${verified}&sslcert=${join(dir, 'foreign.crt')}&sslkey=${join(dir, 'foreign.key')}` });
    await expect(foreign.connect()).rejects.toThrow(/unknown ca/);
  });

  it('migrates, imports and answers with its certificate, and backs up with pg_dump', async () => {
    ({ pool, app } = await migrateImportAndAnswer(url));
    // Every connection open now came with the certificate the CA signed for the user.
    const { rows } = await pool.query(
      `SELECT count(*)::int AS connections, count(*) FILTER (WHERE s.client_dn IS DISTINCT FROM '/CN=boerneblik')::int AS other
       FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.backend_type = 'client backend'`,
    );
    expect(rows[0].connections).toBeGreaterThanOrEqual(3);
    expect(rows[0].other).toBe(0);

    // The backup: pg_dump is handed the certificate and key as libpq's variables.
    const backup = join(dir, 'backup.dump');
    const dump = spawnSync(process.execPath, ['tools/run.js', 'scripts/admin.ts', 'backup', backup], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: url },
      timeout: 120_000,
    });
    expect(dump.status, dump.stderr + dump.stdout).toBe(0);
    expect(existsSync(backup) && statSync(backup).size).toBeGreaterThan(10_000);
  }, 180_000);

  it("streams to a standby over the same TLS, the standby's certificate checked too", async () => {
    // The primary takes replication only as it takes the rest: TLS, and a certificate its CA signed.
    await expect(startStandby(cluster, '0s')).rejects.toThrow(/no encryption|requires a valid client certificate/);
    standby = await startStandby(cluster, '0s', { tls: { rootcert: server.cert, cert: own.cert, key: own.key } });
    // The standby accepts connections before its WAL receiver has reached the primary: wait for it.
    const replication = async () =>
      (await pool.query(`SELECT r.state, s.ssl, s.client_dn FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid)`)).rows;
    let rows = await replication();
    for (let i = 0; i < 150 && rows[0]?.state !== 'streaming'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      rows = await replication();
    }
    expect(rows).toEqual([{ state: 'streaming', ssl: true, client_dn: '/CN=boerneblik' }]);
    // A commit on the primary reaches the standby over it.
    await pool.query(`CREATE TABLE replicated (n int); INSERT INTO replicated VALUES (42)`);
    // The standby is a copy of the primary: it takes the same TLS and certificates.
    const reader = new Client({ connectionString: url.replace(`:${cluster.port}/`, `:${standby.port}/`) });
    await reader.connect();
    try {
      let seen: number | null = null;
      for (let i = 0; i < 100 && seen === null; i++) {
        seen = (await reader.query(`SELECT n FROM replicated`).catch(() => ({ rows: [] as { n: number }[] }))).rows[0]?.n ?? null;
        if (seen === null) await new Promise((r) => setTimeout(r, 100));
      }
      expect(seen).toBe(42);
    } finally {
      await reader.end();
    }
  }, 120_000);

  it('refuses at start a key others may read, or a certificate without its key, in Danish', () => {
    const key = join(dir, 'readable.key');
    writeFileSync(key, 'not used');
    chmodSync(key, 0o644);
    const readable = `${verified}&sslcert=${join(dir, 'client.crt')}&sslkey=${key}`;
    expect(databaseUrlProblem('DATABASE_URL', readable, true)).toBe(
      `DATABASE_URL: nøglefilen ${key} må kun kunne læses af sin ejer (chmod 600 ${key}).`,
    );
    expect(databaseUrlProblem('DATABASE_URL', `${verified}&sslcert=${join(dir, 'client.crt')}`, true)).toBe(
      'DATABASE_URL: et klientcertifikat skal angives med både sslcert (certifikatet) og sslkey (dets nøgle).',
    );
    expect(databaseUrlProblem('DATABASE_URL', url, true)).toBeNull();
    // Given twice, every value is checked (pg reads the last); a folder is not a key.
    expect(databaseUrlProblem('DATABASE_URL', `${url}&sslkey=${key}`, true)).toMatch(/nøglefilen .* må kun kunne læses af sin ejer/);
    expect(databaseUrlProblem('DATABASE_URL', `${verified}&sslcert=${join(dir, 'client.crt')}&sslkey=${dir}`, true)).toBe(
      `DATABASE_URL: sslkey-filen ${dir} er ikke en fil.`,
    );
    // The migrations as they are run in production: they do not start, and say why.
    const run = spawnSync(process.execPath, ['tools/run.js', 'scripts/migrate.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: readable },
      timeout: 60_000,
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr + run.stdout).toContain(`nøglefilen ${key} må kun kunne læses af sin ejer`);
  });
});
