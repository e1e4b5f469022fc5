import type { INestApplication } from '@nestjs/common';
import { spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Client, Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '@bu/db';
import { importDubu } from '@bu/etl';
import { TEST_SECRET } from '../support/database';
import { FIXTURES } from '../support/fixtures';
import { migrateImportAndAnswer } from '../support/product-roundtrip';
import { startPgCluster, type PgCluster } from '../support/pg-cluster';
import { oneJobThrough } from '../support/queue-roundtrip';
import { serverCertificate } from '../support/tls';

// ADR 0092: a database on another machine is reached over TLS that checks the server's certificate
// and name (sslmode=verify-full). A server of this test's own that refuses every connection without
// TLS (pg_hba: hostssl only), its certificate made for 127.0.0.1 and self-signed: the migrations,
// an import (its staging thread too), the API's pool and its KPI cache's listener all work over it,
// and a server whose certificate another CA signed, or made for another name, is refused.

describe('the database over verified TLS', () => {
  let cluster: PgCluster;
  let pool: Pool;
  let app: INestApplication;
  let dir: string;
  let url: string;
  const other = serverCertificate(['127.0.0.1']);

  beforeAll(async () => {
    const certificate = serverCertificate(['127.0.0.1']);
    dir = mkdtempSync(join(tmpdir(), 'bu-dbtls-'));
    writeFileSync(join(dir, 'ca.crt'), certificate.cert);
    writeFileSync(join(dir, 'other-ca.crt'), other.cert);
    cluster = await startPgCluster({ tls: certificate });
    url = `${cluster.url}?sslmode=verify-full&sslrootcert=${join(dir, 'ca.crt')}`;
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await pool?.end();
    cluster?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a connection without TLS: the server of this test takes only TLS', async () => {
    const plain = new Client({ connectionString: `${cluster.url}?sslmode=disable` });
    await expect(plain.connect()).rejects.toThrow(/no encryption/);
  });

  it('migrates, imports and answers over TLS, every connection of the product encrypted', async () => {
    ({ pool, app } = await migrateImportAndAnswer(url));

    // Every client connection open now (this pool's, the API's pool and its listener) is encrypted.
    const { rows } = await pool.query(
      `SELECT count(*)::int AS connections, count(*) FILTER (WHERE NOT s.ssl)::int AS plain, min(s.version) AS tls
       FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.backend_type = 'client backend'`,
    );
    expect(rows[0].connections).toBeGreaterThanOrEqual(3);
    expect(rows[0].plain).toBe(0);
    expect(rows[0].tls).toMatch(/^TLSv1\.[23]$/);
  });

  it("carries the job queue over TLS (BullMQ's PostgreSQL backend, when no Redis is set)", async () => {
    expect(await oneJobThrough({ databaseUrl: url }, 'tls-test')).toEqual([7]);
  });

  it('refuses a server whose certificate another CA signed, or that was made for another name', async () => {
    const otherCa = new Client({ connectionString: `${cluster.url}?sslmode=verify-full&sslrootcert=${join(dir, 'other-ca.crt')}` });
    await expect(otherCa.connect()).rejects.toThrow(/self[- ]signed certificate|unable to verify/);
    // The same server at 127.0.0.2, which its certificate does not name.
    const otherName = new Client({
      connectionString: `${cluster.url.replace('127.0.0.1', '127.0.0.2')}?sslmode=verify-full&sslrootcert=${join(dir, 'ca.crt')}`,
    });
    await expect(otherName.connect()).rejects.toThrow(/Hostname\/IP does not match certificate's altnames/);
    // The product's own paths with that URL: the migrations, an import and the API's start.
    const wrong = `${cluster.url}?sslmode=verify-full&sslrootcert=${join(dir, 'other-ca.crt')}`;
    await expect(migrate(wrong)).rejects.toThrow(/self[- ]signed certificate/);
    const wrongPool = new Pool({ connectionString: wrong, max: 1 });
    try {
      await expect(
        importDubu(wrongPool, join(FIXTURES, 'dubu-deadlines'), { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' }),
      ).rejects.toThrow(/self[- ]signed certificate/);
    } finally {
      await wrongPool.end();
    }
    // The API as it is started in production: it does not serve, and says why.
    const api = spawnSync(process.execPath, ['tools/run.js', 'scripts/serve.ts', 'api'], {
      env: { ...process.env, DATABASE_URL: wrong, PORT: '0', JWT_SECRET: randomBytes(32).toString('hex'), REDIS_URL: '', RUN_WORKER: '0' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(api.status).not.toBe(0);
    expect(api.stderr + api.stdout).toMatch(/self[- ]signed certificate/);
  });
});
