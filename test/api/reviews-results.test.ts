import type { INestApplication } from '@nestjs/common';
import { join } from 'path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { FIXTURES } from '../support/fixtures';

// Case review results over HTTP on test/fixtures/dubu-deadlines (D = 30-04-2024). Round A (D):
// C1 (AA, Team Nord), C5 (BB, Team Nord), C7 and C9 (CC, Team Syd) finished, C2 in progress; the
// formal answers are those worked out by hand in libs/kpi/src/review/formal.spec.ts. Round B
// (15-02-2024): C3 finished. Round C (31-03-2024, written here): C1-C6 finished, pro.fit "nej".
const D = '2024-04-30';
const SUPPRESSED = { suppressed: true };

describe('case review results', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const call = (user: string, method: 'get' | 'post' | 'put', path: string, body?: object) => {
    const req = request(app.getHttpServer())[method](`/api/v1${path}`).set('Authorization', `Bearer ${tokens[user]}`);
    return body ? req.send(body) : req;
  };
  const item = (items: { id: string }[], id: string) => items.find((i) => i.id === id);

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, join(FIXTURES, 'dubu-deadlines'), { pseudonymSecret: TEST_SECRET, exportDate: D });
    await seedUsers(db, 461, 'Team Nord');
    app = await startTestApi(db);
    for (const u of ['udvalg', 'chef', 'teamleder', 'admin', 'chef-kbh']) tokens[u] = await tokenFor(app, u);
    const cases = (list: string[]) => list.map((c) => ({ case: c }));
    const a = (
      await call('chef', 'post', '/reviews', {
        title: 'A',
        sampling: { kind: 'chosen', cases: cases(['C1', 'C5', 'C7', 'C9', 'C2']) },
      }).expect(201)
    ).body.id;
    const view: Record<string, string> = { C1: 'ja', C5: 'delvist', C7: 'nej', C9: 'ikke_relevant' };
    for (const [c, answer] of Object.entries(view))
      await call('chef', 'put', `/reviews/${a}/cases/${c}`, { status: 'faerdig', items: [{ id: 'pro.child_view', answer }] }).expect(200);
    await call('chef', 'put', `/reviews/${a}/cases/C2`, { status: 'i_gang', items: [{ id: 'pro.child_view', answer: 'nej' }] }).expect(200);
    const b = (
      await call('chef', 'post', '/reviews', { title: 'B', asOf: '2024-02-15', sampling: { kind: 'chosen', cases: cases(['C3']) } }).expect(
        201,
      )
    ).body.id;
    await call('chef', 'put', `/reviews/${b}/cases/C3`, { status: 'faerdig', items: [{ id: 'pro.child_view', answer: 'nej' }] }).expect(
      200,
    );
    const [{ id: c }] = (
      await db.pool.query(
        `INSERT INTO review_round (municipality_code, title, as_of, checklist_version, sampling, requested, found, created_by)
         VALUES (461, 'C', '2024-03-31', 1, '{"kind":"chosen"}', 6, 6, 'x') RETURNING id`,
      )
    ).rows;
    for (const [i, k] of ['C1', 'C2', 'C3', 'C4', 'C5', 'C6'].entries()) {
      await db.pool.query(
        `INSERT INTO review_case (round_id, municipality_code, source, case_id, position, caseworker, team, status) VALUES ($1, 461, 'dubu', $2, $3, 'AA', 'Team Nord', 'faerdig')`,
        [c, k, i + 1],
      );
      await db.pool.query(
        `INSERT INTO review_answer (round_id, case_id, municipality_code, item_id, answer, source) VALUES ($1, $2, 461, 'pro.fit', 'nej', 'reviewer')`,
        [c, k],
      );
    }
    await call('chef', 'post', '/reviews/actions', { title: 'Børnesamtaler', owner: 'Team Nord', status: 'i_gang' }).expect(201);
    await call('chef', 'post', '/reviews/actions', { title: 'Netværk', owner: 'Team Syd' }).expect(201);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('gives the chief the share not met per item, by team, quarter and caseworker, and the top deficiencies', async () => {
    const res = await call('chef', 'get', '/reviews/results?from=2024-04-01').expect(200);
    expect(res.body).toMatchObject({ municipality: 461, from: '2024-04-01', to: D, reviewedCases: 4 });
    const items = res.body.items;
    // Formal items first, in the checklist's order; C2 (in progress) and rounds B and C are not counted.
    expect(items.map((i: { id: string }) => i.id)).toEqual([
      'formal.investigation_4m',
      'formal.plan_on_time',
      'formal.child_conversation',
      'formal.followup_on_time',
      'formal.supervision_visits',
      'formal.talked_alone',
      'formal.notification_24h',
      'formal.decision_before_start',
      'pro.target_group',
      'pro.child_view',
      'pro.network',
      'pro.analysis',
      'pro.documentation',
      'pro.fit',
    ]);
    // Follow-up: C1, C5 ja; C7, C9 nej → 2 of 4. Investigation: C9 none → 1 of 4. Child conversation: C5 nej, C1 ja → 1 of 2.
    expect(item(items, 'formal.followup_on_time')).toEqual({
      id: 'formal.followup_on_time',
      kind: 'formal',
      judged: 4,
      notMet: 2,
      share: 0.5,
    });
    expect(item(items, 'formal.investigation_4m')).toMatchObject({ judged: 4, notMet: 1, share: 0.25 });
    expect(item(items, 'formal.child_conversation')).toMatchObject({ judged: 2, notMet: 1, share: 0.5 });
    expect(item(items, 'formal.decision_before_start')).toMatchObject({ judged: 4, notMet: 0, share: 0 });
    // The child's view: ja, delvist, nej (delvist is not met), ikke_relevant not judged → 2 of 3.
    expect(item(items, 'pro.child_view')).toMatchObject({ judged: 3, notMet: 2, share: 2 / 3 });
    expect(item(items, 'pro.network')).toMatchObject({ judged: 0, notMet: 0, share: null });
    expect(item(res.body.byTeam['Team Nord'], 'formal.followup_on_time')).toMatchObject({ judged: 2, notMet: 0 });
    expect(item(res.body.byTeam['Team Syd'], 'formal.followup_on_time')).toMatchObject({ judged: 2, notMet: 2, share: 1 });
    // By caseworker: keyed by id in id order, never ranked.
    expect(Object.keys(res.body.byCaseworker)).toEqual(['AA', 'BB', 'CC']);
    expect(item(res.body.byCaseworker.CC, 'formal.supervision_visits')).toMatchObject({ judged: 2, notMet: 1 });
    expect(Object.keys(res.body.byQuarter)).toEqual(['2024K2']);
    // Most not met first, ties by id.
    expect(res.body.topDeficiencies).toEqual([
      { id: 'formal.followup_on_time', notMet: 2 },
      { id: 'pro.child_view', notMet: 2 },
      { id: 'formal.child_conversation', notMet: 1 },
      { id: 'formal.investigation_4m', notMet: 1 },
      { id: 'formal.plan_on_time', notMet: 1 },
    ]);
    expect(res.body.actionAreas).toEqual({ i_gang: 1, planlagt: 1 });
    // The committee may not read checklists: the results name their items.
    expect(Object.keys(res.body.titles).sort()).toEqual(res.body.items.map((i: { id: string }) => i.id).sort());
    expect(res.body.titles['pro.fit']).toBe('Foranstaltningen passer til behovet og er så tæt på barnets almindelige liv som muligt');
    expect(res.body.titles['formal.notification_24h']).toBe('Underretninger vurderet inden for 24 timer');
  });

  it("counts every round of the period by quarter of the round's date", async () => {
    // Default period 01-01-2024 .. 30-04-2024: rounds A, B and C.
    const res = await call('chef', 'get', '/reviews/results').expect(200);
    expect(res.body).toMatchObject({ from: '2024-01-01', to: D, reviewedCases: 11 });
    expect(Object.keys(res.body.byQuarter)).toEqual(['2024K1', '2024K2']);
    expect(item(res.body.byQuarter['2024K1'], 'pro.child_view')).toMatchObject({ judged: 1, notMet: 1 });
    expect(item(res.body.byQuarter['2024K1'], 'pro.fit')).toMatchObject({ judged: 6, notMet: 6, share: 1 });
    expect(item(res.body.items, 'pro.child_view')).toMatchObject({ judged: 4, notMet: 3 });
  });

  it("gives the team leader the own teams' cases only", async () => {
    const res = await call('teamleder', 'get', '/reviews/results?from=2024-04-01').expect(200);
    expect(res.body.reviewedCases).toBe(2);
    expect(item(res.body.items, 'formal.followup_on_time')).toMatchObject({ judged: 2, notMet: 0, share: 0 });
    expect(Object.keys(res.body.byTeam)).toEqual(['Team Nord']);
    expect(Object.keys(res.body.byCaseworker)).toEqual(['AA', 'BB']);
    // Whose results were seen is logged (the staff's personal data); the committee's read names none.
    await call('udvalg', 'get', '/reviews/results').expect(200);
    const { rows } = await db.pool.query(
      `SELECT username, action, detail FROM audit_log WHERE action = 'read:review-results' AND username IN ('teamleder', 'udvalg')`,
    );
    expect(rows).toEqual([
      { username: 'teamleder', action: 'read:review-results', detail: { from: '2024-04-01', to: D, caseworkers: ['AA', 'BB'] } },
    ]);
  });

  it('gives the committee aggregates only, small cells suppressed', async () => {
    const res = await call('udvalg', 'get', '/reviews/results').expect(200);
    expect(res.body.reviewedCases).toBe(11);
    expect(res.body.byTeam).toBeUndefined();
    expect(res.body.byCaseworker).toBeUndefined();
    // pro.fit: 6 of 6 (round C) shown; pro.child_view 3 of 4 suppressed, its share withheld.
    expect(item(res.body.items, 'pro.fit')).toEqual({ id: 'pro.fit', kind: 'professional', judged: 6, notMet: 6, share: 1 });
    expect(item(res.body.items, 'pro.child_view')).toEqual({
      id: 'pro.child_view',
      kind: 'professional',
      judged: SUPPRESSED,
      notMet: SUPPRESSED,
      share: SUPPRESSED,
    });
    // Zero stays 0, but a share resting on a suppressed count is withheld.
    // (notification_24h: C1 in round A on time, every other case has nothing to judge → 0 of 1.)
    expect(item(res.body.items, 'formal.notification_24h')).toMatchObject({ judged: SUPPRESSED, notMet: 0, share: SUPPRESSED });
    expect(item(res.body.byQuarter['2024K1'], 'pro.fit')).toMatchObject({ judged: 6, notMet: 6, share: 1 });
    expect(item(res.body.byQuarter['2024K2'], 'pro.child_view')).toMatchObject({ judged: SUPPRESSED, share: SUPPRESSED });
    // Only deficiencies of 5 or more are listed for the committee.
    expect(res.body.topDeficiencies).toEqual([{ id: 'pro.fit', notMet: 6 }]);
    expect(res.body.actionAreas).toEqual({ i_gang: 1, planlagt: 1 });
    // The committee may not read checklists: the results name their items.
    expect(Object.keys(res.body.titles).sort()).toEqual(res.body.items.map((i: { id: string }) => i.id).sort());
    expect(res.body.titles['pro.fit']).toBe('Foranstaltningen passer til behovet og er så tæt på barnets almindelige liv som muligt');
    expect(res.body.titles['formal.notification_24h']).toBe('Underretninger vurderet inden for 24 timer');
    // Whole months only: to = 15-04-2024 moves back to 31-03-2024 (round A is then outside), from to the 1st.
    const months = await call('udvalg', 'get', '/reviews/results?from=2024-01-10&to=2024-04-15').expect(200);
    expect(months.body).toMatchObject({ from: '2024-01-01', to: '2024-03-31', reviewedCases: 7 });
  });

  it('refuses bad dates in Danish, the administrator, and another municipality', async () => {
    expect((await call('chef', 'get', '/reviews/results?from=2024-13-01').expect(400)).body.message).toBe(
      'from skal være en dato (ÅÅÅÅ-MM-DD)',
    );
    expect((await call('chef', 'get', '/reviews/results?from=2024-05-01&to=2024-04-30').expect(400)).body.message).toBe(
      'from (01.05.2024) skal ligge før to (30.04.2024)',
    );
    await call('admin', 'get', '/reviews/results').expect(403);
    await call('chef', 'get', '/reviews/results?municipality=101').expect(403);
    const kbh = await call('chef-kbh', 'get', '/reviews/results?to=2024-04-30').expect(200);
    expect(kbh.body).toMatchObject({ municipality: 101, reviewedCases: 0, topDeficiencies: [], actionAreas: {} });
  });
});
