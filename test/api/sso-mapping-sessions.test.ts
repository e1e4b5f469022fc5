import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SsoService } from '../../apps/api/src/sso/sso.service';
import type { ExternalIdentity } from '../../apps/api/src/sso/sso.types';
import { addUser } from '../../scripts/lib/users';
import { PASSWORD, seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TestDatabase } from '../support/database';
import { recordingResponse } from '../support/sso';

// Security review, item 1: an SSO user's role and teams are made from the group mappings only at
// login, so a change of a mapping (create, update, delete) ends the sessions of the municipality's
// SSO users at once; they log in again and get the mapping as it is now. Another municipality's
// users and the password sessions (the administrator making the change) are not touched.

const person = (username: string, groups: string[]): ExternalIdentity => ({
  provider: 'oidc',
  externalId: `https://idp.example|${username}`,
  username,
  email: username,
  groups,
});

describe('single sign-on: a changed group mapping ends the sessions it granted', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let sso: SsoService;
  let admin461: string;
  let admin101: string;
  const http = () => request(app.getHttpServer());
  const me = (token: string) => http().get('/api/v1/me').set('Authorization', `Bearer ${token}`);
  const as = (token: string) => ({
    post: (body: object) => http().post('/api/v1/sso/group-mappings').set('Authorization', `Bearer ${token}`).send(body),
    put: (id: number, body: object) => http().put(`/api/v1/sso/group-mappings/${id}`).set('Authorization', `Bearer ${token}`).send(body),
    delete: (id: number) => http().delete(`/api/v1/sso/group-mappings/${id}`).set('Authorization', `Bearer ${token}`),
  });
  /** A whole SSO login (provider's callback, then the web app's ticket exchange): the session's token and user. */
  const ssoLogin = async (id: ExternalIdentity) => {
    const { res, out } = recordingResponse();
    await sso.finish(res, id);
    expect(out.status, out.body).toBe(302);
    const ticket = new URLSearchParams(out.location!.split('?')[1]).get('ticket');
    const session = await http().post('/api/v1/auth/sso/exchange').set('Cookie', out.cookies.join('; ')).send({ ticket }).expect(200);
    return session.body as { token: string; user: { role: string; teams: string[] } };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedUsers(db, 461, 'Team Syd');
    await addUser(db.pool, { username: 'admin-461', password: PASSWORD, role: 'admin', municipality: 461 });
    await addUser(db.pool, { username: 'admin-101', password: PASSWORD, role: 'admin', municipality: 101 });
    app = await startTestApi(db);
    sso = app.get(SsoService);
    admin461 = await tokenFor(app, 'admin-461');
    admin101 = await tokenFor(app, 'admin-101');
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('a mapping corrected from chef to udvalg: the chef sessions it gave get 401, and the next SSO login is udvalg', async () => {
    const mistake = (await as(admin461).post({ group: 'BU-Alle', role: 'chef' }).expect(201)).body.id as number;
    await as(admin101).post({ group: 'KBH-Alle', role: 'chef' }).expect(201);
    const anne = await ssoLogin(person('anne@silkeborg.dk', ['BU-Alle']));
    const kurt = await ssoLogin(person('kurt@kk.dk', ['KBH-Alle']));
    expect(anne.user.role).toBe('chef');
    expect((await me(anne.token).expect(200)).body.role).toBe('chef');

    await as(admin461).put(mistake, { group: 'BU-Alle', role: 'udvalg' }).expect(200);

    expect((await me(anne.token).expect(401)).body.message).toBe('Din session er udløbet. Log ind igen.');
    // Person-level lists too: the token is refused, whatever it asks for.
    await http().get('/api/v1/kpis?ids=deadline.notification_due_soon').set('Authorization', `Bearer ${anne.token}`).expect(401);
    // The administrator who made the change is logged in by password and keeps the session.
    await me(admin461).expect(200);
    // Another municipality's SSO user keeps theirs.
    expect((await me(kurt.token).expect(200)).body.role).toBe('chef');

    const again = await ssoLogin(person('anne@silkeborg.dk', ['BU-Alle']));
    expect(again.user.role).toBe('udvalg');
    expect((await me(again.token).expect(200)).body.role).toBe('udvalg');
  });

  it('a deleted mapping: the sessions it gave get 401, and the next SSO login has what the remaining groups give', async () => {
    const leaders = (
      await as(admin461)
        .post({ group: 'BU-Ledere-Syd', role: 'teamleder', teams: ['Team Syd'] })
        .expect(201)
    ).body.id as number;
    const bo = await ssoLogin(person('bo@silkeborg.dk', ['BU-Alle', 'BU-Ledere-Syd']));
    expect(bo.user).toMatchObject({ role: 'teamleder', teams: ['Team Syd'] });
    const kurt = await ssoLogin(person('kurt@kk.dk', ['KBH-Alle']));

    await as(admin461).delete(leaders).expect(204);

    await me(bo.token).expect(401);
    await me(admin461).expect(200);
    await me(kurt.token).expect(200);
    const again = await ssoLogin(person('bo@silkeborg.dk', ['BU-Alle', 'BU-Ledere-Syd']));
    expect(again.user).toMatchObject({ role: 'udvalg', teams: [] });
  });

  it('a new mapping ends the municipality’s SSO sessions too (their groups may now give more or less)', async () => {
    const anne = await ssoLogin(person('anne@silkeborg.dk', ['BU-Alle', 'BU-Chefer']));
    expect(anne.user.role).toBe('udvalg');
    await as(admin461).post({ group: 'BU-Chefer', role: 'chef' }).expect(201);
    await me(anne.token).expect(401);
    expect((await ssoLogin(person('anne@silkeborg.dk', ['BU-Alle', 'BU-Chefer']))).user.role).toBe('chef');
  });

  it('an administrator cannot end another municipality’s sessions: its mappings are not theirs (404), their own changes end only their own', async () => {
    const anne = await ssoLogin(person('anne@silkeborg.dk', ['BU-Alle']));
    const kurt = await ssoLogin(person('kurt@kk.dk', ['KBH-Alle']));
    const ids = (await http().get('/api/v1/sso/group-mappings').set('Authorization', `Bearer ${admin461}`).expect(200)).body as {
      id: number;
      group: string;
    }[];
    const bu = ids.find((m) => m.group === 'BU-Alle')!.id;
    await as(admin101).put(bu, { group: 'BU-Alle', role: 'admin' }).expect(404);
    await as(admin101).delete(bu).expect(404);
    await as(admin101).post({ group: 'BU-Chefer', role: 'udvalg' }).expect(409);
    await as(admin101).post({ group: 'Anden', role: 'chef', municipality: 461 }).expect(403);
    await me(anne.token).expect(200);
    await me(kurt.token).expect(200);

    // Their own municipality's change ends their own SSO users' sessions only.
    await as(admin101).post({ group: 'KBH-Ledere', role: 'chef' }).expect(201);
    await me(kurt.token).expect(401);
    await me(anne.token).expect(200);
    await me(admin101).expect(200);
  });

  it('a product administrator (every municipality in scope) ends only the changed mapping’s municipality’s SSO sessions', async () => {
    const admin = await tokenFor(app, 'admin');
    const anne = await ssoLogin(person('anne@silkeborg.dk', ['BU-Alle']));
    const kurt = await ssoLogin(person('kurt@kk.dk', ['KBH-Alle']));
    const bu = (await db.pool.query(`SELECT id FROM sso_group_mapping WHERE group_id = 'BU-Alle'`)).rows[0].id as number;
    await as(admin).put(bu, { group: 'BU-Alle', role: 'udvalg', teams: [] }).expect(200);
    await me(anne.token).expect(401);
    await me(kurt.token).expect(200);
    await me(admin).expect(200);
  });
});
