import type { INestApplication } from '@nestjs/common';
import { join } from 'path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { FIXTURES } from '../support/fixtures';

// A share's n (ADR 0067): GET /kpis carries the two counts behind each share or rate as `basis`, for
// every role but the committee, on test/fixtures/dubu-deadlines at D = 30-04-2024, P = 01-01..30-04-2024
// (the counts worked out by hand in libs/kpi/src/deadline/*.spec.ts, repeated here).
describe('the counts behind a share (basis) and the same date last year over HTTP', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const get = (user: string, query: string) =>
    request(app.getHttpServer()).get(`/api/v1/kpis?${query}`).set('Authorization', `Bearer ${tokens[user]}`);

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, join(FIXTURES, 'dubu-deadlines'), { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' });
    await db.pool.query(
      `INSERT INTO population (municipality_code, year, age_group, count) VALUES (461, 2024, '0-17 år', 3000), (461, 2023, '0-17 år', 2000)`,
    );
    await seedUsers(db, 461, 'Team Nord');
    app = await startTestApi(db);
    for (const u of ['udvalg', 'chef', 'teamleder']) tokens[u] = await tokenFor(app, u);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('gives the chief the numerator and denominator of each share, and none for a count or a list', async () => {
    const res = await get(
      'chef',
      'ids=deadline.notification_24h,deadline.investigation_4m,activity.children_with_open_case_per_1000,deadline.investigation_overdue,activity.children_with_open_case',
    ).expect(200);
    // Notifications in P: N1, N3 on time; N2, N4, N7 late; N5 pending (not counted) → 2 of 5.
    expect(res.body.kpis['deadline.notification_24h']).toBe(2 / 5);
    // Investigations completed in P: I3, I5 on time, I4 late → 2 of 3.
    expect(res.body.kpis['deadline.investigation_4m']).toBe(2 / 3);
    // C1-C9 are open at D, one child each → 9 children; 3,000 0-17-year-olds in 2024 → 9 / 3000 × 1000 = 3.
    expect(res.body.kpis['activity.children_with_open_case_per_1000']).toBe(3);
    expect(res.body.basis).toEqual({
      'deadline.notification_24h': { numerator: 2, denominator: 5 },
      'deadline.investigation_4m': { numerator: 2, denominator: 3 },
      'activity.children_with_open_case_per_1000': { numerator: 9, denominator: 3000 },
    });
  });

  it("gives the team leader the counts of the own teams' share", async () => {
    // Team Nord (C1-C6): N1, N3 on time; N2, N4 late → 2 of 4 (N7 is the intake team's).
    const res = await get('teamleder', 'ids=deadline.notification_24h').expect(200);
    expect(res.body.kpis['deadline.notification_24h']).toBe(2 / 4);
    expect(res.body.basis).toEqual({ 'deadline.notification_24h': { numerator: 2, denominator: 4 } });
  });

  it('leaves a share out when there is nothing to divide by', async () => {
    // At D = 10-01-2024 (P = 01-01..10-01) N1 and N2 are still pending: 0 of 0, the share is null.
    const res = await get('chef', 'ids=deadline.notification_24h&asOf=2024-01-10').expect(200);
    expect(res.body.kpis['deadline.notification_24h']).toBeNull();
    expect(res.body).not.toHaveProperty('basis');
  });

  it('never sends the committee the counts behind a rate', async () => {
    const chief = await get('chef', 'ids=activity.children_with_open_case_per_1000&asOf=2024-03-31').expect(200);
    // At 31-03-2024 C8 (opened 15-04) is not open yet: 8 children, 8 / 3000 × 1000.
    expect(chief.body.basis).toEqual({ 'activity.children_with_open_case_per_1000': { numerator: 8, denominator: 3000 } });
    // The committee's D is the same month end; the same rate (8 children: not suppressed), without its counts.
    const committee = await get('udvalg', 'ids=activity.children_with_open_case_per_1000,cost.preventive_share&asOf=2024-03-31').expect(
      200,
    );
    expect(committee.body.kpis['activity.children_with_open_case_per_1000']).toBe((8 / 3000) * 1000);
    expect(committee.body).not.toHaveProperty('basis');
  });

  // compare=lastYear: the same KPIs at D − 1 year with P one year earlier (sager.csv opening dates:
  // C7 01-01-2022, C3 01-06-2022, C1 and C9 01-01-2023, C5 and C6 01-01-2024, C2 01-02-2024,
  // C4 01-03-2024, C8 15-04-2024; none closed; one child each).
  it('gives each figure at the same date last year, and the change', async () => {
    const ids = 'activity.children_with_open_case,activity.children_with_open_case_per_1000,deadline.notification_24h';
    const res = await get('chef', `ids=${ids}&compare=lastYear`).expect(200);
    expect(res.body.lastYear.asOf).toBe('2023-04-30');
    expect(res.body.lastYear.period).toEqual({ from: '2023-01-01', to: '2023-04-30' });
    // 30-04-2024: C1-C9 → 9; 30-04-2023: C1, C3, C7, C9 → 4; change 9 − 4 = 5.
    // Per 1,000: 9 / 3000 × 1000 = 3 and 4 / 2000 × 1000 = 2 (the 2023 population) → change 1.
    // Notifications within 24 h: 2 / 5 now; none received in 01-01..30-04-2023 → null, no change.
    expect(res.body.lastYear.kpis).toEqual({
      'activity.children_with_open_case': 4,
      'activity.children_with_open_case_per_1000': 2,
      'deadline.notification_24h': null,
    });
    expect(res.body.lastYear.change).toEqual({
      'activity.children_with_open_case': 5,
      'activity.children_with_open_case_per_1000': 1,
      'deadline.notification_24h': null,
    });
    // Without compare, no last year.
    expect((await get('chef', `ids=${ids}`).expect(200)).body).not.toHaveProperty('lastYear');
  });

  it('takes 28 February last year for a leap day', async () => {
    // 29-02-2024: C1, C2, C3, C5, C6, C7, C9 → 7; 28-02-2023: C1, C3, C7, C9 → 4; change 3.
    const res = await get('chef', 'ids=activity.children_with_open_case&asOf=2024-02-29&compare=lastYear').expect(200);
    expect(res.body.lastYear).toMatchObject({
      asOf: '2023-02-28',
      period: { from: '2023-01-01', to: '2023-02-28' },
      kpis: { 'activity.children_with_open_case': 4 },
      change: { 'activity.children_with_open_case': 3 },
    });
  });

  it("moves the committee's last year to the month's end too: 28-02-2021 compares with 29-02-2020", async () => {
    const res = await get('udvalg', 'ids=activity.children_with_open_case&asOf=2021-03-10&compare=lastYear').expect(200);
    expect(res.body).toMatchObject({ asOf: '2021-02-28', period: { from: '2021-01-01', to: '2021-02-28' } });
    expect(res.body.lastYear).toMatchObject({ asOf: '2020-02-29', period: { from: '2020-01-01', to: '2020-02-29' } });
    // The chief asks for a day: a year back from 28-02-2021 is 28-02-2020.
    const chief = await get('chef', 'ids=activity.children_with_open_case&asOf=2021-02-28&compare=lastYear').expect(200);
    expect(chief.body.lastYear).toMatchObject({ asOf: '2020-02-28', period: { from: '2020-01-01', to: '2020-02-28' } });
  });

  it("suppresses the committee's small count last year, and then gives no change", async () => {
    // The committee's D is the month end 30-04-2024: 9 children now; 4 a year earlier is 1..4 → suppressed.
    const res = await get('udvalg', 'ids=activity.children_with_open_case&compare=lastYear').expect(200);
    expect(res.body.kpis['activity.children_with_open_case']).toBe(9);
    expect(res.body.lastYear.kpis['activity.children_with_open_case']).toEqual({ suppressed: true });
    expect(res.body.lastYear.change['activity.children_with_open_case']).toBeNull();
  });

  it('refuses compare for a list or a table, and an unknown compare, in Danish', async () => {
    const list = await get('chef', 'ids=activity.children_with_open_case,deadline.investigation_overdue&compare=lastYear').expect(400);
    expect(list.body.message).toContain('Sammenligning med sidste år gælder nøgletal med ét tal; deadline.investigation_overdue');
    const unknown = await get('chef', 'ids=activity.children_with_open_case&compare=sidsteAar').expect(400);
    expect(JSON.stringify(unknown.body)).toContain('compare kan kun være lastYear');
  });
});
