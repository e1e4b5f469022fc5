import type { INestApplication } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuthRepository } from '../../apps/api/src/auth/auth.repository';
import { hotp, newTotpSecret, totpStep } from '../../apps/api/src/auth/totp';
import { setPassword } from '../../apps/api/src/auth/users';
import { addUser, setUserTotp } from '../../scripts/lib/users';
import { PASSWORD, seedUsers, ssoUserToken, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TestDatabase } from '../support/database';

// ADR 0117: a password an administrator gave (a new user, a reset) is the user's only until the
// next login. Until the user has chosen their own, every call but "who am I", "choose a password"
// and "log out" is refused, so the administrator who saw it cannot use the account unnoticed.

const FIRST = 'Din adgangskode er givet af en administrator. Vælg din egen adgangskode, før du fortsætter.';
const NEW = 'mit-eget-kodeord-42';

describe('a password given by an administrator is replaced by the user at the next login', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let admin: string;
  const http = () => request(app.getHttpServer());
  const login = (username: string, password: string, ip = '203.0.113.30', code?: string) =>
    http()
      .post('/api/v1/auth/login')
      .set('X-Forwarded-For', ip)
      .send({ username, password, ...(code ? { code } : {}) });
  const get = (token: string, path: string) => http().get(`/api/v1${path}`).set('Authorization', `Bearer ${token}`);
  const change = (token: string, body: object, ip = '203.0.113.30') =>
    http().post('/api/v1/auth/password').set('Authorization', `Bearer ${token}`).set('X-Forwarded-For', ip).send(body);

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedUsers(db, 461, 'Team Nord');
    await addUser(db.pool, { username: 'admin-461', password: PASSWORD, role: 'admin', municipality: 461 });
    app = await startTestApi(db);
    admin = await tokenFor(app, 'admin-461');
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('lets a new user of the administration do nothing but choose a password first', async () => {
    await http()
      .post('/api/v1/users')
      .set('Authorization', `Bearer ${admin}`)
      .send({ username: 'ny-chef', password: 'admins-kodeord-1', role: 'chef' })
      .expect(201);
    const first = await login('ny-chef', 'admins-kodeord-1').expect(200);
    expect(first.body.user).toEqual({ username: 'ny-chef', role: 'chef', municipalities: [461], teams: [], passwordChange: true });
    const restricted = first.body.token as string;
    expect((await get(restricted, '/me').expect(200)).body.passwordChange).toBe(true);
    // Nothing else: figures, the municipalities, the reviews, the preferences.
    for (const path of ['/kpis?ids=caseload.open_cases', '/municipalities', '/reviews', '/me/preferences']) {
      const res = await get(restricted, path).expect(403);
      expect(res.body).toMatchObject({ message: FIRST, passwordChange: true });
    }
    // The password again, and a new one that is long enough and not the same, nor the username.
    const refusals: [object, string][] = [
      [{ password: 'forkert-kodeord', newPassword: NEW }, 'Den nuværende adgangskode er forkert.'],
      [{ password: 'admins-kodeord-1', newPassword: 'kort' }, 'Den nye adgangskode skal være mindst 10 tegn.'],
      [{ password: 'admins-kodeord-1', newPassword: 'admins-kodeord-1' }, 'Den nye adgangskode skal være en anden end den nuværende.'],
      [{ password: 'admins-kodeord-1' }, 'Skriv en ny adgangskode'],
    ];
    for (const [body, message] of refusals) expect((await change(restricted, body).expect(400)).body.message).toBe(message);
    await addUser(db.pool, { username: 'Bruger-navn-1', password: 'admins-kodeord-2', role: 'udvalg', municipality: 461, temporary: true });
    const named = (await login('Bruger-navn-1', 'admins-kodeord-2').expect(200)).body.token;
    expect((await change(named, { password: 'admins-kodeord-2', newPassword: 'bruger-navn-1' }).expect(400)).body.message).toBe(
      'Adgangskoden må ikke være dit brugernavn.',
    );

    const chosen = await change(restricted, { password: 'admins-kodeord-1', newPassword: NEW }).expect(200);
    expect(chosen.body.user).toEqual({ username: 'ny-chef', role: 'chef', municipalities: [461], teams: [] });
    // The restricted session has ended; the new one works, and so does the new password alone.
    await get(restricted, '/me').expect(401);
    await get(chosen.body.token, '/municipalities').expect(200);
    expect((await login('ny-chef', NEW).expect(200)).body.user.passwordChange).toBeUndefined();
    await login('ny-chef', 'admins-kodeord-1', '203.0.113.31').expect(401);
    // In the audit log as a change by the user (no body, no password).
    const { rows } = await db.pool.query(
      `SELECT status, detail FROM audit_log WHERE username = 'ny-chef' AND action = 'change' AND detail->>'path' = '/api/v1/auth/password' ORDER BY id`,
    );
    // The wrong current password is a failed login instead (the next test).
    expect(rows.map((r) => r.status)).toEqual([400, 400, 400, 200]);
    expect(JSON.stringify(rows)).not.toContain('kodeord');
  });

  it('lets a restricted session log out, and write nothing: an administrator given a password cannot administer', async () => {
    await addUser(db.pool, { username: 'ny-admin', password: 'admins-kodeord-3', role: 'admin', municipality: 461, temporary: true });
    const restricted = (await login('ny-admin', 'admins-kodeord-3').expect(200)).body.token;
    for (const [method, path] of [
      ['post', '/users/chef/password'],
      ['patch', '/users/chef'],
      ['post', '/users'],
    ] as const) {
      const res = await http()[method](`/api/v1${path}`).set('Authorization', `Bearer ${restricted}`).send({ disabled: true }).expect(403);
      expect(res.body.message).toBe(FIRST);
    }
    await http().post('/api/v1/auth/logout').set('Authorization', `Bearer ${restricted}`).expect(204);
    await get(restricted, '/me').expect(401);
  });

  it('logs a wrong current password as a failed login by the user, and keeps the session as it was made', async () => {
    const token = (await login('ny-chef', NEW, '203.0.113.35').expect(200)).body.token;
    await change(token, { password: 'forkert-kodeord', newPassword: `${NEW}-3` }, '203.0.113.35').expect(400);
    const rows = async () =>
      (
        await db.pool.query(
          `SELECT username, role, status, detail->>'path' AS path FROM audit_log WHERE action = 'login.failed' AND username = 'ny-chef' AND client_ip = '203.0.113.35'`,
        )
      ).rows;
    for (let i = 0; i < 50 && (await rows()).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await rows()).toEqual([{ username: 'ny-chef', role: 'chef', status: 400, path: '/api/v1/auth/password' }]);
    // The new token is the same session under the new password: its start and how it was made kept.
    const changed = (await change(token, { password: NEW, newPassword: `${NEW}-3` }, '203.0.113.35').expect(200)).body.token;
    const jwt = app.get(JwtService);
    expect(jwt.decode(changed)).toMatchObject({ auth: jwt.decode(token).auth, amr: ['pwd'] });
    await change(changed, { password: `${NEW}-3`, newPassword: NEW }, '203.0.113.35').expect(200);
  });

  it('lets the new session in at once on another API process that had the user cached', async () => {
    const other = await startTestApi(db);
    try {
      await addUser(db.pool, { username: 'to-proc', password: 'admins-kodeord-4', role: 'chef', municipality: 461, temporary: true });
      const restricted = (await login('to-proc', 'admins-kodeord-4').expect(200)).body.token;
      // The other process has the user's state (the old token version) in its cache.
      await request(other.getHttpServer()).get('/api/v1/me').set('Authorization', `Bearer ${restricted}`).expect(200);
      const chosen = (await change(restricted, { password: 'admins-kodeord-4', newPassword: NEW }).expect(200)).body.token;
      await request(other.getHttpServer()).get('/api/v1/municipalities').set('Authorization', `Bearer ${chosen}`).expect(200);
      await request(other.getHttpServer()).get('/api/v1/me').set('Authorization', `Bearer ${restricted}`).expect(401);
    } finally {
      await other.close();
    }
  });

  it('asks again after a reset by the administrator, which ends the sessions the user had', async () => {
    const before = (await login('ny-chef', NEW).expect(200)).body.token;
    const reset = await http().post('/api/v1/users/ny-chef/password').set('Authorization', `Bearer ${admin}`).expect(200);
    await get(before, '/me').expect(401);
    const restricted = (await login('ny-chef', reset.body.password).expect(200)).body;
    expect(restricted.user.passwordChange).toBe(true);
    // The administrator who saw it logs in, but cannot read anything as the user.
    await get(restricted.token, '/kpis?ids=caseload.open_cases').expect(403);
    await change(restricted.token, { password: reset.body.password, newPassword: `${NEW}-2` }).expect(200);
  });

  it('lets every password user change their own, ending their other sessions; not a single sign-on user', async () => {
    const one = await tokenFor(app, 'chef');
    const other = await tokenFor(app, 'chef');
    const res = await change(one, { password: PASSWORD, newPassword: `${PASSWORD}-ny` }).expect(200);
    await get(other, '/me').expect(401);
    await get(res.body.token, '/me').expect(200);
    const back = (await change(res.body.token, { password: `${PASSWORD}-ny`, newPassword: PASSWORD }).expect(200)).body.token;
    const sso = await ssoUserToken(app, db.pool, { username: 'sso-chef', externalId: 'ext-9' });
    // My settings offer a password change to password users only.
    expect((await get(sso, '/me/preferences').expect(200)).body.password).toBe(false);
    expect((await get(back, '/me/preferences').expect(200)).body.password).toBe(true);
    expect((await change(sso, { password: 'noget-andet-1', newPassword: NEW }).expect(400)).body.message).toBe(
      'Du logger ind med din organisations konto og har ingen adgangskode i Børneblik.',
    );
  });

  it('keeps the one-time code in the new session of a user who has one', async () => {
    const secret = newTotpSecret();
    await addUser(db.pool, { username: 'kode-chef', password: PASSWORD, role: 'chef', municipality: 461 });
    await setUserTotp(db.pool, 'kode-chef', secret);
    const token = (await login('kode-chef', PASSWORD, '203.0.113.32', hotp(secret, totpStep())).expect(200)).body.token;
    const res = await change(token, { password: PASSWORD, newPassword: NEW }, '203.0.113.32').expect(200);
    expect(app.get(JwtService).decode(res.body.token).amr).toEqual(['pwd', 'otp']);
    await get(res.body.token, '/municipalities').expect(200);
  });

  it('answers 409, and writes nothing, when the password changed between its check and its write', async () => {
    await addUser(db.pool, { username: 'samtidig', password: PASSWORD, role: 'chef', municipality: 461 });
    const token = await tokenFor(app, 'samtidig');
    // Another session of the user changes the password just after this one's was checked.
    const repository = app.get(AuthRepository);
    const read = repository.credentials.bind(repository);
    const spy = vi.spyOn(repository, 'credentials').mockImplementationOnce(async (name) => {
      const row = await read(name);
      await setPassword((sql, params) => db.pool.query(sql, params), name, 'det-andet-kodeord-7');
      return row;
    });
    try {
      const res = await change(token, { password: PASSWORD, newPassword: NEW }, '203.0.113.35').expect(409);
      expect(res.body.message).toBe('Adgangskoden er ændret imens. Log ind igen.');
    } finally {
      spy.mockRestore();
    }
    await login('samtidig', NEW, '203.0.113.36').expect(401);
    await login('samtidig', 'det-andet-kodeord-7', '203.0.113.36').expect(200);
  });

  it('gives no session to a login whose password was checked before the user’s own change committed', async () => {
    await addUser(db.pool, { username: 'kaplob', password: PASSWORD, role: 'chef', municipality: 461 });
    const own = await tokenFor(app, 'kaplob');
    // Someone with the old password logs in; while that password is being checked (argon2, tens of
    // ms), the user chooses a new one. Held here in-process: the change commits right after the
    // login has read the row it checks the password against.
    const repository = app.get(AuthRepository);
    const read = repository.credentials.bind(repository);
    let chosen = '';
    const spy = vi.spyOn(repository, 'credentials').mockImplementationOnce(async (name) => {
      const row = await read(name);
      chosen = (await change(own, { password: PASSWORD, newPassword: NEW }, '203.0.113.37').expect(200)).body.token;
      return row;
    });
    try {
      const late = await login('kaplob', PASSWORD, '203.0.113.38');
      expect([late.status, late.body.message, late.body.token]).toEqual([401, 'Forkert brugernavn eller adgangskode', undefined]);
    } finally {
      spy.mockRestore();
    }
    expect(chosen).not.toBe('');
    // The user's new session works; the old password no longer logs in, the new one does.
    await get(chosen, '/municipalities').expect(200);
    await login('kaplob', PASSWORD, '203.0.113.38').expect(401);
    await login('kaplob', NEW, '203.0.113.39').expect(200);
  });

  it('counts a wrong current password as a failed login: the sixth from one address waits (429)', async () => {
    await addUser(db.pool, { username: 'gaet', password: PASSWORD, role: 'udvalg', municipality: 461 });
    const token = await tokenFor(app, 'gaet');
    for (let i = 0; i < 5; i++) await change(token, { password: `forkert-${i}-kodeord`, newPassword: NEW }, '203.0.113.33').expect(400);
    const blocked = await change(token, { password: PASSWORD, newPassword: NEW }, '203.0.113.33').expect(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.body.message).toMatch(/^For mange mislykkede login-forsøg\. Prøv igen om \d+ sekund/);
    // Nothing changed: the old password still logs in (from another address).
    await login('gaet', PASSWORD, '203.0.113.34').expect(200);
  });
});
