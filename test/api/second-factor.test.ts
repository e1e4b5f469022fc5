import type { INestApplication } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv } from '@bu/config';
import { hotp, newTotpSecret, totpStep } from '../../apps/api/src/auth/totp';
import { addUser, setUserTotp, usersWithoutSecondFactor } from '../../scripts/lib/users';
import { PASSWORD, ssoUserToken, startTestApi } from '../support/api';
import { createTestDatabase, TEST_JWT_SECRET, TEST_SECRET, TestDatabase } from '../support/database';

// ADR 0116: a one-time code from an authenticator app as the second factor of a password login.
// LOGIN_SECOND_FACTOR says who must have one (default: national administrators); a user who has one
// always gives it. Each code logs in once.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const WRONG = { statusCode: 401, message: 'Forkert brugernavn eller adgangskode', error: 'Unauthorized' };
const CODE_NEEDED = { statusCode: 401, message: 'Skriv engangskoden fra din godkendelses-app.', secondFactor: 'code-needed' };
const CODE_WRONG = {
  statusCode: 401,
  message: 'Forkert engangskode, eller koden er brugt. Vent på den næste kode i appen, og prøv igen.',
  secondFactor: 'code-wrong',
};
const NO_FACTOR =
  /^Din konto skal logge ind med en engangskode fra en app \(to-faktor-login\), men har ingen endnu\..*npm run admin -- user totp/;

describe('second factor for password logins', () => {
  let db: TestDatabase;
  let national: INestApplication;
  let all: INestApplication;
  let none: INestApplication;
  const secrets: Record<string, Buffer> = {};
  /** The code of the user's secret `offset` steps from now. */
  const code = (username: string, offset = 0) => hotp(secrets[username], totpStep() + offset);
  const login = (app: INestApplication, body: Record<string, string>, ip = '203.0.113.9') =>
    request(app.getHttpServer()).post('/api/v1/auth/login').set('X-Forwarded-For', ip).send(body);
  const audit = async (username: string, rows: number) => {
    for (let i = 0; i < 50; i++) {
      const found = await db.pool.query(`SELECT action, status, detail FROM audit_log WHERE username = $1 ORDER BY id`, [username]);
      if (found.rows.length >= rows) return found.rows;
      await sleep(100);
    }
    throw new Error(`fewer than ${rows} audit rows for ${username}`);
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    for (const username of ['landsadmin', 'sikker', 'gaetter', 'skifter'])
      await addUser(db.pool, { username, password: PASSWORD, role: 'admin' });
    await addUser(db.pool, { username: 'demoadmin', password: 'demo', role: 'admin', demo: true });
    await addUser(db.pool, { username: 'spaerret-admin', password: PASSWORD, role: 'admin' });
    await db.pool.query(`UPDATE app_user SET disabled = true WHERE username = 'spaerret-admin'`);
    await addUser(db.pool, { username: 'chef', password: PASSWORD, role: 'chef', municipality: 461 });
    await addUser(db.pool, { username: 'chef-sikker', password: PASSWORD, role: 'chef', municipality: 461 });
    for (const username of ['sikker', 'gaetter', 'skifter', 'chef-sikker']) {
      secrets[username] = newTotpSecret();
      await setUserTotp(db.pool, username, secrets[username]);
    }
    [national, all, none] = await Promise.all([
      // As `npm start` runs it: its demo users need no code (elsewhere a demo row is like any other).
      startTestApi(db, { secondFactor: 'national', demoUsers: true }),
      startTestApi(db, { secondFactor: 'all' }),
      startTestApi(db, { secondFactor: 'none' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([national, all, none].map((app) => app?.close()));
    await db?.drop();
  });

  it('refuses as usernames the words the import log uses for the system', async () => {
    for (const username of ['planlagt', 'retention', 'slettet'])
      await expect(addUser(db.pool, { username, password: PASSWORD, role: 'chef', municipality: 461 })).rejects.toThrow(
        `Brugernavnet ${username} er forbeholdt systemet (importloggen); vælg et andet.`,
      );
  });

  it('is required of national administrators by default', () => {
    const env = { DATABASE_URL: db.url, JWT_SECRET: TEST_JWT_SECRET, PSEUDONYM_SECRET: TEST_SECRET };
    expect(configFromEnv(env).secondFactor).toBe('national');
    expect(configFromEnv({ ...env, LOGIN_SECOND_FACTOR: 'all' }).secondFactor).toBe('all');
    expect(() => configFromEnv({ ...env, LOGIN_SECOND_FACTOR: 'sometimes' })).toThrow(ConfigError);
  });

  it('names at start the users the policy requires to have one who have none (npm run serve warns)', async () => {
    // Before the test below removes skifter's. Demo users and disabled users are not named.
    expect(await usersWithoutSecondFactor(db.pool, 'national')).toEqual(['landsadmin']);
    expect(await usersWithoutSecondFactor(db.pool, 'all')).toEqual(['chef', 'landsadmin']);
    expect(await usersWithoutSecondFactor(db.pool, 'none')).toEqual([]);
  });

  it('refuses a national administrator without one after the right password (403), and says how to get one', async () => {
    const res = await login(national, { username: 'landsadmin', password: PASSWORD }).expect(403);
    expect(res.body.message).toMatch(NO_FACTOR);
    // A wrong password says nothing about the factor: the usual answer.
    expect((await login(national, { username: 'landsadmin', password: 'forkert-kode' }, '203.0.113.10').expect(401)).body).toEqual(WRONG);
    // A municipality's user, and the embedded default's demo administrator, need none under `national`.
    await login(national, { username: 'chef', password: PASSWORD }).expect(200);
    await login(national, { username: 'demoadmin', password: 'demo' }).expect(200);
  });

  it('asks for the code after the right password, and logs in with it once', async () => {
    expect((await login(national, { username: 'sikker', password: PASSWORD }).expect(401)).body).toEqual(CODE_NEEDED);
    const now = code('sikker');
    const res = await login(national, { username: 'sikker', password: PASSWORD, code: now }).expect(200);
    expect(res.body.user).toEqual({ username: 'sikker', role: 'admin', municipalities: [], teams: [] });
    await request(national.getHttpServer()).get('/api/v1/me').set('Authorization', `Bearer ${res.body.token}`).expect(200);
    // The same code again (read over a shoulder, or from a log): refused.
    expect((await login(national, { username: 'sikker', password: PASSWORD, code: now }).expect(401)).body).toEqual(CODE_WRONG);
    // The next step's code is good (a clock a little ahead); after it, the older one is not.
    await login(national, { username: 'sikker', password: PASSWORD, code: code('sikker', 1) }).expect(200);
    await login(national, { username: 'sikker', password: PASSWORD, code: code('sikker', -1) }).expect(401);
    // A wrong code, and a code two steps ahead.
    const wrong = String((Number(code('sikker')) + 1) % 1_000_000).padStart(6, '0');
    expect((await login(national, { username: 'sikker', password: PASSWORD, code: wrong }).expect(401)).body).toEqual(CODE_WRONG);
    await login(national, { username: 'sikker', password: PASSWORD, code: code('sikker', 3) }).expect(401);
    // A right code with a wrong password: the usual answer, nothing about the code.
    expect((await login(national, { username: 'sikker', password: 'forkert-kode', code: code('sikker', 1) }).expect(401)).body).toEqual(
      WRONG,
    );
  });

  it('writes the code asked for as login.code in the audit log, and a wrong code as a failed login', async () => {
    const rows = await audit('sikker', 8);
    expect(rows.map((r) => [r.action, r.status, r.detail.secondFactor])).toEqual([
      ['login.code', 401, 'code-needed'],
      ['login', 200, undefined],
      ['login.failed', 401, 'code-wrong'],
      ['login', 200, undefined],
      ['login.failed', 401, 'code-wrong'],
      ['login.failed', 401, 'code-wrong'],
      ['login.failed', 401, 'code-wrong'],
      ['login.failed', 401, undefined],
    ]);
  });

  it('does not count the right password alone as a failure, nor hold back the code that follows', async () => {
    const ip = '198.51.100.30';
    for (let i = 0; i < 8; i++) await login(national, { username: 'gaetter', password: PASSWORD }, ip).expect(401);
    const counts = await db.pool.query(
      `SELECT kind, failures FROM login_attempt WHERE key IN ('gaetter', 'gaetter|${ip}', $1) ORDER BY kind`,
      [ip],
    );
    expect(counts.rows.map((r: { failures: number }) => r.failures)).toEqual([0, 0, 0]);
    // Five wrong passwords from an address: its limit reached. Once their wait is over, the right
    // password and then the code get in, with no wait in between.
    const other = '198.51.100.31';
    for (let i = 0; i < 5; i++) await login(national, { username: 'gaetter', password: 'forkert-kode' }, other).expect(401);
    await sleep(1100);
    await login(national, { username: 'gaetter', password: PASSWORD }, other).expect(401);
    await login(national, { username: 'gaetter', password: PASSWORD, code: code('gaetter') }, other).expect(200);
  });

  it('blocks a username after five wrong codes, from any address: only the password holder makes them', async () => {
    const wrong = String((Number(code('gaetter')) + 500_000) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 5; i++)
      await login(national, { username: 'gaetter', password: PASSWORD, code: wrong }, `192.0.2.${i + 1}`).expect(401);
    // Each address is far from its own limits; the username's wrong codes are not.
    const blocked = await login(national, { username: 'gaetter', password: PASSWORD, code: code('gaetter', 1) }, '192.0.2.99').expect(429);
    expect(blocked.body.message).toMatch(/^For mange forkerte engangskoder\. Prøv igen om \d+ sekunder\.$/);
    expect(blocked.body.secondFactor).toBe('code-blocked');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // The password alone still says that a code is asked: the real user learns why when it is refused.
    expect((await login(national, { username: 'gaetter', password: PASSWORD }, '192.0.2.98').expect(401)).body).toEqual(CODE_NEEDED);
    const row = await db.pool.query(
      `SELECT failures, last_failure_at > now() - interval '1 minute' AS recent FROM login_attempt WHERE kind = 'code' AND key = 'gaetter'`,
    );
    expect(row.rows).toEqual([{ failures: 5, recent: true }]);
    // The audit log tells a blocked username apart: someone else may hold the password.
    const rows = await audit('gaetter', 1);
    expect(rows.filter((r) => r.detail.secondFactor === 'code-blocked').map((r) => [r.action, r.status])).toEqual([['login.failed', 429]]);
    // The operator's new secret (or a new password) lifts the block: it was against the old one's holder.
    secrets.gaetter = newTotpSecret();
    await setUserTotp(db.pool, 'gaetter', secrets.gaetter);
    await login(national, { username: 'gaetter', password: PASSWORD, code: code('gaetter') }, '192.0.2.97').expect(200);
    // The wrong codes count by the name exactly as the user has it: two users whose names differ
    // only in case keep apart.
    await addUser(db.pool, { username: 'Kirsten', password: PASSWORD, role: 'admin' });
    await setUserTotp(db.pool, 'Kirsten', newTotpSecret());
    await login(national, { username: 'Kirsten', password: PASSWORD, code: '000000' }, '192.0.2.96').expect(401);
    expect((await db.pool.query(`SELECT key FROM login_attempt WHERE kind = 'code' AND lower(key) = 'kirsten'`)).rows).toEqual([
      { key: 'Kirsten' },
    ]);
  });

  it('under `all` refuses every password user without one; under `none` no one needs one, but a user who has one gives it', async () => {
    expect((await login(all, { username: 'chef', password: PASSWORD }, '203.0.113.20').expect(403)).body.message).toMatch(NO_FACTOR);
    expect((await login(all, { username: 'chef-sikker', password: PASSWORD }, '203.0.113.20').expect(401)).body).toEqual(CODE_NEEDED);
    await login(all, { username: 'chef-sikker', password: PASSWORD, code: code('chef-sikker') }, '203.0.113.20').expect(200);
    // Outside the embedded demo, a demo row is like any other user.
    expect((await login(all, { username: 'demoadmin', password: 'demo' }, '203.0.113.20').expect(403)).body.message).toMatch(NO_FACTOR);
    await login(none, { username: 'landsadmin', password: PASSWORD }, '203.0.113.21').expect(200);
    expect((await login(none, { username: 'skifter', password: PASSWORD }, '203.0.113.21').expect(401)).body).toEqual(CODE_NEEDED);
  });

  it('ends a password session made without a code once the setting asks the user for one', async () => {
    const me = (app: INestApplication, token: string) =>
      request(app.getHttpServer()).get('/api/v1/me').set('Authorization', `Bearer ${token}`);
    const EXPIRED = 'Din session er udløbet. Log ind igen.';
    // A municipality's user logged in with a password alone, while no code was required; then the
    // setting moves to `all` (the same database, another process's setting): the session ends.
    const chef = (await login(none, { username: 'chef', password: PASSWORD }, '203.0.113.23').expect(200)).body.token;
    await me(none, chef).expect(200);
    await me(national, chef).expect(200);
    expect((await me(all, chef).expect(401)).body.message).toBe(EXPIRED);
    // A national administrator's session from a process that asked no code ends under `national`.
    const landsadmin = (await login(none, { username: 'landsadmin', password: PASSWORD }, '203.0.113.23').expect(200)).body.token;
    await me(none, landsadmin).expect(200);
    expect((await me(national, landsadmin).expect(401)).body.message).toBe(EXPIRED);
    // A session made with a code holds under every setting, and so does its renewed token.
    const coded = (
      await login(all, { username: 'chef-sikker', password: PASSWORD, code: code('chef-sikker', 1) }, '203.0.113.23').expect(200)
    ).body.token;
    for (const app of [none, national, all]) await me(app, coded).expect(200);
    // Renewed (the same claims, two minutes older), it keeps the code's mark.
    const claims = all.get(JwtService).decode(coded);
    const now = Math.floor(Date.now() / 1000);
    const older = await all.get(JwtService).signAsync({ ...claims, iat: now - 120, exp: now + 600 });
    const renewed = (await me(all, older).expect(200)).headers['x-renewed-token'];
    expect(all.get(JwtService).decode(renewed).amr).toEqual(['pwd', 'otp']);
    await me(all, renewed).expect(200);
    // The embedded demo's demo administrator needs none there.
    const demo = (await login(national, { username: 'demoadmin', password: 'demo' }, '203.0.113.23').expect(200)).body.token;
    await me(national, demo).expect(200);
    // Single sign-on users are not touched: their organisation's login decides.
    const sso = await ssoUserToken(all, db.pool, { username: 'sso-chef', externalId: 'ext-1' });
    await me(all, sso).expect(200);
  });

  it('ends the sessions of a user whose factor is set or removed, and not when a code is used', async () => {
    const version = async () =>
      (await db.pool.query(`SELECT token_version FROM app_user WHERE username = 'skifter'`)).rows[0].token_version as number;
    const before = await version();
    await login(national, { username: 'skifter', password: PASSWORD, code: code('skifter') }, '203.0.113.22').expect(200);
    expect(await version()).toBe(before);
    secrets.skifter = newTotpSecret();
    await setUserTotp(db.pool, 'skifter', secrets.skifter);
    expect(await version()).toBe(before + 1);
    await setUserTotp(db.pool, 'skifter', null);
    expect(await version()).toBe(before + 2);
    // Removed: under `national` this administrator cannot log in until a new one is set.
    expect((await login(national, { username: 'skifter', password: PASSWORD }, '203.0.113.22').expect(403)).body.message).toMatch(
      NO_FACTOR,
    );
  });
});
