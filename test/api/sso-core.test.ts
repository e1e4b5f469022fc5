import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SsoService } from '../../apps/api/src/sso/sso.service';
import type { ExternalIdentity } from '../../apps/api/src/sso/sso.types';
import { addUser } from '../../scripts/lib/users';
import { PASSWORD, seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TestDatabase } from '../support/database';
import { recordingResponse } from '../support/sso';

// Issue 15, the end both sign-on protocols share: the administrator's group mappings make the
// user at each login, a one-time ticket hands the session to the web app, and a municipality can
// turn password login off. The protocols themselves are tested in sso-oidc and sso-saml.

const identity = (groups: string[], over: Partial<ExternalIdentity> = {}): ExternalIdentity => ({
  provider: 'oidc',
  externalId: 'https://idp.example|abc-123',
  username: 'anne@kommune.dk',
  email: 'anne@kommune.dk',
  groups,
  ...over,
});

describe('single sign-on: group mappings, users made at login, the ticket, the password switch', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let sso: SsoService;
  let admin461: string;
  const http = () => request(app.getHttpServer());
  const user = async (name: string) =>
    (
      await db.pool.query(
        `SELECT role, municipality_code AS municipality, teams, auth_source AS source, email, token_version AS version, password_hash AS hash
         FROM app_user WHERE username = $1`,
        [name],
      )
    ).rows[0];
  const mapping = (token: string, body: object) =>
    http().post('/api/v1/sso/group-mappings').set('Authorization', `Bearer ${token}`).send(body);
  const loginWithTicket = async (id: ExternalIdentity) => {
    const { res, out } = recordingResponse();
    await sso.finish(res, id);
    return out;
  };
  /** The exchange from the browser the login ended in: the ticket of the address and the binding cookie. */
  const exchange = (out: { location?: string; cookies: string[] }, cookie = out.cookies.join('; ')) =>
    http()
      .post('/api/v1/auth/sso/exchange')
      .set('Cookie', cookie)
      .send({ ticket: new URLSearchParams(out.location!.split('?')[1]).get('ticket') });

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedUsers(db, 461, 'Team Syd');
    await addUser(db.pool, { username: 'admin-461', password: PASSWORD, role: 'admin', municipality: 461 });
    await addUser(db.pool, { username: 'admin-101', password: PASSWORD, role: 'admin', municipality: 101 });
    app = await startTestApi(db);
    sso = app.get(SsoService);
    admin461 = await tokenFor(app, 'admin-461');
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('lets a municipality administrator map groups in their own municipality only, with Danish refusals', async () => {
    const created = await mapping(admin461, { group: 'BU-Teamledere-Syd', role: 'teamleder', teams: ['Team Syd'] }).expect(201);
    expect(created.body).toMatchObject({ municipality: 461, group: 'BU-Teamledere-Syd', role: 'teamleder', teams: ['Team Syd'] });
    await mapping(admin461, { group: 'BU-Chefer', role: 'chef' }).expect(201);
    expect((await mapping(admin461, { group: 'BU-Chefer', role: 'udvalg' }).expect(409)).body.message).toBe(
      'Gruppen BU-Chefer har allerede en opsætning i kommune 461',
    );
    expect((await mapping(admin461, { group: 'Uden team', role: 'teamleder' }).expect(400)).body.message).toBe(
      'En gruppe med rollen teamleder skal give mindst ét team',
    );
    expect((await mapping(admin461, { group: 'x', role: 'chef', municipality: 101 }).expect(403)).body.message).toBe(
      'Ingen adgang til kommune 101',
    );
    const list = await http().get('/api/v1/sso/group-mappings').set('Authorization', `Bearer ${admin461}`).expect(200);
    expect(list.body.map((m: { group: string }) => m.group)).toEqual(['BU-Chefer', 'BU-Teamledere-Syd']);
    // Another municipality's administrator does not see them, and cannot change or delete them.
    const other = await tokenFor(app, 'admin-101');
    expect((await http().get('/api/v1/sso/group-mappings').set('Authorization', `Bearer ${other}`).expect(200)).body).toEqual([]);
    // Nor map the same groups for their own municipality (which would refuse or capture 461's people).
    expect((await mapping(other, { group: 'BU-Chefer', role: 'udvalg' }).expect(409)).body.message).toBe(
      'Gruppen BU-Chefer giver allerede adgang i en anden kommune; en gruppe kan kun give adgang i én kommune',
    );
    const id = created.body.id as number;
    const changeAsOther = async () => {
      await http()
        .put(`/api/v1/sso/group-mappings/${id}`)
        .set('Authorization', `Bearer ${other}`)
        .send({ group: 'y', role: 'chef' })
        .expect(404);
      await http().delete(`/api/v1/sso/group-mappings/${id}`).set('Authorization', `Bearer ${other}`).expect(404);
    };
    await changeAsOther();
    // The service holds them to the administrator's municipality itself, not only row-level security.
    await db.pool.query(`ALTER TABLE sso_group_mapping DISABLE ROW LEVEL SECURITY`);
    try {
      await changeAsOther();
    } finally {
      await db.pool.query(`ALTER TABLE sso_group_mapping ENABLE ROW LEVEL SECURITY`);
    }
    expect((await db.pool.query(`SELECT group_id, role FROM sso_group_mapping WHERE id = $1`, [id])).rows).toEqual([
      { group_id: 'BU-Teamledere-Syd', role: 'teamleder' },
    ]);
    const edited = await http()
      .put(`/api/v1/sso/group-mappings/${id}`)
      .set('Authorization', `Bearer ${admin461}`)
      .send({ group: 'BU-Teamledere-Syd', role: 'teamleder', teams: ['Team Syd', 'Team Nord'] })
      .expect(200);
    expect(edited.body.teams).toEqual(['Team Syd', 'Team Nord']);
  });

  it('makes the user from the mapped groups at the first login, and the ticket gives a session once', async () => {
    const out = await loginWithTicket(identity(['BU-Teamledere-Syd', 'Alle ansatte']));
    expect(out.status).toBe(302);
    expect(out.location).toMatch(/^\/#\/sso\?ticket=[\w-]{43}$/);
    expect(await user('anne@kommune.dk')).toMatchObject({
      role: 'teamleder',
      municipality: 461,
      teams: ['Team Nord', 'Team Syd'],
      source: 'oidc',
      email: 'anne@kommune.dk',
      hash: null,
    });
    // Only from the browser the login ended in: a ticket sent to someone else (login CSRF) is refused,
    // without the binding cookie or with another login's; a refused ticket is spent.
    await exchange(out, '').expect(401);
    const other = await loginWithTicket(identity(['BU-Teamledere-Syd']));
    await exchange(other, out.cookies.join('; ')).expect(401);
    await exchange(other).expect(401);
    const own = await loginWithTicket(identity(['BU-Teamledere-Syd', 'Alle ansatte']));
    const session = await exchange(own).expect(200);
    expect(session.body.user).toEqual({
      username: 'anne@kommune.dk',
      role: 'teamleder',
      municipalities: [461],
      teams: ['Team Nord', 'Team Syd'],
    });
    await http().get('/api/v1/me').set('Authorization', `Bearer ${session.body.token}`).expect(200);
    // The ticket works once.
    expect((await exchange(own).expect(401)).body.message).toBe('Log ind-billetten er brugt eller udløbet. Log ind igen.');
    // No password logs in as a user made by single sign-on.
    await http().post('/api/v1/auth/login').send({ username: 'anne@kommune.dk', password: '' }).expect(401);
  });

  it('refuses a ticket after its minute', async () => {
    const out = await loginWithTicket(identity(['BU-Teamledere-Syd']));
    await db.pool.query(`UPDATE sso_ticket SET expires_at = now() - interval '1 second'`);
    await exchange(out).expect(401);
  });

  it('applies a group change at the next login and ends the sessions of the old role', async () => {
    const first = await exchange(await loginWithTicket(identity(['BU-Teamledere-Syd']))).expect(200);
    const out = await loginWithTicket(identity(['BU-Teamledere-Syd', 'BU-Chefer']));
    expect(await user('anne@kommune.dk')).toMatchObject({ role: 'chef', teams: [] });
    await http().get('/api/v1/me').set('Authorization', `Bearer ${first.body.token}`).expect(401);
    const second = await exchange(out).expect(200);
    expect(second.body.user.role).toBe('chef');
    // Taken out of every mapped group: refused, and the sessions end at once.
    const page = await loginWithTicket(identity(['Alle ansatte']));
    expect(page.status).toBe(403);
    expect(page.body).toContain('Du har ikke adgang til Børneblik endnu');
    await http().get('/api/v1/me').set('Authorization', `Bearer ${second.body.token}`).expect(401);
  });

  it('creates no account for a person with no mapped group, and shows whom to ask', async () => {
    const page = await loginWithTicket(identity(['Alle ansatte'], { externalId: 'https://idp.example|new', username: 'bo@kommune.dk' }));
    expect(page.status).toBe(403);
    expect(page.body).toContain('Bed din kommunes Børneblik-administrator om adgang');
    expect(page.headers['Cache-Control']).toBe('no-store');
    expect(await user('bo@kommune.dk')).toBeUndefined();
  });

  it('refuses groups of two municipalities, a local user of the same name, a disabled user and an unusable name', async () => {
    await db.pool.query(`INSERT INTO sso_group_mapping (municipality_code, group_id, role) VALUES (101, 'KBH-Chefer', 'chef')`);
    const two = await loginWithTicket(identity(['BU-Chefer', 'KBH-Chefer'], { externalId: 'x|two', username: 'to@kommune.dk' }));
    expect(two.body).toContain('Dine grupper giver adgang i flere kommuner');
    const taken = await loginWithTicket(identity(['BU-Chefer'], { externalId: 'x|chef', username: 'chef' }));
    expect(taken.body).toContain('Brugernavnet findes allerede');
    expect(await user('chef')).toMatchObject({ source: 'local' });
    await db.pool.query(`UPDATE app_user SET disabled = true WHERE username = 'anne@kommune.dk'`);
    expect((await loginWithTicket(identity(['BU-Chefer']))).body).toContain('Din bruger er spærret');
    const odd = await loginWithTicket(identity(['BU-Chefer'], { externalId: 'x|odd', username: 'navn med mellemrum' }));
    expect(odd.body).toContain('Dit brugernavn kan ikke bruges');
    // The page escapes what it shows and links back to the login page.
    expect(odd.body).toContain('<a href="/">Til log ind-siden</a>');
    // A CPR number sent as the name (NemLog-in can send one) makes no account and is not kept.
    const cpr = await loginWithTicket(identity(['BU-Chefer'], { externalId: 'x|cpr', username: '0101901234' }));
    expect(cpr.body).toContain('Dit brugernavn kan ikke bruges');
    expect(cpr.body).not.toContain('0101901234');
    await new Promise((r) => setTimeout(r, 200));
    const kept = await db.pool.query(`SELECT count(*)::int AS n FROM app_user WHERE username LIKE '%0101901234%'`);
    const logged = await db.pool.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE username LIKE '%0101901234%' OR detail::text LIKE '%0101901234%'`,
    );
    expect([kept.rows[0].n, logged.rows[0].n]).toEqual([0, 0]);
  });

  it('lets no administrator create a local user over a single sign-on user, and reads no password for one', async () => {
    await loginWithTicket(identity(['BU-Chefer'], { externalId: 'x|bente', username: 'bente', email: undefined }));
    expect(await user('bente')).toMatchObject({ source: 'oidc', hash: null });
    const over = await http()
      .post('/api/v1/users')
      .set('Authorization', `Bearer ${admin461}`)
      .send({ username: 'bente', password: 'valgt-af-admin-1', role: 'chef' });
    expect([over.status, over.body.message]).toEqual([409, 'Brugernavnet bente er optaget']);
    expect(await user('bente')).toMatchObject({ source: 'oidc', hash: null });
    // A password hash that got into the row anyway (by hand, an old tool) is not read.
    await db.pool.query(
      `UPDATE app_user SET password_hash = (SELECT password_hash FROM app_user WHERE username = 'chef') WHERE username = 'bente'`,
    );
    await http().post('/api/v1/auth/login').send({ username: 'bente', password: PASSWORD }).expect(401);
  });

  it('turns password login off per municipality, only once an organisation login is set up; a product administrator keeps it', async () => {
    const policy = (token: string, passwordLogin: boolean) =>
      http().put('/api/v1/sso/login-policy').set('Authorization', `Bearer ${token}`).send({ passwordLogin });
    expect((await policy(admin461, false).expect(400)).body.message).toBe(
      'Log ind med adgangskode kan ikke slås fra, før log ind med organisationens konto er sat op',
    );
    sso.registerProvider({ id: 'oidc', label: 'Log ind med Silkeborg Kommunes konto', loginUrl: '/api/v1/auth/oidc/login' });
    expect((await http().get('/api/v1/auth/providers').expect(200)).body).toEqual({
      providers: [{ id: 'oidc', label: 'Log ind med Silkeborg Kommunes konto', loginUrl: '/api/v1/auth/oidc/login' }],
    });
    // An administrator who is in by password would lock themself out: first in through the organisation.
    expect((await policy(admin461, false).expect(400)).body.message).toBe(
      'Du er logget ind med adgangskode. Log ind med organisationens konto, før du slår log ind med adgangskode fra – ellers kan du ikke komme ind igen.',
    );
    await mapping(admin461, { group: 'BU-Admins', role: 'admin' }).expect(201);
    const ssoAdmin = (
      await exchange(await loginWithTicket(identity(['BU-Admins'], { externalId: 'x|it', username: 'it-admin' }))).expect(200)
    ).body.token as string;
    const chefBefore = await tokenFor(app, 'chef');
    expect((await policy(ssoAdmin, false).expect(200)).body).toEqual({ municipality: 461, passwordLogin: false });
    // Off means off now: the municipality's password sessions end, not only new logins.
    await http().get('/api/v1/me').set('Authorization', `Bearer ${chefBefore}`).expect(401);
    await http().get('/api/v1/me').set('Authorization', `Bearer ${admin461}`).expect(401);
    await http().get('/api/v1/me').set('Authorization', `Bearer ${ssoAdmin}`).expect(200);
    const ORGANISATION = 'Din kommune logger ind med organisationens konto. Brug knappen til log ind med din organisation.';
    const login = (username: string, password: string, ip: string) =>
      http().post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ username, password });
    // Right or wrong, the same answer: it confirms no guessed password (one reused elsewhere).
    expect((await login('chef', PASSWORD, '203.0.113.60').expect(403)).body.message).toBe(ORGANISATION);
    expect((await login('udvalg', 'forkert-kodeord', '203.0.113.60').expect(403)).body.message).toBe(ORGANISATION);
    // An unknown name says only that it is wrong.
    await login('findes-ikke', 'forkert-kodeord', '203.0.113.60').expect(401);
    // Every try counts, the right password too (it resets nothing): five from one address, then 429.
    for (let i = 0; i < 5; i++) await login('teamleder', i % 2 ? PASSWORD : 'forkert-kodeord', '203.0.113.61').expect(403);
    await login('teamleder', PASSWORD, '203.0.113.61').expect(429);
    // Another municipality and the product administrator are not affected.
    await tokenFor(app, 'chef-kbh');
    await tokenFor(app, 'admin');
    await policy(ssoAdmin, true).expect(200);
    await tokenFor(app, 'chef');
  });
});
