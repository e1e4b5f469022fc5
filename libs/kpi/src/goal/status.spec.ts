import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { goalLight, kpiById } from '@bu/kpi';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../../../../test/support/database';
import { FIXTURES } from '../../../../test/support/fixtures';
import { kpiValue } from '../../../../test/support/kpi';

describe('goal lights', () => {
  it('green when met, yellow when missed by at most the tolerance, red beyond', () => {
    expect(goalLight(0.65, '>=', 0.65, 0.05)).toBe('green');
    expect(goalLight(0.6, '>=', 0.65, 0.05)).toBe('yellow');
    expect(goalLight(0.59, '>=', 0.65, 0.05)).toBe('red');
    expect(goalLight(10, '<=', 10, 1)).toBe('green');
    expect(goalLight(11, '<=', 10, 1)).toBe('yellow');
    expect(goalLight(11.5, '<=', 10, 1)).toBe('red');
    expect(goalLight(null, '>=', 0.65, 0.05)).toBeNull();
  });
});

describe('goal.status on test/fixtures/dubu-chief at D = 30-04-2024', () => {
  let db: TestDatabase;
  const kpi = kpiById('goal.status')!;
  /** goal.status at D from the facts and from the read models (ADR 0074; both must agree). */
  const goalStatus = () => kpiValue(() => db, '2024-04-30')('goal.status');

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, join(FIXTURES, 'dubu-chief'), { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' });
    await db.pool.query(
      `INSERT INTO political_goal (municipality_code, kpi_id, title, direction, target, tolerance, valid_to) VALUES
       (461, 'activity.family_care_share', 'Mindst 65 % af de anbragte børn i familiepleje', '>=', 0.65, 0.05, NULL),
       (461, 'deadline.notification_24h', '95 % af underretningerne vurderet inden for 24 timer', '>=', 0.95, 0.5, NULL),
       (461, 'activity.placed_children', 'Højst 5 anbragte børn', '<=', 5, 1, NULL),
       (461, 'activity.placed_children', 'Et udløbet mål', '<=', 1, 0, '2023-12-31')`,
    );
  });
  afterAll(async () => db?.drop());

  it('evaluates the goals in force with the previous three years', async () => {
    const goals = (await goalStatus()) as {
      title: string;
      value: number | null;
      status: string | null;
      previousYears: Record<string, number | null>;
    }[];
    expect(goals.map((g) => g.title)).toEqual([
      'Mindst 65 % af de anbragte børn i familiepleje',
      '95 % af underretningerne vurderet inden for 24 timer',
      'Højst 5 anbragte børn',
    ]);
    // Family care: 1 of 3 placed (Y1) → red. 31-12-2022: Y5 Opholdssted only → 0; 31-12-2023: Y5, Y8 → 0; 2021: nobody placed → null.
    expect(goals[0]).toMatchObject({ value: 1 / 3, status: 'red', previousYears: { '2021': null, '2022': 0, '2023': 0 } });
    // Notifications: N1, N3, N8 on time; N2, N4, N7 late; N5 pending → 3/6, missed by 0.45 ≤ 0.5 → yellow. 2023: N6 late → 0.
    expect(goals[1]).toMatchObject({ value: 0.5, status: 'yellow', previousYears: { '2021': null, '2022': null, '2023': 0 } });
    // Placed children 3 ≤ 5 → green; 31-12 of 2021, 2022, 2023: 0, 1, 2.
    expect(goals[2]).toMatchObject({ value: 3, status: 'green', previousYears: { '2021': 0, '2022': 1, '2023': 2 } });
  });

  it('keeps the counts behind a share for the chief', async () => {
    const goals = (await goalStatus()) as { basis?: unknown }[];
    // Family care: 1 of 3 placed at D; 0 of 1 (2022), 0 of 2 (2023); nobody placed in 2021 → 0 of 0.
    expect(goals[0].basis).toEqual({
      value: { numerator: 1, denominator: 3 },
      previousYears: {
        '2021': { numerator: 0, denominator: 0 },
        '2022': { numerator: 0, denominator: 1 },
        '2023': { numerator: 0, denominator: 2 },
      },
    });
    // Notifications: 3 on time of 6 decided; 2023: 0 of 1; none in 2021 or 2022.
    expect(goals[1].basis).toMatchObject({
      value: { numerator: 3, denominator: 6 },
      previousYears: { '2023': { numerator: 0, denominator: 1 } },
    });
    // A count-based goal has no fraction.
    expect(goals[2].basis).toBeUndefined();
  });

  it('withholds from the committee a count-based goal on a small cell and a share resting on a count of 1-4', async () => {
    const goals = kpi.suppress!(await goalStatus()) as {
      value: unknown;
      status: unknown;
      previousYears: Record<string, unknown>;
      basis?: unknown;
    }[];
    expect(goals[2]).toMatchObject({
      value: { suppressed: true },
      status: null,
      previousYears: { '2021': 0, '2022': { suppressed: true }, '2023': { suppressed: true } },
    });
    // 1 of 3 in family care: both counts are small → value and light withheld. 0 of 1 and 0 of 2 rest
    // on a small denominator → withheld; 0 of 0 (2021) has no value to withhold.
    expect(goals[0]).toMatchObject({
      value: { suppressed: true },
      status: null,
      previousYears: { '2021': null, '2022': { suppressed: true }, '2023': { suppressed: true } },
    });
    // 3 of 6 notifications on time: the numerator 3 is a small cell → withheld.
    expect(goals[1]).toMatchObject({
      value: { suppressed: true },
      status: null,
      previousYears: { '2021': null, '2022': null, '2023': { suppressed: true } },
    });
    // The committee never gets the counts.
    expect(goals.every((g) => !('basis' in g))).toBe(true);
  });

  it('shows the committee a share whose counts are all 5 or more, and a share of 0 of many', () => {
    const status = (value: number, numerator: number, denominator: number) => ({
      id: 9,
      title: 't',
      policyText: null,
      kpi: 'activity.family_care_share',
      direction: '>=' as const,
      target: 0.65,
      tolerance: 0.05,
      value,
      status: 'green' as const,
      previousYears: { '2023': 0 },
      basis: { value: { numerator, denominator }, previousYears: { '2023': { numerator: 0, denominator: 12 } } },
    });
    const [shown] = kpi.suppress!([status(5 / 10, 5, 10)]) as { value: unknown; status: unknown; previousYears: Record<string, unknown> }[];
    expect(shown).toMatchObject({ value: 5 / 10, status: 'green', previousYears: { '2023': 0 } });
    // 4 of 40: the share is derived from a small count.
    const [withheld] = kpi.suppress!([status(0.1, 4, 40)]) as { value: unknown }[];
    expect(withheld.value).toEqual({ suppressed: true });
  });

  it('withholds a share whose rest is 1-4: 5 of 7 and 36 of 40 reveal the 2 and the 4 others beside the total', () => {
    const status = (numerator: number, denominator: number) => ({
      id: 9,
      title: 't',
      policyText: null,
      kpi: 'activity.family_care_share',
      direction: '>=' as const,
      target: 0.65,
      tolerance: 0.05,
      value: numerator / denominator,
      status: 'green' as const,
      previousYears: {},
      basis: { value: { numerator, denominator }, previousYears: {} },
    });
    for (const [n, d] of [
      [5, 7],
      [36, 40],
      [0, 3],
    ]) {
      expect((kpi.suppress!([status(n, d)]) as unknown[])[0]).toMatchObject({ value: { suppressed: true }, status: null });
    }
    // 0 of 12 and 12 of 12: the rest 12 and 0.
    expect((kpi.suppress!([status(0, 12)]) as unknown[])[0]).toMatchObject({ value: 0, status: 'green' });
    expect((kpi.suppress!([status(12, 12)]) as unknown[])[0]).toMatchObject({ value: 1, status: 'green' });
  });
});
