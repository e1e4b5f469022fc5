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
describe('the counts behind a share (basis) over HTTP', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const get = (user: string, query: string) =>
    request(app.getHttpServer()).get(`/api/v1/kpis?${query}`).set('Authorization', `Bearer ${tokens[user]}`);

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, join(FIXTURES, 'dubu-deadlines'), { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' });
    await db.pool.query(`INSERT INTO population (municipality_code, year, age_group, count) VALUES (461, 2024, '0-17 år', 3000)`);
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
});
