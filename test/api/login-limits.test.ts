import type { INestApplication } from '@nestjs/common';
import * as argon2 from 'argon2';
import { performance } from 'perf_hooks';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTrustedProxies } from '@bu/config';
import { LIMITS, LoginThrottle } from '../../apps/api/src/auth/login-throttle';
import { addUser } from '../../scripts/lib/users';
import { PASSWORD, seedUsers, startTestApi } from '../support/api';
import { createTestDatabase, TestDatabase } from '../support/database';

// Issue 12, item 8: failed logins are limited per address, per username and per (username,
// address) in PostgreSQL, shared by every API process (two instances on one database here); the
// per-username limit only slows, so an attacker elsewhere cannot lock the user out. Client
// addresses come from X-Forwarded-For of a trusted proxy (loopback by default: supertest).

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** bcryptjs, cost 10, of "gammel-adgangskode-1": a user from before argon2id. */
const LEGACY_BCRYPT = '$2b$10$v0KTRQW6iiOhOZ0g48WTS.Xm6hI/BDWzkim9g3M8DFupYIyEsJhbS';

describe('login limits, shared by API processes', () => {
  let db: TestDatabase;
  let a: INestApplication;
  let b: INestApplication;
  const login = (app: INestApplication, username: string, password: string, ip: string) =>
    request(app.getHttpServer()).post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ username, password });
  const row = async (kind: string, key: string) =>
    (
      await db.pool.query(
        `SELECT failures, extract(epoch FROM next_allowed_at - last_failure_at)::float8 AS wait FROM login_attempt WHERE kind = $1 AND key = $2`,
        [kind, key],
      )
    ).rows[0];

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedUsers(db, 461, 'Team Syd');
    for (const name of ['victim', 'target', 'spread'])
      await addUser(db.pool, { username: name, password: PASSWORD, role: 'chef', municipality: 461 });
    a = await startTestApi(db);
    b = await startTestApi(db);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  it('a burst of guesses sent at once is counted before the passwords are checked: only the free ones are tried', async () => {
    await addUser(db.pool, { username: 'burst', password: PASSWORD, role: 'chef', municipality: 461 });
    const statuses = (
      await Promise.all(Array.from({ length: 25 }, (_, i) => login(i % 2 ? a : b, 'burst', 'forkert-kodeord', '203.0.113.99')))
    ).map((r) => r.status);
    // Every guess waits its turn on the counter: the free five are tried, and on a slow machine one or
    // two more whose doubling wait (1 s, 2 s) ran out before they came; all the others are refused.
    const tried = statuses.filter((s) => s === 401).length;
    expect(tried, `statuses: ${statuses.join(' ')}`).toBeGreaterThanOrEqual(LIMITS.user_ip.free);
    expect(tried).toBeLessThanOrEqual(LIMITS.user_ip.free + 2);
    expect(statuses.filter((s) => s === 429)).toHaveLength(25 - tried);
    expect(await row('user_ip', 'burst|203.0.113.99')).toMatchObject({ failures: tried });
    // A success from another address takes back its own count on that address only.
    await login(a, 'burst', PASSWORD, '198.51.100.99').expect(200);
    expect(await row('ip', '198.51.100.99')).toMatchObject({ failures: 0 });
  });

  it('a guess whose transaction began before four others were counted is still one of the free five', async () => {
    // now() is the transaction's start: the guess that began first but got the row's lock last must
    // not read the others' "allowed from now" as a wait (the burst above failed now and then on it).
    const early = await db.pool.connect();
    try {
      await early.query('BEGIN');
      await early.query('SELECT now()');
      await sleep(20);
      const throttle = new LoginThrottle(async (sql, params) => (await db.pool.query(sql, params)).rows);
      for (let i = 0; i < LIMITS.user_ip.free - 1; i++) await throttle.check('early', '203.0.113.50');
      const late = new LoginThrottle(async (sql, params) => (await early.query(sql, params)).rows);
      await expect(late.check('early', '203.0.113.50')).resolves.toBeUndefined();
      await early.query('COMMIT');
      await expect(throttle.check('early', '203.0.113.50')).rejects.toMatchObject({ status: 429 });
      expect(await row('user_ip', 'early|203.0.113.50')).toMatchObject({ failures: LIMITS.user_ip.free });
    } finally {
      early.release();
    }
  });

  it('per (user, address): 5 failures through one instance block that address in the other (429), with a wait that doubles; the user still gets in from elsewhere', async () => {
    for (let i = 0; i < LIMITS.user_ip.free; i++) await login(i % 2 ? a : b, 'victim', 'forkert-kodeord', '203.0.113.7').expect(401);
    const blocked = await login(b, 'victim', PASSWORD, '203.0.113.7').expect(429);
    expect(blocked.body.message).toBe('For mange mislykkede login-forsøg. Prøv igen om 1 sekund.');
    expect(blocked.headers['retry-after']).toBe('1');
    expect(await row('user_ip', 'victim|203.0.113.7')).toMatchObject({ failures: 5, wait: 1 });
    // The real user, from their own address, is not locked out by the attacker's failures.
    await login(a, 'victim', PASSWORD, '198.51.100.1').expect(200);
    // Exponential back-off: the next failure after the wait waits twice as long, then four times.
    await sleep(1100);
    await login(a, 'victim', 'forkert-kodeord', '203.0.113.7').expect(401);
    expect(await row('user_ip', 'victim|203.0.113.7')).toMatchObject({ failures: 6, wait: 2 });
    await login(b, 'victim', PASSWORD, '203.0.113.7').expect(429);
    await sleep(2100);
    await login(b, 'victim', 'forkert-kodeord', '203.0.113.7').expect(401);
    expect(await row('user_ip', 'victim|203.0.113.7')).toMatchObject({ failures: 7, wait: 4 });
    expect(LIMITS.user_ip.capSeconds).toBeLessThanOrEqual(15 * 60);
  });

  it('per address: many usernames tried from one address block it (password spraying), not other addresses', async () => {
    const tries = Array.from({ length: LIMITS.ip.free }, (_, i) => `ukendt-${i}`);
    for (const name of tries) await login(name.endsWith('0') ? a : b, name, 'forkert-kodeord', '203.0.113.9').expect(401);
    await login(a, 'target', PASSWORD, '203.0.113.9').expect(429);
    await login(b, 'target', PASSWORD, '203.0.113.10').expect(200);
  });

  it('per username from many addresses: slowed, never refused; the real user gets in after a short wait', async () => {
    let start = 0;
    for (let i = 0; i < LIMITS.user.free + 1; i++) {
      // The wait runs from the last guess's failure, so it is timed from before that guess is sent
      // (a busy machine may take a second to answer it).
      start = performance.now();
      await login(i % 2 ? a : b, 'spread', 'forkert-kodeord', `192.0.2.${i + 1}`).expect(401);
    }
    expect(await row('user', 'spread')).toMatchObject({ failures: LIMITS.user.free + 1, wait: 2 });
    await login(a, 'spread', PASSWORD, '198.51.100.2').expect(200);
    const waited = performance.now() - start;
    expect(waited).toBeGreaterThan(1000);
    expect(waited).toBeLessThan(LIMITS.user.capSeconds * 1000 + 2000);
    // A success starts the username's count over.
    expect(await row('user', 'spread')).toBeUndefined();
  });

  it('the store is bounded: rows past the window are pruned by the next failure', async () => {
    await db.pool.query(
      `INSERT INTO login_attempt (kind, key, failures, last_failure_at, next_allowed_at)
       SELECT 'ip', '10.9.' || i, 3, now() - interval '2 hours', now() - interval '2 hours' FROM generate_series(1, 500) i`,
    );
    const fresh = await startTestApi(db); // a process that has not pruned yet
    try {
      await login(fresh, 'ingen', 'forkert-kodeord', '198.51.100.3').expect(401);
    } finally {
      await fresh.close();
    }
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM login_attempt WHERE key LIKE '10.9.%'`);
    expect(rows[0].n).toBe(0);
  });

  it('TRUSTED_PROXIES: without a trusted proxy X-Forwarded-For is ignored, so it cannot dodge the per-address limit', async () => {
    expect(parseTrustedProxies(undefined)).toEqual(['loopback']);
    expect(parseTrustedProxies('none')).toBe(false);
    expect(parseTrustedProxies('10.0.0.0/8, 172.16.0.5')).toEqual(['10.0.0.0/8', '172.16.0.5']);
    await addUser(db.pool, { username: 'direct', password: PASSWORD, role: 'chef', municipality: 461 });
    const app = await startTestApi(db, { trustedProxies: false });
    try {
      for (let i = 0; i < LIMITS.user_ip.free; i++) await login(app, 'direct', 'forkert-kodeord', `192.0.2.${100 + i}`).expect(401);
      await login(app, 'direct', PASSWORD, '192.0.2.200').expect(429);
    } finally {
      await app.close();
    }
    // Behind a trusted proxy (loopback here) each forwarded address counts on its own.
    expect(await row('user_ip', 'direct|192.0.2.100')).toBeUndefined();
  });
});

describe('password hashing: argon2id', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const login = (username: string, password: string, ip: string) =>
    request(app.getHttpServer()).post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ username, password });

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedUsers(db, 461, 'Team Syd');
    app = await startTestApi(db);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('new passwords are stored as argon2id at the measured cost', async () => {
    const { rows } = await db.pool.query(`SELECT password_hash FROM app_user WHERE username = 'chef'`);
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
  });

  it('a bcrypt hash from before still logs in, and is rehashed to argon2id at that login (the sessions stay)', async () => {
    await db.pool.query(`INSERT INTO app_user (username, password_hash, role, municipality_code) VALUES ('gammel', $1, 'chef', 461)`, [
      LEGACY_BCRYPT,
    ]);
    await login('gammel', 'forkert-kodeord', '198.51.100.20').expect(401);
    expect((await db.pool.query(`SELECT password_hash FROM app_user WHERE username = 'gammel'`)).rows[0].password_hash).toBe(LEGACY_BCRYPT);
    const first = (await login('gammel', 'gammel-adgangskode-1', '198.51.100.20').expect(200)).body.token;
    const { rows } = await db.pool.query(`SELECT password_hash FROM app_user WHERE username = 'gammel'`);
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$/);
    await login('gammel', 'gammel-adgangskode-1', '198.51.100.20').expect(200);
    await request(app.getHttpServer()).get('/api/v1/me').set('Authorization', `Bearer ${first}`).expect(200);
    // An argon2id hash at a lower cost is brought up to the current one the same way.
    await db.pool.query(`UPDATE app_user SET password_hash = $1 WHERE username = 'gammel'`, [
      await argon2.hash('gammel-adgangskode-1', { type: argon2.argon2id, memoryCost: 4096, timeCost: 1, parallelism: 1 }),
    ]);
    await login('gammel', 'gammel-adgangskode-1', '198.51.100.20').expect(200);
    expect((await db.pool.query(`SELECT password_hash FROM app_user WHERE username = 'gammel'`)).rows[0].password_hash).toMatch(
      /^\$argon2id\$v=19\$m=19456,p=1,t=2\$/,
    );
  });

  it('an unknown user costs the same time as a wrong password (no probing of usernames)', async () => {
    const time = async (username: string, i: number) => {
      const start = performance.now();
      await login(username, 'forkert-kodeord', `198.51.100.${50 + i}`).expect(401);
      return performance.now() - start;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    // Each pair in turns of order, so neither side always follows the other (or the first, cold call).
    for (let i = 0; i < 8; i++) {
      if (i % 2) unknown.push(await time(`findes-ikke-${i}`, i));
      known.push(await time('udvalg', i));
      if (!(i % 2)) unknown.push(await time(`findes-ikke-${i}`, i));
    }
    const median = (xs: number[]) => xs.sort((x, y) => x - y)[xs.length >> 1];
    const ratio = median(unknown) / median(known);
    expect(ratio).toBeGreaterThan(0.6);
    expect(ratio).toBeLessThan(1.6);
  });
});
