import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { DUBU_SMALL, DUBU_SMALL_D } from '../support/fixtures';

describe('goals and comments over HTTP', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const as = (u: string) => ({ Authorization: `Bearer ${tokens[u]}` });
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, DUBU_SMALL, { pseudonymSecret: TEST_SECRET, exportDate: DUBU_SMALL_D });
    await seedUsers(db, 461, 'Team Syd');
    app = await startTestApi(db);
    for (const u of ['udvalg', 'chef', 'teamleder', 'admin']) tokens[u] = await tokenFor(app, u);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('lets admin manage goals, the committee read them, and nobody else write them', async () => {
    const goal = {
      municipality: 461,
      kpi: 'activity.family_care_share',
      title: 'Mindst 65 % i familiepleje',
      direction: '>=',
      target: 0.65,
      tolerance: 0.05,
      policyText: 'Børne- og ungepolitikken: flere børn i familier',
    };
    await http().post('/api/v1/goals').set(as('chef')).send(goal).expect(403);
    const created = await http().post('/api/v1/goals').set(as('admin')).send(goal).expect(201);
    const list = await http().get('/api/v1/goals').set(as('udvalg')).expect(200);
    expect(list.body).toEqual([
      expect.objectContaining({ id: created.body.id, kpi: 'activity.family_care_share', target: 0.65, tolerance: 0.05, direction: '>=' }),
    ]);
    await http().get('/api/v1/goals').set(as('teamleder')).expect(403);
    const bad = await http()
      .post('/api/v1/goals')
      .set(as('admin'))
      .send({ ...goal, kpi: 'caseload.unassigned' })
      .expect(400);
    expect(bad.body.message).toMatch(/nøgletal med én værdi/);
    await http()
      .put(`/api/v1/goals/${created.body.id}`)
      .set(as('admin'))
      .send({ ...goal, target: 0.7 })
      .expect(200);
    expect((await http().get('/api/v1/goals').set(as('chef')).expect(200)).body[0].target).toBe(0.7);
    const status = await http().get('/api/v1/kpis?ids=goal.status').set(as('udvalg')).expect(200);
    expect(status.body.kpis['goal.status'][0]).toMatchObject({ title: 'Mindst 65 % i familiepleje', value: null, status: null });
    await http().delete(`/api/v1/goals/${created.body.id}`).set(as('admin')).expect(204);
  });

  it('answers an id no row can have with 400 in Danish, not a database error', async () => {
    for (const [method, path, message] of [
      ['delete', '/api/v1/goals/3112991234', 'Målets id skal være et heltal'],
      ['delete', '/api/v1/goals/0', 'Målets id skal være et heltal'],
      ['delete', '/api/v1/goals/1.5', 'Målets id skal være et heltal'],
      ['delete', '/api/v1/comparison-groups/99999999999?municipality=461', 'Sammenligningsgruppens id skal være et heltal'],
      ['delete', '/api/v1/sso/group-mappings/2147483648', 'Gruppeopsætningens id skal være et heltal'],
      ['get', '/api/v1/imports/99999999999999999/issues', 'Importens id skal være et heltal'],
    ] as const) {
      const res = await http()[method](path).set(as('admin'));
      expect([path, res.status, res.body.message]).toEqual([path, 400, message]);
    }
    // The largest a serial column holds is an id like any other: not found.
    await http().delete('/api/v1/goals/2147483647').set(as('admin')).expect(404);
  });

  it('lets chef and admin write the comment per budget line and goal, and everybody read it', async () => {
    const comment = {
      subjectType: 'budget',
      subjectKey: '5.28.20',
      period: '2024',
      text: 'Merforbruget skyldes to nye anbringelser på opholdssted.',
    };
    await http().put('/api/v1/comments').set(as('teamleder')).send(comment).expect(403);
    await http().put('/api/v1/comments').set(as('chef')).send(comment).expect(200);
    await http()
      .put('/api/v1/comments')
      .set(as('chef'))
      .send({ ...comment, text: '' })
      .expect(400);
    // The committee reads the comment, not who wrote it (it is shown no usernames); the chief sees both.
    const read = await http().get('/api/v1/comments?period=2024').set(as('udvalg')).expect(200);
    expect(read.body).toEqual([
      expect.objectContaining({ subjectType: 'budget', subjectKey: '5.28.20', text: comment.text, author: null }),
    ]);
    const chief = await http().get('/api/v1/comments?period=2024').set(as('chef')).expect(200);
    expect(chief.body).toEqual([expect.objectContaining({ text: comment.text, author: 'chef' })]);
  });

  it('refuses in Danish a goal or comment for the committee holding a CPR number or a name, and stores nothing', async () => {
    const NAME = (field: string, name: string) =>
      `${field} ser ud til at indeholde et navn (${name}). Skriv uden navne, fx "pigen på 12 år" eller "rådgiveren"; udvalget må ikke kunne genkende barnet.`;
    const comment = { subjectType: 'goal', subjectKey: '1', period: '2024-03' };
    const refusals: [object, string][] = [
      [
        { text: 'Merforbruget skyldes barnet 010203-1234.' },
        'Kommentaren ser ud til at indeholde et CPR-nummer. Skriv aldrig CPR-numre i tekster, som udvalget læser.',
      ],
      // A common name (the contract's list), and a caseworker of the municipality's data (the API's check).
      [{ text: 'Anbringelsen af Peter blev dyrere end ventet.' }, NAME('Kommentaren', 'Peter')],
      [{ text: 'Friis har overtaget to tunge sager.' }, NAME('Kommentaren', 'Friis')],
      // One of the municipality's case numbers, however written: the committee could find the case
      // with it (the refusal does not repeat it). Counts and years are no case numbers.
      ...['Merforbruget skyldes især sag S2.', 'Sagerne s1/S2 er dyre.', 'Se »S2«-sagen.'].map((text): [object, string] => [
        { text },
        'Kommentaren ser ud til at indeholde et sagsnummer. Skriv uden sagsnumre; udvalget må ikke kunne finde sagen.',
      ]),
    ];
    for (const [body, message] of refusals)
      expect(
        (
          await http()
            .put('/api/v1/comments')
            .set(as('chef'))
            .send({ ...comment, ...body })
            .expect(400)
        ).body.message,
      ).toBe(message);
    expect((await http().get('/api/v1/comments?period=2024-03').set(as('chef')).expect(200)).body).toEqual([]);

    const goal = { kpi: 'activity.family_care_share', title: 'Flere i familiepleje', direction: '>=', target: 0.6 };
    for (const [body, message] of [
      [{ title: 'Som Friis foreslog' }, NAME('Målets titel', 'Friis')],
      [{ policyText: 'Ønsket fra Gitte i udvalget' }, NAME('Den politiske tekst', 'Gitte')],
      [
        { policyText: 'Se 0102031234' },
        'Den politiske tekst ser ud til at indeholde et CPR-nummer. Skriv aldrig CPR-numre i tekster, som udvalget læser.',
      ],
    ] as [object, string][])
      expect(
        (
          await http()
            .post('/api/v1/goals')
            .set(as('admin'))
            .send({ ...goal, ...body })
            .expect(400)
        ).body.message,
      ).toBe(message);
    expect((await http().get('/api/v1/goals').set(as('admin')).expect(200)).body).toEqual([]);
    // A surname that is also an everyday word counts only when written as a name.
    await http()
      .post('/api/v1/goals')
      .set(as('admin'))
      .send({ ...goal, policyText: 'Børn i familiepleje, også på en holm' })
      .expect(201);
  });

  it("refuses a comparison group's name the committee would read with a CPR number, a name or a case number", async () => {
    const group = (name: string) => ({ municipality: 461, name, members: [101, 147] });
    const refusals: [string, string | RegExp][] = [
      ['Som barnet 010203-1234', /^Gruppens navn ser ud til at indeholde et CPR-nummer/],
      ['Peters kommuner', /^Gruppens navn ser ud til at indeholde et navn \(Peters\)/],
      // The municipality's own caseworker (Bach) and case number (S2): only its data knows them.
      ['Bach-gruppen', /^Gruppens navn ser ud til at indeholde et navn \(Bach\)/],
      ['Som sag S2', /^Gruppens navn ser ud til at indeholde et sagsnummer/],
      ['', 'Gruppen skal have et navn (højst 100 tegn)'],
    ];
    for (const [name, message] of refusals)
      expect((await http().post('/api/v1/comparison-groups').set(as('chef')).send(group(name)).expect(400)).body.message).toMatch(message);
    // Municipalities' names are no persons' names.
    const ok = await http().post('/api/v1/comparison-groups').set(as('chef')).send(group('København og Frederiksberg')).expect(201);
    const listed = (await http().get('/api/v1/comparison-groups?municipality=461').set(as('udvalg')).expect(200)).body;
    expect(listed.map((g: { id: number; name: string }) => [g.id, g.name])).toEqual([[ok.body.id, 'København og Frederiksberg']]);
    await http().delete(`/api/v1/comparison-groups/${ok.body.id}?municipality=461`).set(as('chef')).expect(204);
  });
});
