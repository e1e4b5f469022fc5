import type { INestApplication } from '@nestjs/common';
import { join } from 'path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { FIXTURES, dubuAs } from '../support/fixtures';

// A round's dialogue meetings and the municipality's action areas over HTTP, on
// test/fixtures/dubu-deadlines at D = 30-04-2024 (C1 is Team Nord's, C7 and C9 Team Syd's).
const D = '2024-04-30';

describe('case review: dialogue meetings and action areas', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let round: number;
  const tokens: Record<string, string> = {};
  const call = (user: string, method: 'get' | 'post' | 'put', path: string, body?: object) => {
    const req = request(app.getHttpServer())[method](`/api/v1${path}`).set('Authorization', `Bearer ${tokens[user]}`);
    return body ? req.send(body) : req;
  };
  const meeting = (over: object = {}) => ({
    date: '2024-05-20',
    participants: ['Rådgivere', 'Teamleder'],
    cases: ['C1'],
    notes: 'Samtalen med barnet før afgørelsen blev drøftet.',
    ...over,
  });
  const area = (over: object = {}) => ({
    title: 'Samtale med barnet før afgørelse',
    why: 'Mangler i 3 af 5 gennemgåede sager',
    owner: 'Team Nord',
    due: '2024-12-31',
    items: ['formal.child_conversation', 'pro.child_view'],
    kpi: 'deadline.child_conversation',
    ...over,
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, join(FIXTURES, 'dubu-deadlines'), { pseudonymSecret: TEST_SECRET, exportDate: D });
    const copenhagen = dubuAs(join(FIXTURES, 'dubu-deadlines'), 101);
    await importDubu(db.pool, copenhagen, { pseudonymSecret: TEST_SECRET, exportDate: D });
    await seedUsers(db, 461, 'Team Nord');
    app = await startTestApi(db);
    for (const u of ['udvalg', 'chef', 'teamleder', 'admin', 'chef-kbh']) tokens[u] = await tokenFor(app, u);
    round = (
      await call('chef', 'post', '/reviews', {
        title: 'Læringsgennemgang',
        sampling: { kind: 'chosen', cases: [{ case: 'C1' }, { case: 'C9' }, { case: 'C7' }] },
      }).expect(201)
    ).body.id;
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  describe('dialogue meetings', () => {
    let nord: number;
    let mixed: number;

    it('records a meeting with participants by role, the cases discussed and notes', async () => {
      const res = await call('chef', 'post', `/reviews/${round}/meetings`, meeting()).expect(201);
      nord = res.body.id;
      expect(res.body).toMatchObject({
        round,
        date: '2024-05-20',
        participants: ['Rådgivere', 'Teamleder'],
        cases: ['C1'],
        notes: 'Samtalen med barnet før afgørelsen blev drøftet.',
        createdBy: 'chef',
      });
      mixed = (await call('chef', 'post', `/reviews/${round}/meetings`, meeting({ date: '2024-05-21', cases: ['C9', 'C1'] })).expect(201))
        .body.id;
      const changed = await call('chef', 'put', `/reviews/${round}/meetings/${nord}`, meeting({ participants: ['Rådgivere'] })).expect(200);
      expect(changed.body.participants).toEqual(['Rådgivere']);
    });

    it("audits every read of the meetings' notes with the cases they discuss, the answers to their writes too", async () => {
      const res = await call('chef', 'get', `/reviews/${round}/meetings`).expect(200);
      expect(res.body.map((m: { id: number }) => m.id)).toEqual([nord, mixed]);
      const audit = await db.pool.query(
        `SELECT l.username, l.detail->'meetings' AS meetings, s.case_ids FROM audit_log l JOIN audit_case_set s ON s.id = l.case_set_id
          WHERE l.action = 'read:review-meetings' ORDER BY l.id`,
      );
      // The two meetings written, the one changed (each answer shows its notes), then the list.
      expect(audit.rows).toEqual([
        { username: 'chef', meetings: [nord], case_ids: ['C1'] },
        { username: 'chef', meetings: [mixed], case_ids: ['C1', 'C9'] },
        { username: 'chef', meetings: [nord], case_ids: ['C1'] },
        { username: 'chef', meetings: [nord, mixed], case_ids: ['C1', 'C9'] },
      ]);
    });

    it("shows a team leader only meetings about the own teams' cases", async () => {
      const res = await call('teamleder', 'get', `/reviews/${round}/meetings`).expect(200);
      expect(res.body.map((m: { id: number }) => m.id)).toEqual([nord]);
      await call('teamleder', 'put', `/reviews/${round}/meetings/${mixed}`, meeting()).expect(404);
      const refused = await call('teamleder', 'post', `/reviews/${round}/meetings`, meeting({ cases: ['C9'] })).expect(404);
      expect(refused.body.message).toBe(`Sag C9 findes ikke i gennemgang ${round}`);
      await call('teamleder', 'post', `/reviews/${round}/meetings`, meeting()).expect(201);
    });

    it('refuses bad input in Danish and the roles without access', async () => {
      const bad = async (body: object, message: string | RegExp) =>
        expect((await call('chef', 'post', `/reviews/${round}/meetings`, body).expect(400)).body.message).toMatch(message);
      await bad(meeting({ date: '20.05.2024' }), 'date skal være en dato (ÅÅÅÅ-MM-DD)');
      await bad(meeting({ participants: [] }), 'Deltagerne angives som 1-20 roller (fx Rådgivere, Teamleder), hver med 1-100 tegn');
      await bad(meeting({ cases: ['C1', 'C1'] }), 'En sag er nævnt to gange');
      await bad(meeting({ notes: 'Faderen 1203851234 deltog' }), /^Referatet ser ud til at indeholde et CPR-nummer/);
      expect((await call('chef', 'post', `/reviews/${round}/meetings`, meeting({ cases: ['C2'] })).expect(404)).body.message).toBe(
        `Sag C2 findes ikke i gennemgang ${round}`,
      );
      expect((await call('chef', 'put', `/reviews/${round}/meetings/x`, meeting()).expect(400)).body.message).toBe(
        'Mødets id skal være et heltal',
      );
      await call('udvalg', 'get', `/reviews/${round}/meetings`).expect(403);
      await call('admin', 'get', `/reviews/${round}/meetings`).expect(403);
      await call('chef-kbh', 'get', `/reviews/${round}/meetings`).expect(404);
      await call('chef-kbh', 'post', `/reviews/${round}/meetings`, meeting()).expect(404);
    });
  });

  describe('action areas', () => {
    let id: number;

    it('records an action area linked to findings, the round and a KPI, and follows its status', async () => {
      const res = await call('chef', 'post', '/reviews/actions', area({ round })).expect(201);
      id = res.body.id;
      expect(res.body).toMatchObject({
        municipality: 461,
        round,
        title: 'Samtale med barnet før afgørelse',
        owner: 'Team Nord',
        due: '2024-12-31',
        status: 'planlagt',
        items: ['formal.child_conversation', 'pro.child_view'],
        kpi: 'deadline.child_conversation',
        createdBy: 'chef',
      });
      const changed = await call('teamleder', 'put', `/reviews/actions/${id}`, area({ round, status: 'i_gang' })).expect(200);
      expect(changed.body.status).toBe('i_gang');
    });

    it('lets the committee read the action areas, but not write them', async () => {
      const res = await call('udvalg', 'get', '/reviews/actions').expect(200);
      expect(res.body.map((a: { id: number; status: string }) => [a.id, a.status])).toEqual([[id, 'i_gang']]);
      // Nor who made them: the committee is shown no usernames.
      expect(res.body.map((a: { createdBy: string | null }) => a.createdBy)).toEqual([null]);
      await call('udvalg', 'post', '/reviews/actions', area()).expect(403);
      await call('admin', 'get', '/reviews/actions').expect(403);
      expect((await call('chef-kbh', 'get', '/reviews/actions').expect(200)).body).toEqual([]);
      expect((await call('chef-kbh', 'put', `/reviews/actions/${id}`, area()).expect(404)).body.message).toBe(
        `Indsatsområde ${id} findes ikke`,
      );
      await call('chef', 'get', '/reviews/actions?municipality=101').expect(403);
    });

    it('refuses an unknown KPI, item, round or status, and CPR numbers, in Danish', async () => {
      const bad = async (body: object, status: number, message: string | RegExp) =>
        expect((await call('chef', 'post', '/reviews/actions', body).expect(status)).body.message).toMatch(message);
      await bad(area({ kpi: 'deadline.ukendt' }), 400, 'Nøgletallet deadline.ukendt findes ikke');
      await bad(area({ items: ['pro.ukendt'] }), 400, 'Punktet pro.ukendt findes ikke i nogen tjekliste');
      await bad(area({ status: 'done' }), 400, 'status skal være planlagt, i_gang, gennemfoert eller opgivet');
      await bad(area({ owner: '' }), 400, 'Indsatsområdet skal have en ejer (en rolle eller et team)');
      await bad(area({ due: '2024-13-01' }), 400, 'due skal være en dato (ÅÅÅÅ-MM-DD)');
      await bad(area({ why: 'Se sag for 120385-1234' }), 400, /^Begrundelsen ser ud til at indeholde et CPR-nummer/);
      // The committee reads the areas: no names, common ones or the caseworkers' (Cita is one).
      await bad(area({ why: 'Emma fik ikke sin samtale' }), 400, /^Begrundelsen ser ud til at indeholde et navn \(Emma\)/);
      await bad(area({ title: 'Cita følger op' }), 400, /^Titlen ser ud til at indeholde et navn \(Cita\)/);
      await bad(area({ round: 999999 }), 404, 'Gennemgang 999999 findes ikke');
      expect((await call('chef', 'put', '/reviews/actions/abc', area()).expect(400)).body.message).toBe(
        'Indsatsområdets id skal være et heltal',
      );
    });
  });
});
