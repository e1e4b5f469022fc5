import type { INestApplication } from '@nestjs/common';
import { join } from 'path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ReviewsRepository } from '../../apps/api/src/reviews/reviews.repository';
import { importDubu } from '@bu/etl';
import { addUser } from '../../scripts/lib/users';
import { PASSWORD, seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { FIXTURES } from '../support/fixtures';

// Who may read and write a round's dialogue meetings, over HTTP on test/fixtures/dubu-deadlines at
// D = 30-04-2024 (C1 is Team Nord's, C7 and C9 Team Syd's): the round's own visibility, also for a
// meeting that lists no case, and the audit of every read of meetings' notes.
const D = '2024-04-30';

describe('case review: who reads and writes a round’s dialogue meetings', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const call = (user: string, method: 'get' | 'post' | 'put', path: string, body?: object) => {
    const req = request(app.getHttpServer())[method](`/api/v1${path}`).set('Authorization', `Bearer ${tokens[user]}`);
    return body ? req.send(body) : req;
  };
  const meeting = (over: object = {}) => ({
    date: '2024-05-20',
    participants: ['Rådgivere', 'Teamleder'],
    cases: [],
    notes: 'Overblik over gennemgangen: barnets perspektiv mangler i flere sager.',
    ...over,
  });
  const round = async (user: string, cases: string[]) =>
    (
      await call(user, 'post', '/reviews', {
        title: 'Læringsgennemgang',
        sampling: { kind: 'chosen', cases: cases.map((c) => ({ case: c })) },
      }).expect(201)
    ).body.id as number;
  const meetingReads = async (user: string) =>
    (
      await db.pool.query(
        `SELECT l.detail, s.case_ids FROM audit_log l LEFT JOIN audit_case_set s ON s.id = l.case_set_id
          WHERE l.action = 'read:review-meetings' AND l.username = $1 ORDER BY l.id`,
        [user],
      )
    ).rows;

  // Team Syd's cases only: the chief's round and a round Team Syd's team leader drew.
  let chiefs: number;
  let syds: number;
  // The chief's round of both teams, and a round Team Nord's team leader drew.
  let mixed: number;
  let nords: number;
  let minutes: number;
  let sydMinutes: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, join(FIXTURES, 'dubu-deadlines'), { pseudonymSecret: TEST_SECRET, exportDate: D });
    await seedUsers(db, 461, 'Team Nord');
    await addUser(db.pool, { username: 'teamleder-syd', password: PASSWORD, role: 'teamleder', municipality: 461, teams: ['Team Syd'] });
    app = await startTestApi(db);
    for (const u of ['chef', 'teamleder', 'teamleder-syd']) tokens[u] = await tokenFor(app, u);
    chiefs = await round('chef', ['C9', 'C7']);
    syds = await round('teamleder-syd', ['C7']);
    mixed = await round('chef', ['C1', 'C9']);
    nords = await round('teamleder', ['C1']);
    minutes = (await call('chef', 'post', `/reviews/${chiefs}/meetings`, meeting()).expect(201)).body.id;
    await call('chef', 'post', `/reviews/${chiefs}/meetings`, meeting({ cases: ['C9'], notes: 'C9: netværket er ikke afdækket.' })).expect(
      201,
    );
    sydMinutes = (await call('teamleder-syd', 'post', `/reviews/${syds}/meetings`, meeting()).expect(201)).body.id;
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it("answers another team's team leader 404 on the meetings of a round it cannot see, as on the round", async () => {
    // Every attempt is made before anything is asserted, so a write let through shows in the next test too.
    const answers: [string, number, string][] = [];
    const expected: [string, number, string][] = [];
    for (const [id, m] of [
      [chiefs, minutes],
      [syds, sydMinutes],
    ]) {
      const attempts = {
        [`GET /reviews/${id}`]: call('teamleder', 'get', `/reviews/${id}`),
        [`GET /reviews/${id}/meetings`]: call('teamleder', 'get', `/reviews/${id}/meetings`),
        [`POST /reviews/${id}/meetings`]: call('teamleder', 'post', `/reviews/${id}/meetings`, meeting({ notes: 'Nyt referat' })),
        [`PUT /reviews/${id}/meetings/${m}`]: call('teamleder', 'put', `/reviews/${id}/meetings/${m}`, meeting({ notes: 'Overskrevet' })),
      };
      for (const [what, attempt] of Object.entries(attempts)) {
        const res = await attempt;
        answers.push([what, res.status, res.body.message]);
        expected.push([what, 404, `Gennemgang ${id} findes ikke`]);
      }
    }
    expect(answers).toEqual(expected);
    expect(await meetingReads('teamleder')).toEqual([]);
  });

  it("leaves the chief's and the other team's minutes as they were", async () => {
    const chief = (await call('chef', 'get', `/reviews/${chiefs}/meetings`).expect(200)).body;
    expect(chief.map((m: { cases: string[]; notes: string }) => [m.cases, m.notes])).toEqual([
      [[], 'Overblik over gennemgangen: barnets perspektiv mangler i flere sager.'],
      [['C9'], 'C9: netværket er ikke afdækket.'],
    ]);
    const syd = (await call('teamleder-syd', 'get', `/reviews/${syds}/meetings`).expect(200)).body;
    expect(syd).toEqual([expect.objectContaining({ id: sydMinutes, notes: meeting().notes, createdBy: 'teamleder-syd' })]);
  });

  it('audits a read of meetings at round level, also of a meeting that discusses no case', async () => {
    const before = (await meetingReads('chef')).length;
    const res = await call('chef', 'get', `/reviews/${chiefs}/meetings`).expect(200);
    const ids = res.body.map((m: { id: number }) => m.id);
    expect((await meetingReads('chef')).slice(before)).toEqual([{ detail: { review: chiefs, meetings: ids }, case_ids: ['C9'] }]);

    await call('teamleder-syd', 'get', `/reviews/${syds}/meetings`).expect(200);
    expect((await meetingReads('teamleder-syd')).at(-1)).toEqual({ detail: { review: syds, meetings: [sydMinutes] }, case_ids: null });
  });

  it('lets a team leader hold a meeting without cases on a round drawn among the own teams only, and read it back', async () => {
    const own = (await call('teamleder', 'post', `/reviews/${nords}/meetings`, meeting()).expect(201)).body.id;
    await call('teamleder', 'put', `/reviews/${nords}/meetings/${own}`, meeting({ participants: ['Rådgivere'] })).expect(200);
    expect((await call('teamleder', 'get', `/reviews/${nords}/meetings`).expect(200)).body.map((m: { id: number }) => m.id)).toEqual([own]);
    expect((await meetingReads('teamleder')).at(-1)).toEqual({ detail: { review: nords, meetings: [own] }, case_ids: null });
    await call('teamleder-syd', 'get', `/reviews/${nords}/meetings`).expect(404);
    await call('teamleder-syd', 'put', `/reviews/${nords}/meetings/${own}`, meeting()).expect(404);
  });

  it("hides the chief's meeting without cases on a round the team leader shares with other teams, and refuses writing one", async () => {
    const whole = (await call('chef', 'post', `/reviews/${mixed}/meetings`, meeting()).expect(201)).body.id;
    const nord = (await call('chef', 'post', `/reviews/${mixed}/meetings`, meeting({ cases: ['C1'] })).expect(201)).body.id;
    await call('teamleder', 'get', `/reviews/${mixed}`).expect(200);
    expect((await call('teamleder', 'get', `/reviews/${mixed}/meetings`).expect(200)).body.map((m: { id: number }) => m.id)).toEqual([
      nord,
    ]);
    await call('teamleder', 'put', `/reviews/${mixed}/meetings/${whole}`, meeting({ notes: 'Overskrevet' })).expect(404);
    const refused = await call('teamleder', 'post', `/reviews/${mixed}/meetings`, meeting()).expect(403);
    expect(refused.body.message).toMatch(/^Et møde uden drøftede sager handler om hele gennemgangen/);
    // Nor may the team leader turn the own meeting into one without cases.
    await call('teamleder', 'put', `/reviews/${mixed}/meetings/${nord}`, meeting()).expect(403);
    const chief = (await call('chef', 'get', `/reviews/${mixed}/meetings`).expect(200)).body;
    expect(chief.map((m: { id: number; cases: string[]; notes: string }) => [m.id, m.cases, m.notes])).toEqual([
      [whole, [], meeting().notes],
      [nord, ['C1'], meeting().notes],
    ]);
  });

  it('answers a team leader 404 on linking an action area to a round it cannot see, and links its own', async () => {
    const area = (round: number) => ({
      title: 'Samtale med barnet før afgørelse',
      owner: 'Team Nord',
      due: '2024-12-31',
      items: ['formal.child_conversation'],
      round,
    });
    for (const id of [chiefs, syds])
      expect((await call('teamleder', 'post', '/reviews/actions', area(id)).expect(404)).body.message).toBe(`Gennemgang ${id} findes ikke`);
    const own = (await call('teamleder', 'post', '/reviews/actions', area(nords)).expect(201)).body.id as number;
    await call('teamleder', 'put', `/reviews/actions/${own}`, area(chiefs)).expect(404);
    // The chief links any round of the municipality.
    const chiefsArea = (await call('chef', 'post', '/reviews/actions', area(syds)).expect(201)).body.id as number;
    // The team leader neither relinks nor unlinks (nor rewrites) an area linked to a round it cannot see.
    await call('teamleder', 'put', `/reviews/actions/${chiefsArea}`, area(nords)).expect(404);
    const { round: _round, ...unlinked } = area(nords);
    await call('teamleder', 'put', `/reviews/actions/${chiefsArea}`, { ...unlinked, title: 'Ændret' }).expect(404);
    const stored = (await call('chef', 'get', '/reviews/actions').expect(200)).body.find((a: { id: number }) => a.id === chiefsArea);
    expect(stored).toMatchObject({ round: syds, title: 'Samtale med barnet før afgørelse' });
    // Its own area it still changes.
    await call('teamleder', 'put', `/reviews/actions/${own}`, { ...unlinked, title: 'Ændret' }).expect(200);
  });

  it('answers a team leader 403 on an action area linked to no round that someone else made, and lets it change its own', async () => {
    const area = { title: 'Netværket afdækkes', owner: 'Chefen', due: '2024-12-31', items: ['pro.network'] };
    const chiefsArea = (await call('chef', 'post', '/reviews/actions', area).expect(201)).body.id as number;
    const ownArea = (await call('teamleder', 'post', '/reviews/actions', { ...area, owner: 'Team Nord' }).expect(201)).body.id as number;
    const REFUSED =
      /^Et indsatsområde uden gennemgang kan kun ændres af den, der oprettede det, af det team, der ejer det, eller af chefen/;
    // Neither rewritten, nor taken over by linking it to its own round; nor another team leader's.
    expect(
      (await call('teamleder', 'put', `/reviews/actions/${chiefsArea}`, { ...area, status: 'gennemfoert' }).expect(403)).body.message,
    ).toMatch(REFUSED);
    await call('teamleder', 'put', `/reviews/actions/${chiefsArea}`, { ...area, round: nords }).expect(403);
    await call('teamleder-syd', 'put', `/reviews/actions/${ownArea}`, { ...area, title: 'Ændret' }).expect(403);
    const stored = (await call('chef', 'get', '/reviews/actions').expect(200)).body as {
      id: number;
      round: number | null;
      title: string;
      status: string;
    }[];
    expect(stored.find((a) => a.id === chiefsArea)).toMatchObject({ round: null, title: area.title, status: 'planlagt' });
    expect(stored.find((a) => a.id === ownArea)).toMatchObject({ title: area.title });
    // Its own it changes and links; the chief changes any.
    await call('teamleder', 'put', `/reviews/actions/${ownArea}`, { ...area, owner: 'Team Nord', round: nords }).expect(200);
    await call('chef', 'put', `/reviews/actions/${ownArea}`, { ...area, owner: 'Team Nord', status: 'i_gang' }).expect(200);
  });

  it("answers a team leader 403 on another's action area linked to the chief's round of several teams, and lets it change its own there", async () => {
    const area = { title: 'Barnets netværk', owner: 'Chefen', due: '2024-12-31', items: ['pro.network'], round: mixed };
    const chiefsArea = (await call('chef', 'post', '/reviews/actions', area).expect(201)).body.id as number;
    const REFUSED =
      /^Et indsatsområde i en gennemgang, der ikke er udtrukket blandt dine egne teams, kan kun ændres af den, der oprettede det, af det team, der ejer det, eller af chefen/;
    // The team leader sees the round (it holds a Team Nord case) but neither gives the area up, nor
    // rewrites it, nor takes it over by linking it to its own round, nor unlinks it.
    expect(
      (await call('teamleder', 'put', `/reviews/actions/${chiefsArea}`, { ...area, status: 'opgivet' }).expect(403)).body.message,
    ).toMatch(REFUSED);
    await call('teamleder', 'put', `/reviews/actions/${chiefsArea}`, { ...area, round: nords }).expect(403);
    await call('teamleder', 'put', `/reviews/actions/${chiefsArea}`, { ...area, round: null }).expect(403);
    const stored = (await call('chef', 'get', '/reviews/actions').expect(200)).body.find((a: { id: number }) => a.id === chiefsArea);
    expect(stored).toMatchObject({ round: mixed, title: area.title, status: 'planlagt' });
    // Its own area on the same round it changes; Team Syd's team leader not.
    const own = (await call('teamleder', 'post', '/reviews/actions', { ...area, owner: 'Team Nord' }).expect(201)).body.id as number;
    await call('teamleder', 'put', `/reviews/actions/${own}`, { ...area, owner: 'Team Nord', status: 'i_gang' }).expect(200);
    await call('teamleder-syd', 'put', `/reviews/actions/${own}`, { ...area, owner: 'Team Syd' }).expect(403);
    // An area the chief gave Team Nord to own, Team Nord's team leader follows up (its owner, any letter case); Team Syd's not.
    const given = (await call('chef', 'post', '/reviews/actions', { ...area, owner: 'team nord' }).expect(201)).body.id as number;
    await call('teamleder', 'put', `/reviews/actions/${given}`, { ...area, owner: 'team nord', status: 'i_gang' }).expect(200);
    await call('teamleder-syd', 'put', `/reviews/actions/${given}`, { ...area, owner: 'team nord', status: 'opgivet' }).expect(403);
  });

  it("answers a team leader 409, and changes nothing, when the area's round changed between its check and its update", async () => {
    const area = { title: 'Barnets perspektiv', owner: 'Team Nord', due: '2024-12-31', items: ['formal.child_conversation'] };
    const own = (await call('teamleder', 'post', '/reviews/actions', area).expect(201)).body.id as number;
    // The chief links the area to a round the team leader cannot see just after the team leader's
    // check has read it: the check's answer is then stale.
    const repository = app.get(ReviewsRepository);
    const read = repository.actionAreas.bind(repository);
    const spy = vi.spyOn(repository, 'actionAreas').mockImplementationOnce(async (municipality, id) => {
      const rows = await read(municipality, id);
      await db.pool.query('UPDATE review_action_area SET round_id = $1 WHERE id = $2', [chiefs, own]);
      return rows;
    });
    try {
      const answer = await call('teamleder', 'put', `/reviews/actions/${own}`, { ...area, title: 'Ændret' }).expect(409);
      expect(answer.body.message).toBe('Indsatsområdet blev ændret af en anden imens. Hent siden igen, og ret det derefter.');
    } finally {
      spy.mockRestore();
    }
    const stored = (await call('chef', 'get', '/reviews/actions').expect(200)).body.find((a: { id: number }) => a.id === own);
    expect(stored).toMatchObject({ round: chiefs, title: area.title });
    // Now the check sees the chief's round.
    await call('teamleder', 'put', `/reviews/actions/${own}`, { ...area, title: 'Ændret' }).expect(404);

    // The same when the team leader's right rests on the owner: the chief gives the area to Team Syd
    // just after the check read it as Team Nord's.
    const given = (await call('chef', 'post', '/reviews/actions', area).expect(201)).body.id as number;
    const handover = vi.spyOn(repository, 'actionAreas').mockImplementationOnce(async (municipality, id) => {
      const rows = await read(municipality, id);
      await db.pool.query(`UPDATE review_action_area SET owner = 'Team Syd' WHERE id = $1`, [given]);
      return rows;
    });
    try {
      await call('teamleder', 'put', `/reviews/actions/${given}`, { ...area, status: 'opgivet' }).expect(409);
    } finally {
      handover.mockRestore();
    }
    const handed = (await call('chef', 'get', '/reviews/actions').expect(200)).body.find((a: { id: number }) => a.id === given);
    expect(handed).toMatchObject({ owner: 'Team Syd', status: 'planlagt' });
  });
});
