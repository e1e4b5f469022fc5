import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuthRepository } from '../../apps/api/src/auth/auth.repository';
import { SsoService } from '../../apps/api/src/sso/sso.service';
import type { ExternalIdentity } from '../../apps/api/src/sso/sso.types';
import { addUser } from '../../scripts/lib/users';
import { PASSWORD, seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TestDatabase } from '../support/database';
import { oidcPerson, recordingResponse } from '../support/sso';

// Security review, item 1: an SSO user's role and teams are made from the group mappings only at
// login, so a change of a mapping (create, update, delete) ends the sessions of the municipality's
// SSO users at once; they log in again and get the mapping as it is now. Another municipality's
// users and the password sessions (the administrator making the change) are not touched.

const person = oidcPerson;

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
  /** The provider's callback: the ticket and the binding cookie it hands the browser. */
  const callback = async (id: ExternalIdentity) => {
    const { res, out } = recordingResponse();
    await sso.finish(res, id);
    expect(out.status, out.body).toBe(302);
    return { ticket: new URLSearchParams(out.location!.split('?')[1]).get('ticket'), cookie: out.cookies.join('; ') };
  };
  /** The web app's exchange of a ticket for a session. */
  const redeem = ({ ticket, cookie }: { ticket: string | null; cookie: string }) =>
    http().post('/api/v1/auth/sso/exchange').set('Cookie', cookie).send({ ticket });
  /** A whole SSO login (provider's callback, then the web app's ticket exchange): the session's token and user. */
  const ssoLogin = async (id: ExternalIdentity) => {
    const session = await redeem(await callback(id)).expect(200);
    return session.body as { token: string; user: { role: string; teams: string[] } };
  };
  const REDEEMED = 'Log ind-billetten er brugt eller udløbet. Log ind igen.';

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
  it('a ticket redeemed after its group mapping was corrected: 401, and the next sign-in has the corrected role', async () => {
    const id = (await as(admin461).post({ group: 'BU-Billet', role: 'chef' }).expect(201)).body.id as number;
    const handover = await callback(person('ida@silkeborg.dk', ['BU-Billet']));
    // Corrected within the ticket's minute, before the browser redeems it.
    await as(admin461).put(id, { group: 'BU-Billet', role: 'udvalg' }).expect(200);
    expect((await redeem(handover).expect(401)).body.message).toBe(REDEEMED);
    expect((await ssoLogin(person('ida@silkeborg.dk', ['BU-Billet']))).user.role).toBe('udvalg');
  });

  it('a ticket whose name went to another person before it was redeemed: 401, not that person’s session', async () => {
    const jens = (username: string, subject = 'jens'): ExternalIdentity => ({
      ...person(username, ['BU-Chefer']),
      externalId: `https://idp.example|${subject}`,
    });
    const handover = await callback(jens('jens@silkeborg.dk'));
    // The organisation renames Jens, who signs in again; the old name is given to another Jens.
    await callback(jens('jens.hansen@silkeborg.dk'));
    await callback(jens('jens@silkeborg.dk', 'jens-2'));
    expect((await redeem(handover).expect(401)).body.message).toBe(REDEEMED);
  });

  it('a mapping corrected while a sign-in reads it: the sign-in waits for the correction and gets the corrected role', async () => {
    const id = (await as(admin461).post({ group: 'BU-Samtidig', role: 'chef' }).expect(201)).body.id as number;
    expect((await ssoLogin(person('ole@silkeborg.dk', ['BU-Samtidig']))).user.role).toBe('chef');
    const client = await db.pool.connect();
    try {
      // The correction as the administration writes it (the mapping, and the municipality's SSO
      // users' token version in the same transaction), not yet committed when the sign-in starts.
      await client.query('BEGIN');
      await client.query(`UPDATE sso_group_mapping SET role = 'udvalg' WHERE id = $1`, [id]);
      await client.query(`UPDATE app_user SET token_version = token_version + 1 WHERE municipality_code = 461 AND auth_source <> 'local'`);
      const signingIn = callback(person('ole@silkeborg.dk', ['BU-Samtidig']));
      // Until the sign-in waits for a lock the correction holds (or, wrongly, finishes without).
      const waiting = async () => {
        for (let i = 0; i < 500; i++) {
          const { rows } = await db.pool.query(`SELECT 1 FROM pg_locks WHERE NOT granted`);
          if (rows.length > 0) return;
          await new Promise((r) => setTimeout(r, 10));
        }
        throw new Error('the sign-in never waited for the correction');
      };
      await Promise.race([waiting(), signingIn]);
      await client.query('COMMIT');
      const session = await redeem(await signingIn).expect(200);
      expect(session.body.user.role).toBe('udvalg');
      expect((await me(session.body.token).expect(200)).body.role).toBe('udvalg');
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  });

  it('password login turned off while a login’s password is being checked: that login gets no session', async () => {
    sso.registerProvider({ id: 'oidc', label: 'Log ind med Silkeborg Kommunes konto', loginUrl: '/api/v1/auth/oidc/login' });
    // The municipality's administrator turns it off, logged in through the organisation (by password they could not).
    await as(admin461).post({ group: 'BU-Admins', role: 'admin' }).expect(201);
    const admin = (await ssoLogin(person('it@silkeborg.dk', ['BU-Admins']))).token;
    const repository = app.get(AuthRepository);
    const loggedIn = repository.loggedIn.bind(repository);
    // After every check of the login (password, switch, code), just before its session is made.
    const spy = vi.spyOn(repository, 'loggedIn').mockImplementationOnce(async (name) => {
      await http().put('/api/v1/sso/login-policy').set('Authorization', `Bearer ${admin}`).send({ passwordLogin: false }).expect(200);
      return loggedIn(name);
    });
    try {
      const late = await http().post('/api/v1/auth/login').send({ username: 'chef', password: PASSWORD });
      expect([late.status, late.body.token]).toEqual([401, undefined]);
    } finally {
      spy.mockRestore();
    }
    expect((await http().post('/api/v1/auth/login').send({ username: 'chef', password: PASSWORD }).expect(403)).body.message).toBe(
      'Din kommune logger ind med organisationens konto. Brug knappen til log ind med din organisation.',
    );
    // A wrong password of a known user of that municipality gets the same answer (one query, as for any name).
    await http().post('/api/v1/auth/login').send({ username: 'udvalg', password: 'forkert-kodeord' }).expect(403);
    await http().post('/api/v1/auth/login').send({ username: 'findes-ikke', password: 'forkert-kodeord' }).expect(401);
    // The product administrator keeps the password.
    await tokenFor(app, 'admin');
  });
});
