import type { INestApplication } from '@nestjs/common';
import { createHash, randomBytes } from 'crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OidcConfig } from '@bu/config';
import { PASSWORD, seedUsers, startTestApi } from '../support/api';
import { exchange, insertTicket } from '../support/sso';
import { createTestDatabase, TestDatabase } from '../support/database';
import { startOidcProvider, type TestOidcProvider } from '../support/oidc-provider';
import { freePort } from '../support/pg-cluster';

// Issue 15, point 1, over HTTP: the redirect to the provider (PKCE S256, state, nonce, the state
// cookie, the login in flight), the callback's refusals before the provider is asked, a provider
// that is down when the API starts, and the endpoints when OpenID Connect is not set up. The whole
// login in a browser is test/browser/oidc-login.test.ts.
const REDIRECT = 'https://boerneblik.testkommune.dk/api/v1/auth/oidc/callback';
const settings = (idp: { issuer: string; clientId: string; clientSecret: string }): OidcConfig => ({
  issuer: idp.issuer,
  clientId: idp.clientId,
  clientSecret: idp.clientSecret,
  redirectUrl: REDIRECT,
  label: 'Log ind med Testkommunes konto',
  groupsClaim: 'groups',
  usernameClaim: 'preferred_username',
  scope: 'openid profile email',
});

describe('OpenID Connect login over HTTP', () => {
  let db: TestDatabase;
  let idp: TestOidcProvider;
  let app: INestApplication;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedUsers(db, 461, 'Team Syd');
    idp = await startOidcProvider({ redirectUri: REDIRECT, postLogoutRedirectUri: 'https://boerneblik.testkommune.dk/' });
    app = await startTestApi(db, { oidc: settings(idp) });
  });
  afterAll(async () => {
    await app?.close();
    await idp?.close();
    await db?.drop();
  });

  it('lists the organisation button for the login page', async () => {
    const res = await request(app.getHttpServer()).get('/api/v1/auth/providers').expect(200);
    expect(res.body.providers).toContainEqual({ id: 'oidc', label: 'Log ind med Testkommunes konto', loginUrl: '/api/v1/auth/oidc/login' });
  });

  it("redirects to the provider's authorization endpoint with PKCE (S256), state and nonce, bound to the browser by a cookie", async () => {
    const res = await request(app.getHttpServer()).get('/api/v1/auth/oidc/login').expect(302);
    const to = new URL(res.headers.location);
    expect(`${to.origin}${to.pathname}`).toBe(`${idp.issuer}/auth`);
    const q = Object.fromEntries(to.searchParams);
    expect(q).toMatchObject({
      response_type: 'code',
      client_id: idp.clientId,
      redirect_uri: REDIRECT,
      scope: 'openid profile email',
      code_challenge_method: 'S256',
    });
    expect(q.state).toMatch(/^[\w-]{43}$/);
    expect(q.nonce).toMatch(/^[\w-]{43}$/);
    expect(q.code_challenge).toMatch(/^[\w-]{43}$/);
    const [row] = (await db.pool.query(`SELECT provider, nonce, code_verifier FROM sso_request WHERE id = $1`, [q.state])).rows;
    expect(row).toMatchObject({ provider: 'oidc', nonce: q.nonce });
    expect(createHash('sha256').update(row.code_verifier).digest('base64url')).toBe(q.code_challenge);
    // The state cookie: the callback's state must be this browser's.
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('bu_oidc_state='))!;
    expect(cookie).toContain(`bu_oidc_state=${q.state};`);
    expect(cookie).toMatch(/Max-Age=600;/);
    expect(cookie).toMatch(/Path=\/api\/v1\/auth\/oidc;/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(res.headers['cache-control']).toBe('no-store');
    // The security headers stay on these answers too.
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    // Each login its own state.
    const second = await request(app.getHttpServer()).get('/api/v1/auth/oidc/login').expect(302);
    expect(new URL(second.headers.location).searchParams.get('state')).not.toBe(q.state);
  });

  it('refuses a callback without the state cookie, with another state, or with a state no longer known: Danish pages', async () => {
    const login = await request(app.getHttpServer()).get('/api/v1/auth/oidc/login').expect(302);
    const state = new URL(login.headers.location).searchParams.get('state')!;
    const callback = (query: string, cookie?: string) => {
      const req = request(app.getHttpServer()).get(`/api/v1/auth/oidc/callback?${query}`);
      return cookie ? req.set('Cookie', `bu_oidc_state=${cookie}`) : req;
    };
    const wrong = await callback(`code=abc&state=${state}`).expect(400);
    expect(wrong.headers['content-type']).toMatch(/text\/html/);
    expect(wrong.text).toContain('<html lang="da">');
    expect(wrong.text).toContain('hører ikke til et log ind, der er startet i denne browser');
    await callback(`code=abc&state=${state}`, 'en-anden-browsers-state').expect(400);
    await callback('code=abc', state).expect(400);
    await callback(`code=abc&state=${state}`, '%E0%A4%A').expect(400);
    // The refusals before the provider is asked leave the login in flight for its own browser.
    expect((await db.pool.query(`SELECT 1 FROM sso_request WHERE id = $1`, [state])).rowCount).toBe(1);
    const unknown = await callback('code=abc&state=ukendt', 'ukendt').expect(400);
    expect(unknown.text).toContain('allerede brugt eller for gammelt');
    // Too old: started more than 10 minutes ago; the row is used up all the same.
    await db.pool.query(`UPDATE sso_request SET created_at = now() - interval '11 minutes' WHERE id = $1`, [state]);
    const old = await callback(`code=abc&state=${state}`, state).expect(400);
    expect(old.text).toContain('allerede brugt eller for gammelt');
    expect((await db.pool.query(`SELECT 1 FROM sso_request WHERE id = $1`, [state])).rowCount).toBe(0);
    // The provider's own refusal (the user cancelled): its code on the Danish page, no session.
    const again = await request(app.getHttpServer()).get('/api/v1/auth/oidc/login').expect(302);
    const next = new URL(again.headers.location).searchParams.get('state')!;
    // (with the issuer, as this provider sends it on every answer: RFC 9207; without it, refused as not the provider's)
    const iss = encodeURIComponent(idp.issuer);
    const cancelled = await callback(`error=access_denied&error_description=nej&state=${next}&iss=${iss}`, next).expect(400);
    expect(cancelled.text).toContain('Organisationens log ind afviste at logge dig ind (access_denied)');
  });

  it("logging out after an OIDC login answers the provider's end-session address, once; the login page as the way back", async () => {
    // An OIDC user with a session, as SsoService makes them (a ticket exchanged), and the login's ID token kept.
    const externalId = `${idp.issuer}|anna`;
    await db.pool.query(
      `INSERT INTO app_user (username, role, municipality_code, teams, auth_source, external_id) VALUES ('anna', 'chef', 461, '{}', 'oidc', $1)`,
      [externalId],
    );
    const session = await exchange(app.getHttpServer(), await insertTicket(db.pool, 'anna')).expect(200);
    await db.pool.query(
      `INSERT INTO oidc_session (external_id, id_token, expires_at) VALUES ($1, 'the.id.token', now() + interval '1 hour')`,
      [externalId],
    );
    const res = await request(app.getHttpServer())
      .post('/api/v1/auth/logout')
      .set('Authorization', `Bearer ${session.body.token}`)
      .expect(200);
    const to = new URL(res.body.redirect);
    expect(`${to.origin}${to.pathname}`).toBe(`${idp.issuer}/session/end`);
    expect(Object.fromEntries(to.searchParams)).toMatchObject({
      id_token_hint: 'the.id.token',
      // From OIDC_REDIRECT_URL's origin: the public address, not the one the API saw.
      post_logout_redirect_uri: 'https://boerneblik.testkommune.dk/',
      client_id: idp.clientId,
    });
    // The session ended here, and the hint is gone: a second logout has nothing to send.
    await request(app.getHttpServer()).get('/api/v1/me').set('Authorization', `Bearer ${session.body.token}`).expect(401);
    expect((await db.pool.query(`SELECT 1 FROM oidc_session WHERE external_id = $1`, [externalId])).rowCount).toBe(0);
  });

  it('logging out a password user answers 204 as before, with no provider logout', async () => {
    const login = await request(app.getHttpServer()).post('/api/v1/auth/login').send({ username: 'chef', password: PASSWORD }).expect(200);
    const res = await request(app.getHttpServer())
      .post('/api/v1/auth/logout')
      .set('Authorization', `Bearer ${login.body.token}`)
      .expect(204);
    expect(res.text).toBe('');
  });
});

describe('OpenID Connect: a provider that is down when the API starts', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let idp: TestOidcProvider | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedUsers(db, 461, 'Team Syd');
  });
  afterAll(async () => {
    await app?.close();
    await idp?.close();
    await db?.drop();
  });

  it('the API starts and password logins work; the OIDC login says so in Danish until the provider answers', async () => {
    const port = await freePort();
    const down = { issuer: `http://127.0.0.1:${port}`, clientId: 'boerneblik', clientSecret: randomBytes(32).toString('hex') };
    app = await startTestApi(db, { oidc: settings(down) });
    await request(app.getHttpServer()).post('/api/v1/auth/login').send({ username: 'chef', password: PASSWORD }).expect(200);
    // The button shows: the provider may be back by the time someone presses it.
    const providers = await request(app.getHttpServer()).get('/api/v1/auth/providers').expect(200);
    expect(providers.body.providers.map((p: { id: string }) => p.id)).toContain('oidc');
    const res = await request(app.getHttpServer()).get('/api/v1/auth/oidc/login').expect(503);
    expect(res.text).toContain('Organisationens log ind kan ikke nås lige nu');

    idp = await startOidcProvider({ port, redirectUri: REDIRECT, postLogoutRedirectUri: 'https://boerneblik.testkommune.dk/' });
    // The next press discovers it (the background retry would too, a little later).
    const up = await request(app.getHttpServer()).get('/api/v1/auth/oidc/login').expect(302);
    expect(up.headers.location.startsWith(`${idp.issuer}/auth?`)).toBe(true);
  });
});

describe('OpenID Connect not set up', () => {
  let db: TestDatabase;
  let app: INestApplication;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApi(db);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('shows no button, and both endpoints answer 404 with a Danish page', async () => {
    const providers = await request(app.getHttpServer()).get('/api/v1/auth/providers').expect(200);
    expect(providers.body.providers.map((p: { id: string }) => p.id)).not.toContain('oidc');
    for (const path of ['/api/v1/auth/oidc/login', '/api/v1/auth/oidc/callback?code=a&state=b']) {
      const res = await request(app.getHttpServer()).get(path).expect(404);
      expect(res.text).toContain('Log ind med organisationens konto er ikke sat op i Børneblik');
    }
  });
});
