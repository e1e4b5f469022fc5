import type { INestApplication } from '@nestjs/common';
import { join } from 'path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { settings } from '@bu/config';
import { importDubu, importEconomy, importStatistics } from '@bu/etl';
import { KPIS, kpiById, loadSettings, type Query } from '@bu/kpi';
import { seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { FIXTURES } from '../support/fixtures';

// The work one cold answer does (ADR 0075): what several of its KPIs rest on is computed once per
// answer (the budget lines, a share's counts), and its KPIs are computed KPI_CONCURRENCY at once,
// the answer in the order asked. Every statement the API sends is counted at its DataSource.
// Fixtures: test/fixtures/dubu-chief and economy-small (Odense 2024, as in libs/kpi/src/budget/budget.spec.ts),
// statistics-small's population.
describe('one cold answer: sub-results once, KPIs at once', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const sent: string[] = [];
  let running = 0;
  let most = 0;
  const get = (user: string, query: string) =>
    request(app.getHttpServer()).get(`/api/v1/kpis?${query}`).set('Authorization', `Bearer ${tokens[user]}`).expect(200);
  const direct: Query = async (sql, params) => (await db.pool.query(sql, params)).rows;
  const count = (part: string) => sent.filter((sql) => sql.includes(part)).length;

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, join(FIXTURES, 'dubu-chief'), { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' });
    await importEconomy(db.pool, join(FIXTURES, 'economy-small'), { pseudonymSecret: TEST_SECRET });
    await importStatistics(db.pool, join(FIXTURES, 'statistics-small'), { pseudonymSecret: TEST_SECRET });
    await seedUsers(db, 461, 'Team Nord');
    app = await startTestApi(db);
    for (const u of ['udvalg', 'chef']) tokens[u] = await tokenFor(app, u);
    // Every statement the API sends on the primary (its KPI reads included), and how many at once.
    const ds = app.get(DataSource);
    const query = ds.query.bind(ds);
    ds.query = (async (sql: string, params?: unknown[]) => {
      sent.push(sql);
      most = Math.max(most, ++running);
      try {
        return await query(sql, params);
      } finally {
        running--;
      }
    }) as typeof ds.query;
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });
  beforeEach(() => {
    sent.length = 0;
    most = 0;
  });

  const BUDGET = ['budget.function', 'budget.light', 'budget.forecast_linear', 'budget.forecast_activity', 'budget.spend_curve'];
  // budgetLines' statement, and none other: its mapping of measure types to account functions.
  const LINES = 'jsonb_each_text($3::jsonb)';

  it("runs the budget lines' statement once for the five budget KPIs, and again for another D", async () => {
    const feb = await get('chef', `ids=${BUDGET.join(',')}&asOf=2024-02-29`);
    expect(count(LINES)).toBe(1);
    // As budget.spec.ts: 5.28.20 at m = 2, S = 9,900,000.50, linear F = S / 2 × 12 = 59,400,003, B
    // 62,500,000 → green; 5.28.21 at m = 1: activity F = 3,000,000 + 18,000 × 11 = 3,198,000.
    expect(feb.body.kpis['budget.function']['5.28.20']).toMatchObject({ spent: 9_900_000.5, forecastLinear: 59_400_003 });
    expect(feb.body.kpis['budget.forecast_linear']['5.28.20']).toBe(59_400_003);
    expect(feb.body.kpis['budget.forecast_activity']['5.28.21']).toBe(3_198_000);
    expect(feb.body.kpis['budget.light']).toEqual({ '5.28.20': 'green', '5.28.21': 'green', '5.57.72': null });
    // The budget line of the curve is B summed over the lines with one (62,500,000 + 40,000,000).
    expect(feb.body.kpis['budget.spend_curve'].budget[0]).toBe(102_500_000);

    // Another D is another answer with its own lines: January alone, m = 1, linear F = 4,800,000.50 × 12.
    const jan = await get('chef', `ids=${BUDGET.join(',')}&asOf=2024-01-31`);
    expect(count(LINES)).toBe(2);
    expect(jan.body.kpis['budget.forecast_linear']['5.28.20']).toBe(57_600_006);
    expect(jan.body.kpis['budget.function']['5.28.20']).toMatchObject({ month: 1, spent: 4_800_000.5 });
  });

  // A rate per 1,000: its counts are the open-case children and the population (statistics-small:
  // 0-17-year-olds in 461). Its value, its n (the chief's basis) and the committee's suppression all
  // rest on the counts: one population statement per answer, not one for the value and one for the counts.
  const RATE = 'activity.children_with_open_case_per_1000';
  const POPULATION = "FROM population WHERE municipality_code = $1 AND age_group = '0-17 år'";

  it("computes a share's counts once for its value and the chief's basis", async () => {
    const res = await get('chef', `ids=${RATE}&asOf=2024-03-31`);
    expect(count(POPULATION)).toBe(1);
    const { numerator, denominator } = res.body.basis[RATE];
    expect(denominator).toBeGreaterThan(0);
    expect(res.body.kpis[RATE]).toBe((numerator / denominator) * 1000);
  });

  it("computes a share's counts once for its value and the committee's suppression", async () => {
    // A D nobody asked: KPI values are cached per municipality, D and P, whoever asked.
    await get('udvalg', `ids=${RATE}&asOf=2024-02-29`);
    expect(count(POPULATION)).toBe(1);
  });

  it('sends the statement sibling lists share once per answer (ADR 0079), though computed at once', async () => {
    const pairs = [
      'deadline.supervision_overdue',
      'deadline.supervision_due_soon',
      'deadline.followup_overdue',
      'deadline.followup_due_soon',
    ];
    await get('chef', `ids=${pairs.join(',')}&asOf=2024-03-31`);
    // The statement of both windows of each pair: the supervision visits', the follow-ups'.
    expect(count('due_window')).toBe(2);
    expect(count('FROM supervision_visit')).toBe(1);
  });

  it('computes several KPIs at once, at most KPI_CONCURRENCY, and answers in the order asked', async () => {
    // The chief's whole set, asked in the reverse of the registry's order, at a D nobody asked.
    const ids = KPIS.filter((k) => k.roles.includes('chef'))
      .map((k) => k.id)
      .reverse();
    const res = await get('chef', `ids=${ids.join(',')}&asOf=2024-04-30`);
    expect(Object.keys(res.body.kpis)).toEqual(ids);
    const limit = settings().KPI_CONCURRENCY;
    expect(limit).toBeGreaterThan(1);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(limit);
    // Each the same as computed alone, one after the other, without a memo (the lists are shorter than a page).
    const settingsOf = await loadSettings(direct, 461);
    for (const id of ids) {
      const ctx = {
        query: direct,
        municipality: 461,
        asOf: '2024-04-30',
        period: { from: '2024-01-01', to: '2024-04-30' },
        settings: settingsOf,
      };
      const alone = JSON.parse(JSON.stringify(await kpiById(id)!.compute(ctx)));
      expect(res.body.kpis[id], id).toEqual(alone);
    }
  });
});
