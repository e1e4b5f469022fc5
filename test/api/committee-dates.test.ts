import type { INestApplication } from '@nestjs/common';
import { join } from 'path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { FIXTURES } from '../support/fixtures';

const S = { suppressed: true };

// Committee dates (KPIS.md, second edition) and suppression over HTTP on test/fixtures/dubu-chief
// (export 30-04-2024). Notifications 2024: N1, N2 (January), N8 (February), N3 (March), N4, N5, N7 (April).
describe('committee dates and suppression over HTTP', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const get = (user: string, path: string) =>
    request(app.getHttpServer()).get(`/api/v1/${path}`).set('Authorization', `Bearer ${tokens[user]}`);

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, join(FIXTURES, 'dubu-chief'), { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' });
    await db.pool.query(
      `INSERT INTO political_goal (municipality_code, kpi_id, title, direction, target, tolerance) VALUES
       (461, 'cost.annualised_per_placed_child', 'Højst 900.000 kr. pr. anbragt barn', '<=', 900000, 0),
       (461, 'investigation.duration_days', 'Undersøgelser på højst 90 dage', '<=', 90, 0),
       (461, 'activity.notifications', 'Højst 40 underretninger', '<=', 40, 0)`,
    );
    await seedUsers(db, 461, 'Team Nord');
    app = await startTestApi(db);
    for (const u of ['udvalg', 'chef']) tokens[u] = await tokenFor(app, u);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('moves the committee’s D back to the newest month end and says so; the chief keeps the day', async () => {
    const committee = await get('udvalg', 'kpis?ids=activity.summary&asOf=2024-04-15').expect(200);
    expect(committee.body).toMatchObject({ asOf: '2024-03-31', period: { from: '2024-01-01', to: '2024-03-31' } });
    // 2024 to 31-03: N1, N2, N8, N3 = 4 → "<5"; the April notifications are not counted.
    expect(committee.body.kpis['activity.summary']['2024'].notifications).toEqual(S);
    const chief = await get('chef', 'kpis?ids=activity.summary&asOf=2024-04-15').expect(200);
    expect(chief.body).toMatchObject({ asOf: '2024-04-15', period: { from: '2024-01-01', to: '2024-04-15' } });
    // A month end is kept: 30-04 counts all seven.
    const monthEnd = await get('udvalg', 'kpis?ids=activity.summary&asOf=2024-04-30').expect(200);
    expect(monthEnd.body).toMatchObject({ asOf: '2024-04-30', period: { from: '2024-01-01', to: '2024-04-30' } });
    expect(monthEnd.body.kpis['activity.summary']['2024'].notifications).toBe(7);
  });

  it('gives one answer for every day of a month until its last', async () => {
    // Before: 29-04 counted N4 (29-04) but not N5 (30-04), so 28-04 and 29-04 told one notification apart.
    const answers = await Promise.all(
      ['2024-04-01', '2024-04-28', '2024-04-29'].map(
        async (d) => (await get('udvalg', `kpis?ids=activity.summary,goal.status&asOf=${d}`).expect(200)).text,
      ),
    );
    expect(new Set(answers).size).toBe(1);
  });

  it('widens and narrows the committee’s P to whole months, never past its D', async () => {
    const widened = await get('udvalg', 'kpis?ids=activity.summary&asOf=2024-04-30&from=2024-02-10&to=2024-03-05').expect(200);
    expect(widened.body).toMatchObject({ asOf: '2024-04-30', period: { from: '2024-02-01', to: '2024-03-31' } });
    const cut = await get('udvalg', 'kpis?ids=activity.summary&asOf=2024-04-25&from=2024-03-15&to=2024-04-20').expect(200);
    expect(cut.body).toMatchObject({ asOf: '2024-03-31', period: { from: '2024-03-01', to: '2024-03-31' } });
    // A from after the last whole month: P is that month.
    const late = await get('udvalg', 'kpis?ids=activity.summary&asOf=2024-04-25&from=2024-04-10').expect(200);
    expect(late.body).toMatchObject({ asOf: '2024-03-31', period: { from: '2024-03-01', to: '2024-03-31' } });
    await get('udvalg', 'kpis?ids=activity.summary&from=2024-03-10&to=2024-03-01').expect(400);
  });

  it('ends the committee’s series at the newest month end', async () => {
    const committee = await get('udvalg', 'kpis/activity.summary/series?by=month&asOf=2024-04-20&from=2024-03-01').expect(200);
    expect(committee.body.points.map((p: { period: string; asOf: string }) => [p.period, p.asOf])).toEqual([['2024-03', '2024-03-31']]);
    const chief = await get('chef', 'kpis/activity.summary/series?by=month&asOf=2024-04-20&from=2024-03-01').expect(200);
    expect(chief.body.points.map((p: { period: string; asOf: string }) => [p.period, p.asOf])).toEqual([
      ['2024-03', '2024-03-31'],
      ['2024-04', '2024-04-20'],
    ]);
  });

  it('withholds goal values in kr. and days resting on fewer than 5 children, and gives the chief the count', async () => {
    const chief = await get('chef', 'kpis?ids=goal.status,activity.summary&asOf=2024-04-30').expect(200);
    const [cost, days, notes] = chief.body.kpis['goal.status'];
    // Placed at 30-04-2024: Y1, Y5, Y8 — the amount per placed child rests on 3 children.
    expect(chief.body.kpis['activity.summary']['2024'].placedChildren).toBe(3);
    expect(cost).toMatchObject({ kpi: 'cost.annualised_per_placed_child', value: expect.any(Number), basis: { value: { children: 3 } } });
    // Investigations completed in 2024 to D: 3 children, median 121 days; 2022: one child, 59 days.
    expect(days).toMatchObject({
      value: 121,
      status: 'red',
      previousYears: { '2021': null, '2022': 59, '2023': null },
      basis: { value: { children: 3 }, previousYears: { '2022': { children: 1 } } },
    });
    expect(notes).not.toHaveProperty('basis');
    const committee = await get('udvalg', 'kpis?ids=goal.status&asOf=2024-04-30').expect(200);
    const [c, d, n] = committee.body.kpis['goal.status'];
    expect(c).toMatchObject({ value: S, status: null });
    expect(d).toEqual(expect.objectContaining({ value: S, status: null, previousYears: { '2021': null, '2022': S, '2023': null } }));
    // Seven notifications: a count of 5 or more is shown, with its light.
    expect(n).toMatchObject({ value: 7, status: 'green' });
    expect(JSON.stringify(committee.body)).not.toMatch(/basis|children/);
  });
});

// An export taken mid-month: a month end after it would count only the days up to the export, and
// the next export would tell those days apart. The committee's D is held to the export date first.
describe('committee dates after an export taken mid-month', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const get = (user: string, path: string) =>
    request(app.getHttpServer()).get(`/api/v1/${path}`).set('Authorization', `Bearer ${tokens[user]}`);

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, join(FIXTURES, 'dubu-chief'), { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-15' });
    await seedUsers(db, 461, 'Team Nord');
    app = await startTestApi(db);
    for (const u of ['udvalg', 'chef']) tokens[u] = await tokenFor(app, u);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('never gives the committee a month end after the export date', async () => {
    for (const asked of ['2024-04-30', '2024-05-31', '2099-12-31']) {
      const res = await get('udvalg', `kpis?ids=activity.summary&asOf=${asked}`).expect(200);
      expect(res.body).toMatchObject({ asOf: '2024-03-31', period: { from: '2024-01-01', to: '2024-03-31' } });
      // To 31-03: N1, N2, N8, N3 = 4 → suppressed (the 30-04 month end would have counted April's too).
      expect(res.body.kpis['activity.summary']['2024'].notifications).toEqual(S);
    }
    // The chief keeps the day asked.
    expect((await get('chef', 'kpis?ids=activity.summary&asOf=2024-04-30').expect(200)).body.asOf).toBe('2024-04-30');
  });

  it('holds the committee’s series to the last month end before the export', async () => {
    for (const asked of ['2024-04-30', '2099-12-31']) {
      const series = await get('udvalg', `kpis/activity.summary/series?asOf=${asked}&by=month&from=2024-01-01`).expect(200);
      expect(series.body.points.map((p: { asOf: string }) => p.asOf)).toEqual(['2024-01-31', '2024-02-29', '2024-03-31']);
    }
  });
});
