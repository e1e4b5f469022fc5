import type { INestApplication } from '@nestjs/common';
import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, monthEnd } from '@bu/domain';
import { importDubu } from '@bu/etl';
import { KpiCache } from '../../apps/api/src/kpi/kpi-cache.service';
import { seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { DUBU_SMALL, DUBU_SMALL_D } from '../support/fixtures';

// Property: over random small datasets of one municipality and random committee requests, no
// committee answer reveals a count of 1-4 — directly, or by subtracting shown parts from a shown
// total — and D and D + 1 day within one month give the same answer.

const M = 461;
const S = { suppressed: true };
const isSuppressed = (v: unknown) => typeof v === 'object' && v !== null && (v as { suppressed?: unknown }).suppressed === true;
const small = (n: number) => n >= 1 && n <= 4;
const IDS =
  'activity.summary,goal.status,budget.function,budget.forecast_activity,budget.light,' +
  'activity.children_with_open_case,activity.children_with_open_case_per_1000,cost.preventive_share';

// One goal per kind of value the committee can see: counts, shares with their total shown beside
// them (placed children / family care share; children notified / repeat share), a rate, an amount in
// kr. and a number of days.
const GOALS: [string, string, number][] = [
  ['activity.placed_children', '<=', 10],
  ['activity.family_care_share', '>=', 0.65],
  ['activity.children_notified', '<=', 20],
  ['activity.repeat_notification_share', '<=', 0.2],
  ['activity.notifications', '<=', 30],
  ['activity.placed_children_per_1000', '<=', 1],
  ['cost.annualised_per_placed_child', '<=', 600_000],
  ['investigation.duration_days', '<=', 120],
];

const TYPES = [
  { type: 'Plejefamilie', family: 'placement', care: true },
  { type: 'Netværkspleje', family: 'placement', care: true },
  { type: 'Opholdssted', family: 'placement', care: false },
  { type: 'Familiebehandling', family: 'preventive', care: false },
] as const;

// Two years of data, so that small and not-so-small cells both occur often.
const DAY0 = '2024-01-01';
const DAYS = 730; // 2024-01-01 .. 2025-12-31
const day = fc.integer({ min: 0, max: DAYS }).map((n) => addDays(DAY0, n));

const dataset = fc.record({
  children: fc.noBias(fc.integer({ min: 1, max: 16 })),
  notifications: fc.array(fc.record({ child: fc.nat(), at: day, channel: fc.constantFrom('skole', 'politi', 'sundhed') }), {
    maxLength: 60,
    size: 'max',
  }),
  measures: fc.array(
    fc.record({
      child: fc.nat(),
      kind: fc.nat({ max: TYPES.length - 1 }),
      start: day,
      days: fc.option(fc.integer({ min: 0, max: 900 })),
      cost: fc.integer({ min: 0, max: 90_000 }),
    }),
    { maxLength: 40, size: 'max' },
  ),
  investigations: fc.array(fc.record({ child: fc.nat(), start: day, days: fc.option(fc.integer({ min: 1, max: 200 })) }), {
    maxLength: 12,
    size: 'max',
  }),
});

// A valid request: from ≤ to (to defaults to D).
const ask = fc
  .record({ asOf: fc.integer({ min: 150, max: DAYS }).map((n) => addDays(DAY0, n)), from: fc.option(day), to: fc.option(day) })
  .map((a) => {
    const [from, to] = a.from && a.to && a.from > a.to ? [a.to, a.from] : [a.from, a.to];
    return { asOf: a.asOf, from: from && from > (to ?? a.asOf) ? null : from, to };
  });
type Data = typeof dataset extends fc.Arbitrary<infer T> ? T : never;
const COUNT_GOALS = ['activity.placed_children', 'activity.children_notified', 'activity.notifications'];

describe('committee suppression over random data (fast-check, over HTTP)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const get = (user: string, query: string) =>
    request(app.getHttpServer()).get(`/api/v1/kpis?${query}`).set('Authorization', `Bearer ${tokens[user]}`);

  beforeAll(async () => {
    db = await createTestDatabase();
    // An import makes the municipality's partitions of the tables it has rows for; each run replaces its case data.
    await importDubu(db.pool, DUBU_SMALL, { pseudonymSecret: TEST_SECRET, exportDate: DUBU_SMALL_D });
    for (const t of ['child_case', 'notification', 'measure', 'investigation']) {
      const [{ n }] = (
        await db.pool.query(
          `SELECT count(*)::int AS n FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass AND pg_get_expr(c.relpartbound, c.oid) LIKE '%${M}%'`,
          [t],
        )
      ).rows;
      if (n === 0) await db.pool.query(`CREATE TABLE ${t}_test_m${M} PARTITION OF ${t} FOR VALUES IN (${M})`);
    }
    await seedUsers(db, M, 'Team Syd');
    await db.pool.query(`INSERT INTO population (municipality_code, year, age_group, count) VALUES ($1, 2022, '0-17 år', 4000)`, [M]);
    for (const [kpi, direction, target] of GOALS) {
      await db.pool.query(
        `INSERT INTO political_goal (municipality_code, kpi_id, title, direction, target, tolerance) VALUES ($1, $2, $2, $3, $4, 0)`,
        [M, kpi, direction, target],
      );
    }
    // A budget for the two functions the measures book on (Opholdssted 5.28.20, Familiebehandling 5.28.21).
    for (const year of [2023, 2024, 2025]) {
      for (let month = 1; month <= 12; month++) {
        for (const fn of ['5.28.20', '5.28.21']) {
          await db.pool.query(
            `INSERT INTO budget_line (municipality_code, year, month, function_code, function_name, corrected_budget, spend) VALUES ($1, $2, $3, $4, $4, 1200000, 100000)`,
            [M, year, month, fn],
          );
        }
      }
    }
    app = await startTestApi(db);
    for (const u of ['udvalg', 'chef']) tokens[u] = await tokenFor(app, u);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  async function load(data: Data) {
    const q = (sql: string, params: unknown[] = []) => db.pool.query(sql, params);
    for (const t of ['notification', 'measure', 'investigation', 'assignment', 'child_case'])
      await q(`DELETE FROM ${t} WHERE municipality_code = $1`, [M]);
    const child = (n: number) => `P${n % data.children}`;
    for (let c = 0; c < data.children; c++) {
      await q(
        `INSERT INTO child_case (municipality_code, source, case_id, person_id, area, opened) VALUES ($1, 'dubu', $2, $3, 'Udsatte', '2020-01-01')`,
        [M, `C${c}`, `P${c}`],
      );
    }
    const caseOf = (n: number) => `C${n % data.children}`;
    for (const [i, n] of data.notifications.entries()) {
      await q(
        `INSERT INTO notification (municipality_code, source, notification_id, person_id, case_id, received_at, channel) VALUES ($1, 'dubu', $2, $3, $4, ($5::date + time '10:00') AT TIME ZONE 'Europe/Copenhagen', $6)`,
        [M, `N${i}`, child(n.child), caseOf(n.child), n.at, n.channel],
      );
    }
    for (const [i, m] of data.measures.entries()) {
      const t = TYPES[m.kind];
      await q(
        `INSERT INTO measure (municipality_code, source, measure_id, case_id, law, measure_type, family, family_care, started, ended, monthly_cost) VALUES ($1, 'dubu', $2, $3, 'BL', $4, $5, $6, $7, $8, $9)`,
        [M, `M${i}`, caseOf(m.child), t.type, t.family, t.care, m.start, m.days === null ? null : addDays(m.start, m.days), m.cost],
      );
    }
    for (const [i, v] of data.investigations.entries()) {
      await q(
        `INSERT INTO investigation (municipality_code, source, investigation_id, case_id, started, completed) VALUES ($1, 'dubu', $2, $3, $4, $5)`,
        [M, `I${i}`, caseOf(v.child), v.start, v.days === null ? null : addDays(v.start, v.days)],
      );
    }
    // The case data changed without an import: move the data version so no cached answer is reused.
    await q('UPDATE data_version SET version = version + 1');
    await app.get(KpiCache).read();
  }

  const query = (a: { asOf: string; from: string | null; to: string | null }) =>
    [`ids=${IDS}`, `asOf=${a.asOf}`, a.from ? `from=${a.from}` : '', a.to ? `to=${a.to}` : ''].filter(Boolean).join('&');

  /** Every way the committee's answer could reveal a count of 1-4, checked against the chief's numbers for the same D and P. */
  function check(committee: Record<string, any>, chief: Record<string, any>) {
    const kpis = committee.kpis;
    // activity.summary: every cell a count; no part-total relation between its cells.
    for (const [year, cells] of Object.entries<Record<string, unknown>>(kpis['activity.summary'])) {
      for (const [k, v] of Object.entries(cells)) {
        const real = chief.kpis['activity.summary'][year][k];
        if (small(real)) expect(v, `${year} ${k}`).toEqual(S);
        else expect(v).toBe(real);
      }
    }
    const goals: any[] = kpis['goal.status'];
    const real: any[] = chief.kpis['goal.status'];
    expect(goals.map((g) => g.kpi)).toEqual(GOALS.map(([k]) => k));
    expect(goals.every((g) => !('basis' in g))).toBe(true);
    const at = (kpi: string) => [goals.find((g) => g.kpi === kpi), real.find((g) => g.kpi === kpi)];
    const values = (g: any) => [['value', g.value], ...Object.entries(g.previousYears)] as [string, unknown][];
    const basisOf = (g: any, key: string) => (key === 'value' ? g.basis?.value : g.basis?.previousYears[key]);
    for (const [shown, truth] of goals.map((g, i) => [g, real[i]])) {
      for (const [key, v] of values(shown)) {
        if (COUNT_GOALS.includes(shown.kpi)) {
          if (small(values(truth).find(([k]) => k === key)![1] as number)) expect(v, `${shown.kpi} ${key}`).toEqual(S);
          else expect(v).toBe(values(truth).find(([k]) => k === key)![1]);
        }
        if (isSuppressed(v) && key === 'value') expect(shown.status).toBeNull();
        const b = basisOf(truth, key);
        // A share shown only when numerator, denominator and the rest are all 0 or ≥ 5.
        if (typeof v === 'number' && b && 'numerator' in b)
          for (const n of [b.numerator, b.denominator, b.denominator - b.numerator])
            expect(small(n), `${shown.kpi} ${key} rests on ${n}`).toBe(false);
        // An amount in kr. or days shown only when it rests on 5 children or more.
        if (typeof v === 'number' && (shown.kpi.startsWith('cost.') || shown.kpi.startsWith('investigation.')))
          expect(b.children, `${shown.kpi} ${key}`).toBeGreaterThanOrEqual(5);
      }
    }
    // Parts shown with their total: the committee sees the total (a count goal) and the share of one
    // part, so it can work out both parts. What it cannot see of the total must be 0, 5 or more, or
    // spread over two hidden parts.
    for (const [totalKpi, shareKpi] of [
      ['activity.placed_children', 'activity.family_care_share'],
      ['activity.children_notified', 'activity.repeat_notification_share'],
    ]) {
      const [total] = at(totalKpi);
      const [share] = at(shareKpi);
      for (const [key, t] of values(total)) {
        if (typeof t !== 'number') continue;
        const s = values(share).find(([k]) => k === key)![1];
        const parts = typeof s === 'number' ? [Math.round(s * t), t - Math.round(s * t)] : null; // both parts shown, or both hidden
        const hidden = parts ? t - parts[0] - parts[1] : t;
        const hiddenParts = parts ? 0 : 2;
        expect(hidden === 0 || hidden >= 5 || hiddenParts >= 2, `${totalKpi} ${key}`).toBe(true);
        for (const p of parts ?? []) expect(small(p), `${shareKpi} ${key}: a part of ${p}`).toBe(false);
      }
    }
    // Children with an open case (second edition): the count as a summary cell, the rate withheld with it.
    const open = chief.kpis['activity.children_with_open_case'];
    const rate = 'activity.children_with_open_case_per_1000';
    if (small(open)) {
      expect(kpis['activity.children_with_open_case']).toEqual(S);
      expect(chief.kpis[rate] === null ? null : S).toEqual(kpis[rate]);
    } else {
      expect(kpis['activity.children_with_open_case']).toBe(open);
      expect(kpis[rate]).toEqual(chief.kpis[rate]);
    }
    // The preventive share is a share of the accounts' amounts: shown as the chief sees it.
    expect(kpis['cost.preventive_share']).toEqual(chief.kpis['cost.preventive_share']);
    // Budget: the activity forecast (and what rests on it) only from 5 children on.
    for (const [fn, line] of Object.entries<any>(kpis['budget.function'])) {
      const truth = chief.kpis['budget.function'][fn];
      expect(line).not.toHaveProperty('activeChildren');
      if (small(truth.activeChildren ?? 0)) {
        expect(line.forecastActivity).toEqual(S);
        expect(kpis['budget.forecast_activity'][fn]).toEqual(S);
      } else expect(line.forecastActivity).toEqual(truth.forecastActivity);
    }
  }

  it('reveals no count of 1-4 and gives D and D + 1 day of one month the same answer', async () => {
    await fc.assert(
      fc.asyncProperty(dataset, ask, async (data, a) => {
        await load(data);
        const first = await get('udvalg', query(a)).expect(200);
        const used = first.body;
        // Whole months: D a month end, P from a month's first day to a month end, never past D.
        expect(used.asOf).toBe(monthEnd(used.asOf));
        expect(used.asOf <= a.asOf).toBe(true);
        expect(used.period.from.endsWith('-01')).toBe(true);
        expect(used.period.to).toBe(monthEnd(used.period.to));
        expect(used.period.to <= used.asOf && used.period.from <= used.period.to).toBe(true);
        const chief = await get('chef', `ids=${IDS}&asOf=${used.asOf}&from=${used.period.from}&to=${used.period.to}`).expect(200);
        check(used, chief.body);
        // D + 1 day in the same month (and not its last day): the same answer, byte for byte.
        const next = addDays(a.asOf, 1);
        if (next.slice(0, 7) === a.asOf.slice(0, 7) && next !== monthEnd(next)) {
          const again = await get('udvalg', query({ ...a, asOf: next, to: a.to && a.to === a.asOf ? next : a.to })).expect(200);
          expect(again.text).toBe(first.text);
        }
      }),
      // No shrinking: each run is a database load and three HTTP requests; the counterexample is printed as found.
      { numRuns: 30, endOnFailure: true },
    );
  }, 180_000);
});
