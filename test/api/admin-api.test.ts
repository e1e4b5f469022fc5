import type { INestApplication } from '@nestjs/common';
import { join } from 'path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { FIXTURES } from '../support/fixtures';

// The administrator's settings and users over HTTP, on test/fixtures/dubu-deadlines at D = 30-04-2024.
describe('settings and users, managed by the administrator', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const as = (user: string) => ({
    get: (path: string) => request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${tokens[user]}`),
    put: (path: string, body: object) => request(app.getHttpServer()).put(path).set('Authorization', `Bearer ${tokens[user]}`).send(body),
    post: (path: string, body: object) => request(app.getHttpServer()).post(path).set('Authorization', `Bearer ${tokens[user]}`).send(body),
    delete: (path: string) => request(app.getHttpServer()).delete(path).set('Authorization', `Bearer ${tokens[user]}`),
  });
  const vsNorm = async () =>
    (await as('chef').get('/api/v1/kpis?ids=caseload.vs_norm').expect(200)).body.kpis['caseload.vs_norm'] as Record<string, number>;

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, join(FIXTURES, 'dubu-deadlines'), { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' });
    await seedUsers(db, 461, 'Team Nord');
    app = await startTestApi(db);
    for (const u of ['chef', 'admin', 'teamleder']) tokens[u] = await tokenFor(app, u);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('lists every setting with its default, and the value the KPIs use', async () => {
    const list = (await as('chef').get('/api/v1/settings?municipality=461').expect(200)).body as {
      key: string;
      default: unknown;
      value: unknown;
      municipality: unknown;
      description: string;
    }[];
    expect(list.map((s) => s.key)).toEqual([
      'caseload.weights',
      'caseload.norms',
      'caseload.light',
      'intake_team',
      'followup.default_cadence_months',
      'budget.forecast',
      'budget.light',
      'budget.function_map',
      'data.max_age_days',
      'import.max_shrink_share',
      'retention.import_issue_values_days',
      'retention.job_results_days',
      'retention.audit_days',
      'retention.upload_days',
      'retention.review_days',
      'retention.report_days',
    ]);
    const norms = list.find((s) => s.key === 'caseload.norms')!;
    expect(norms).toMatchObject({ default: { Udsatte: 40, Handicap: 55 }, value: { Udsatte: 40, Handicap: 55 }, municipality: null });
    expect(norms.description).toContain('Norm');
  });

  it('changes a norm for the municipality: caseload.vs_norm follows at once; removing it restores the default', async () => {
    // Default (libs/kpi/src/caseload/vs-norm.spec.ts): AA 3/40 + 1/55.
    expect((await vsNorm()).AA).toBeCloseTo(3 / 40 + 1 / 55, 12);
    await as('admin')
      .put('/api/v1/settings/caseload.norms', { municipality: 461, value: { Udsatte: 30, Handicap: 50 } })
      .expect(200);
    // AA: Udsatte C1, C2, C4 → 3/30; Handicap C3 → 1/50. CC: 2/30.
    const changed = await vsNorm();
    expect(changed.AA).toBeCloseTo(3 / 30 + 1 / 50, 12);
    expect(changed.CC).toBeCloseTo(2 / 30, 12);
    const listed = (await as('admin').get('/api/v1/settings?municipality=461').expect(200)).body.find(
      (s: { key: string }) => s.key === 'caseload.norms',
    );
    expect(listed).toMatchObject({ municipality: { Udsatte: 30, Handicap: 50 }, value: { Udsatte: 30, Handicap: 50 } });

    await as('admin').delete('/api/v1/settings/caseload.norms?municipality=461').expect(204);
    expect((await vsNorm()).AA).toBeCloseTo(3 / 40 + 1 / 55, 12);
    const again = await as('admin').delete('/api/v1/settings/caseload.norms?municipality=461').expect(404);
    expect(again.body.message).toContain('ingen egen værdi');
  });

  it('refuses a value the KPIs cannot use, with a Danish message, and changes nothing', async () => {
    const bad: [string, unknown, RegExp][] = [
      ['caseload.norms', { Udsatte: 0 }, /antal sager over 0/],
      ['caseload.weights', { placement: 1.5 }, /placement, investigation, preventive og none/],
      ['budget.forecast', 'guess', /"linear" eller "activity"/],
      ['followup.default_cadence_months', 2.5, /helt antal måneder/],
      ['budget.function_map', { Plejefamilie: '5.28' }, /5\.28\.20/],
      ['import.max_shrink_share', 1.5, /andel fra 0 til 1/],
      ['import.max_shrink_share', '10 %', /andel fra 0 til 1/],
      ['no.such.setting', 1, /Ukendt indstilling/],
    ];
    for (const [key, value, message] of bad) {
      const res = await as('admin').put(`/api/v1/settings/${key}`, { municipality: 461, value }).expect(400);
      expect(res.body.message, key).toMatch(message);
    }
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM setting');
    expect(rows[0].n).toBe(0);
    // Product-wide (municipality 0): only a product administrator; the chief reads but never writes.
    await as('admin').put('/api/v1/settings/intake_team', { municipality: 0, value: 'Modtagelsen' }).expect(200);
    await as('chef').put('/api/v1/settings/intake_team', { municipality: 461, value: 'X' }).expect(403);
  });

  it('creates a user who can log in with the role and team, lists users without passwords, and deletes them', async () => {
    const created = await as('admin')
      .post('/api/v1/users', {
        username: 'ny.leder',
        password: 'en-lang-adgangskode',
        role: 'teamleder',
        municipality: 461,
        teams: ['Team Syd'],
      })
      .expect(201);
    expect(created.body).toEqual({ username: 'ny.leder' });
    const login = await request(app.getHttpServer())
      .post('/api/v1/auth/login')
      .send({ username: 'ny.leder', password: 'en-lang-adgangskode' })
      .expect(200);
    // The administrator's password is the new user's only until they choose their own (ADR 0117).
    expect(login.body.user).toEqual({
      username: 'ny.leder',
      role: 'teamleder',
      municipalities: [461],
      teams: ['Team Syd'],
      passwordChange: true,
    });
    const chosen = await request(app.getHttpServer())
      .post('/api/v1/auth/password')
      .set('Authorization', `Bearer ${login.body.token}`)
      .send({ password: 'en-lang-adgangskode', newPassword: 'lederens-egen-kode' })
      .expect(200);
    // The new team leader sees Team Syd's caseworker only (CC, libs/kpi/src/caseload/open-cases.spec.ts).
    const own = await request(app.getHttpServer())
      .get('/api/v1/kpis?ids=caseload.open_cases')
      .set('Authorization', `Bearer ${chosen.body.token}`)
      .expect(200);
    expect(own.body.kpis['caseload.open_cases']).toEqual({ CC: 2 });

    const users = (await as('admin').get('/api/v1/users').expect(200)).body as Record<string, unknown>[];
    expect(users.map((u) => u.username)).toEqual(['admin', 'chef', 'chef-kbh', 'ny.leder', 'teamleder', 'udvalg']);
    expect(users.find((u) => u.username === 'ny.leder')).toMatchObject({ role: 'teamleder', municipality: 461, teams: ['Team Syd'] });
    expect(JSON.stringify(users)).not.toMatch(/password|\$2[aby]\$/);

    const refused: [object, RegExp][] = [
      [{ username: 'kort', password: 'kort', role: 'chef', municipality: 461 }, /mindst 10 tegn/],
      [{ username: 'x', password: 'en-lang-adgangskode', role: 'chef', municipality: 461 }, /Ugyldigt brugernavn/],
      // The audit log keeps usernames for years: none may look like a CPR number, and the answer does not repeat it.
      [
        { username: '010190-1234', password: 'en-lang-adgangskode', role: 'chef', municipality: 461 },
        /^Et brugernavn må ikke ligne et CPR-nummer/,
      ],
      [
        { username: 'bo0101901234', password: 'en-lang-adgangskode', role: 'chef', municipality: 461 },
        /^Et brugernavn må ikke ligne et CPR-nummer/,
      ],
      [{ username: 'boss', password: 'en-lang-adgangskode', role: 'konge', municipality: 461 }, /Ukendt rolle/],
      [{ username: 'boss', password: 'en-lang-adgangskode', role: 'chef' }, /skal have en kommune/],
    ];
    for (const [body, message] of refused)
      expect((await as('admin').post('/api/v1/users', body).expect(400)).body.message).toMatch(message);

    // An action area the deleted team leader made is no longer that name's to change (a later user could take the name).
    await db.pool.query(
      `INSERT INTO review_action_area (municipality_code, title, owner, created_by) VALUES (461, 'Netværket', 'Team Syd', 'ny.leder')`,
    );
    await as('admin').delete('/api/v1/users/ny.leder').expect(204);
    expect((await db.pool.query(`SELECT created_by FROM review_action_area WHERE title = 'Netværket'`)).rows).toEqual([
      { created_by: 'slettet' },
    ]);
    await request(app.getHttpServer())
      .post('/api/v1/auth/login')
      .send({ username: 'ny.leder', password: 'en-lang-adgangskode' })
      .expect(401);
    await as('admin').delete('/api/v1/users/ny.leder').expect(404);
    expect((await as('admin').delete('/api/v1/users/admin').expect(400)).body.message).toBe('Du kan ikke slette dig selv');
  });
});
