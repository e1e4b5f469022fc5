import { spawn, type ChildProcess } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import IORedis, { type RedisOptions } from 'ioredis';
import { tmpdir } from 'os';
import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/pg-cluster';
import { oneJobThrough } from '../support/queue-roundtrip';
import { serverCertificate } from '../support/tls';

// ADR 0093: Redis on another machine is reached over TLS (rediss://) that checks the server's
// certificate against REDIS_TLS_CA_FILE and its name against the host. A Redis of this test's own
// that speaks TLS only (no plain port), its certificate made for 127.0.0.1 and self-signed: the
// job queue works over it with the CA, and not in clear text, nor with another CA, nor at an
// address the certificate does not name.

describe('the job queue on Redis over verified TLS', () => {
  let redis: ChildProcess;
  let dir: string;
  let port: number;
  const caFile = () => join(dir, 'ca.crt');
  /** One connection attempt, no retries: how it ends. */
  const tryConnect = async (url: string, options: RedisOptions = {}) => {
    const client = new IORedis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, ...options });
    // The cause (a TLS error) comes as an event; the promise only says the connection closed.
    const errors: Error[] = [];
    client.on('error', (e: Error) => errors.push(e));
    try {
      await client.connect();
      return await client.ping();
    } catch (error) {
      throw errors[0] ?? error;
    } finally {
      client.disconnect();
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bu-redistls-'));
    const certificate = serverCertificate(['127.0.0.1']);
    writeFileSync(join(dir, 'tls.crt'), certificate.cert);
    writeFileSync(join(dir, 'tls.key'), certificate.key, { mode: 0o600 });
    writeFileSync(caFile(), certificate.cert);
    writeFileSync(join(dir, 'other-ca.crt'), serverCertificate(['127.0.0.1']).cert);
    port = await freePort();
    redis = spawn(
      'redis-server',
      ['--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1', '127.0.0.2', '--tls-cert-file', join(dir, 'tls.crt')].concat([
        '--tls-key-file',
        join(dir, 'tls.key'),
        '--tls-ca-cert-file',
        caFile(),
        '--tls-auth-clients',
        'no',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
      ]),
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${output}`)), 20_000);
      redis.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      redis.on('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
    });
  }, 60_000);
  afterAll(() => {
    redis?.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs a job through BullMQ on Redis over TLS, the server checked against REDIS_TLS_CA_FILE', async () => {
    const config = { databaseUrl: 'postgres://unused@127.0.0.1/unused', redisUrl: `rediss://127.0.0.1:${port}`, redisTlsCaFile: caFile() };
    expect(await oneJobThrough(config, 'tls-test')).toEqual([7]);
  });

  // The connection's TLS options as libs/queue makes them from REDIS_URL and REDIS_TLS_CA_FILE.
  it('refuses clear text, another CA and an address the certificate does not name', async () => {
    const ca = readFileSync(caFile(), 'utf8');
    await expect(tryConnect(`rediss://127.0.0.1:${port}`, { tls: { ca } })).resolves.toBe('PONG');
    // The TLS port does not speak clear text.
    await expect(tryConnect(`redis://127.0.0.1:${port}`)).rejects.toThrow();
    const other = readFileSync(join(dir, 'other-ca.crt'), 'utf8');
    await expect(tryConnect(`rediss://127.0.0.1:${port}`, { tls: { ca: other } })).rejects.toThrow(/self[- ]signed certificate/);
    await expect(tryConnect(`rediss://127.0.0.2:${port}`, { tls: { ca } })).rejects.toThrow(
      /Hostname\/IP does not match certificate's altnames/,
    );
    // Without a CA file, the system's CAs: a self-signed server is refused.
    await expect(tryConnect(`rediss://127.0.0.1:${port}`)).rejects.toThrow(/self[- ]signed certificate/);
  });
});
