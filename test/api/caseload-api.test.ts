import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { seedUsers, startTestApi, tokenFor, PASSWORD } from '../support/api';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { DUBU_SMALL, DUBU_SMALL_D } from '../support/fixtures';

describe('API over HTTP: login, health, caseload.open_cases per role', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, DUBU_SMALL, { pseudonymSecret: TEST_SECRET, exportDate: DUBU_SMALL_D });
    await seedUsers(db, 461, 'Team Syd');
    app = await startTestApi(db, { apiDocs: 'admin' });
    for (const u of ['udvalg', 'chef', 'teamleder', 'admin', 'chef-kbh']) tokens[u] = await tokenFor(app, u);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('answers health with database and queue status', async () => {
    const res = await http().get('/api/health').expect(200);
    expect(res.body).toEqual({ status: 'ok', database: 'up', queue: { backend: 'postgres', status: 'up' } });
  });

  it('rejects a wrong password with a Danish message, and unknown users alike', async () => {
    const wrong = await http().post('/api/v1/auth/login').send({ username: 'chef', password: 'nope' }).expect(401);
    expect(wrong.body.message).toBe('Forkert brugernavn eller adgangskode');
    await http().post('/api/v1/auth/login').send({ username: 'nobody', password: PASSWORD }).expect(401);
  });

  it('needs a token for data', async () => {
    await http().get('/api/v1/kpis').expect(401);
    await http().get('/api/v1/kpis').set('Authorization', 'Bearer not-a-token').expect(401);
  });

  it('serves the OpenAPI document to an administrator (API_DOCS=admin)', async () => {
    await http().get('/api/docs-json').set('Authorization', `Bearer ${tokens.chef}`).expect(403);
    const res = await http().get('/api/docs-json').set('Authorization', `Bearer ${tokens.admin}`).expect(200);
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/api/v1/kpis', '/api/v1/auth/login', '/api/health']));
  });

  it('gives the chief every caseworker, with the default as-of date = the export date', async () => {
    const res = await http().get('/api/v1/kpis?ids=caseload.open_cases').set('Authorization', `Bearer ${tokens.chef}`).expect(200);
    expect(res.body.asOf).toBe('2024-02-29');
    expect(res.body.period).toEqual({ from: '2024-01-01', to: '2024-02-29' });
    expect(res.body.municipality).toBe(461);
    expect(res.body.kpis['caseload.open_cases']).toEqual({ AB: 2, CD: 1, EF: 4, IJ: 0 });
    expect(res.body.dimensions.caseworker.CD).toEqual({
      name: 'Carl Dahl',
      team: 'Team Nord',
      jobTitle: 'Rådgiver',
      employedTo: '2024-01-31',
    });
  });

  it('honours asOf', async () => {
    const res = await http()
      .get('/api/v1/kpis?ids=caseload.open_cases&asOf=2024-03-01')
      .set('Authorization', `Bearer ${tokens.chef}`)
      .expect(200);
    expect(res.body.kpis['caseload.open_cases']).toEqual({ AB: 2, CD: 1, EF: 3, GH: 0, IJ: 0 });
  });

  it("scopes the team leader to the own team's caseworkers", async () => {
    const res = await http().get('/api/v1/kpis?ids=caseload.open_cases').set('Authorization', `Bearer ${tokens.teamleder}`).expect(200);
    expect(res.body.kpis['caseload.open_cases']).toEqual({ EF: 4, IJ: 0 });
  });

  it("sends the caseload light's limits from the municipality's setting, the default until it sets one", async () => {
    const lights = async () =>
      (
        await http()
          .get('/api/v1/kpis?ids=caseload.vs_norm,caseload.open_cases')
          .set('Authorization', `Bearer ${tokens.teamleder}`)
          .expect(200)
      ).body.lights;
    // Only the KPI with a light has limits; the default is KPIS.md's 1,0 / 1,15.
    expect(await lights()).toEqual({ 'caseload.vs_norm': { green: 1, yellow: 1.15 } });
    await http()
      .put('/api/v1/settings/caseload.light')
      .set('Authorization', `Bearer ${tokens.admin}`)
      .send({ municipality: 461, value: { green: 0.9, yellow: 1.05 } })
      .expect(200);
    try {
      expect(await lights()).toEqual({ 'caseload.vs_norm': { green: 0.9, yellow: 1.05 } });
    } finally {
      await http().delete('/api/v1/settings/caseload.light?municipality=461').set('Authorization', `Bearer ${tokens.admin}`).expect(204);
    }
    expect(await lights()).toEqual({ 'caseload.vs_norm': { green: 1, yellow: 1.15 } });
    // A figure without a light sends none.
    const plain = await http().get('/api/v1/kpis?ids=caseload.open_cases').set('Authorization', `Bearer ${tokens.teamleder}`).expect(200);
    expect(plain.body.lights).toBeUndefined();
  });

  it('keeps person-level caseload from the committee', async () => {
    await http().get('/api/v1/kpis?ids=caseload.open_cases').set('Authorization', `Bearer ${tokens.udvalg}`).expect(403);
  });

  it("keeps another municipality's data out of reach", async () => {
    await http()
      .get('/api/v1/kpis?ids=caseload.open_cases&municipality=461')
      .set('Authorization', `Bearer ${tokens['chef-kbh']}`)
      .expect(403);
    await http().get('/api/v1/kpis?ids=caseload.open_cases&municipality=101').set('Authorization', `Bearer ${tokens.chef}`).expect(403);
  });

  it('lets an administrator choose among the municipalities with data', async () => {
    const list = await http().get('/api/v1/municipalities').set('Authorization', `Bearer ${tokens.admin}`).expect(200);
    expect(list.body).toEqual([{ code: 461, name: 'Odense', exportDate: '2024-02-29', maxDataAgeDays: 7, pseudonymKeysMixed: false }]);
    const res = await http()
      .get('/api/v1/kpis?ids=caseload.open_cases&municipality=461')
      .set('Authorization', `Bearer ${tokens.admin}`)
      .expect(200);
    expect(res.body.kpis['caseload.open_cases'].EF).toBe(4);
  });

  it('answers bad parameters with 400 and a clear message', async () => {
    const auth = { Authorization: `Bearer ${tokens.chef}` };
    expect((await http().get('/api/v1/kpis?asOf=2024-02-30').set(auth).expect(400)).body.message).toMatch(/asOf skal være en dato/);
    expect((await http().get('/api/v1/kpis?ids=no.such.kpi').set(auth).expect(400)).body.message).toMatch(/Ukendt nøgletal: no.such.kpi/);
    await http().get('/api/v1/kpis?from=2024-03-01&to=2024-02-01').set(auth).expect(400);
    expect(
      (await http().get('/api/v1/kpis?ids=benchmark.activity.notifications_per_1000&group=461,abc').set(auth).expect(400)).body.message,
    ).toMatch(/Ukendt kommunekode i group/);
  });

  it('tells the user who they are', async () => {
    const res = await http().get('/api/v1/me').set('Authorization', `Bearer ${tokens.teamleder}`).expect(200);
    expect(res.body).toEqual({ username: 'teamleder', role: 'teamleder', municipalities: [461], teams: ['Team Syd'] });
  });

  it('slows down repeated failed logins', async () => {
    for (let i = 0; i < 5; i++) await http().post('/api/v1/auth/login').send({ username: 'udvalg', password: 'wrong' }).expect(401);
    await http().post('/api/v1/auth/login').send({ username: 'udvalg', password: PASSWORD }).expect(429);
  });
});
