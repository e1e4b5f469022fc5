// npm run bench -- login [rounds]: 20 logins at once, (1) argon2id verify alone for OWASP's
// equivalent cost settings, (2) the API's whole POST /api/v1/auth/login over HTTP at the chosen
// setting (fresh database, in-process API). Prints p95 and worst latency per login over the rounds.
import * as argon2 from 'argon2';
import { randomBytes } from 'crypto';
import { performance } from 'perf_hooks';
import { Client } from 'pg';
import { migrate } from '@bu/db';
import { createApp } from '../apps/api/src/app';
import { PASSWORD_OPTIONS } from '../apps/api/src/auth/password';
import { configFromEnv } from '@bu/config';
import { addUser } from '../scripts/lib/users';
import { Pool } from 'pg';

const SERVER = process.env.BENCH_DATABASE_SERVER_URL ?? 'postgres://root@127.0.0.1:5432/postgres';
const CONCURRENT = 20;

// OWASP's equivalent argon2id settings (Password Storage Cheat Sheet), most memory first.
const CANDIDATES = [
  { memoryCost: 47104, timeCost: 1, parallelism: 1 },
  { memoryCost: 19456, timeCost: 2, parallelism: 1 },
  { memoryCost: 12288, timeCost: 3, parallelism: 1 },
  { memoryCost: 9216, timeCost: 4, parallelism: 1 },
  { memoryCost: 7168, timeCost: 5, parallelism: 1 },
];

const p = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];

/** Runs `one` CONCURRENT times at once, `rounds` times; each call's latency from the round's start, sorted. */
async function rounds(count: number, one: (i: number) => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  for (let r = 0; r < count; r++) {
    const start = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) => one(r * CONCURRENT + i).then(() => latencies.push(performance.now() - start))),
    );
  }
  return latencies.sort((a, b) => a - b);
}

export async function benchLogin(count = 10): Promise<void> {
  console.log(
    `argon2id verify, ${CONCURRENT} at once, ${count} rounds, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}`,
  );
  console.log('memoryCost KiB | timeCost | parallelism | one alone ms | p95 ms | max ms | chosen');
  for (const options of CANDIDATES) {
    const hash = await argon2.hash('correct horse battery', { type: argon2.argon2id, ...options });
    await argon2.verify(hash, 'warm up');
    const t0 = performance.now();
    await argon2.verify(hash, 'correct horse battery');
    const alone = performance.now() - t0;
    const latencies = await rounds(count, () => argon2.verify(hash, 'wrong password 123'));
    const chosen =
      options.memoryCost === PASSWORD_OPTIONS.memoryCost &&
      options.timeCost === PASSWORD_OPTIONS.timeCost &&
      options.parallelism === PASSWORD_OPTIONS.parallelism;
    console.log(
      `${options.memoryCost} | ${options.timeCost} | ${options.parallelism} | ${alone.toFixed(0)} | ${p(latencies, 0.95).toFixed(0)} | ${latencies[latencies.length - 1].toFixed(0)} | ${chosen ? 'yes' : ''}`,
    );
  }
  await benchHttpLogin(count);
}

async function benchHttpLogin(count: number): Promise<void> {
  const name = `bench_login_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  try {
    await migrate(url.toString());
    const pool = new Pool({ connectionString: url.toString() });
    await addUser(pool, { username: 'bench', password: 'bench-password-123', role: 'chef', municipality: 461 }).finally(() => pool.end());
    const app = await createApp(
      configFromEnv(
        {},
        {
          databaseUrl: url.toString(),
          pseudonymSecret: randomBytes(24).toString('hex'),
          jwtSecret: randomBytes(32).toString('hex'),
          runWorker: false,
          webDist: 'dist/none',
        },
      ),
      { logger: false },
    );
    await app.listen(0, '127.0.0.1');
    const base = await app.getUrl();
    try {
      // Each login from its own forwarded address (the proxy's X-Forwarded-For), as 20 people at once.
      const loginOnce = (i: number) =>
        fetch(`${base}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': `10.1.${i >> 8}.${i & 255}` },
          body: JSON.stringify({ username: 'bench', password: 'bench-password-123' }),
        }).then((r) => {
          if (r.status !== 200) throw new Error(`login: ${r.status}`);
        });
      await loginOnce(65000);
      const latencies = await rounds(count, loginOnce);
      console.log(
        `\nPOST /api/v1/auth/login over HTTP, ${CONCURRENT} at once, ${count} rounds, m=${PASSWORD_OPTIONS.memoryCost} t=${PASSWORD_OPTIONS.timeCost} p=${PASSWORD_OPTIONS.parallelism}: p50 ${p(latencies, 0.5).toFixed(0)} ms, p95 ${p(latencies, 0.95).toFixed(0)} ms, max ${latencies[latencies.length - 1].toFixed(0)} ms`,
      );
    } finally {
      await app.close();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}
