import { join } from 'path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildReadModels } from '@bu/db';
import { importEconomy } from '@bu/etl';
import { DEFAULT_SETTINGS, kpiById, type KpiContext } from '@bu/kpi';
import { TEST_SECRET } from '../../../../test/support/database';
import { FIXTURES } from '../../../../test/support/fixtures';
import { chiefFixture } from '../../../../test/support/kpi';

// The activity counts and the budget's active measures from the read models (ADR 0082) against the
// facts, on every day of two years, with spells written here for the edges: a child's overlapping,
// adjacent and reversed spells across cases, a leap day, month ends, a cost of 0 and none, and
// notifications around Copenhagen midnight on the days the clock changes and at a year's turn.
const DAYS = Array.from({ length: 731 }, (_, i) => new Date(Date.UTC(2023, 0, 1 + i)).toISOString().slice(0, 10));
const MONTH_ENDS = DAYS.filter(
  (d) => new Date(`${d}T00:00:00Z`).getUTCDate() === new Date(Date.UTC(+d.slice(0, 4), +d.slice(5, 7), 0)).getUTCDate(),
);

describe('activity counts and budget measures from the read models', () => {
  const { db, ctx } = chiefFixture('2024-04-30');

  beforeAll(async () => {
    const q = (sql: string) => db().pool.query(sql);
    await importEconomy(db().pool, join(FIXTURES, 'economy-small'), { pseudonymSecret: TEST_SECRET });
    // Child px: CX1 and CX2 overlap on 31-03-2023, CX3 follows CX2 the next day, CX4 closes before it opens.
    // Child pz: two cases opened the same day, each with a placement begun the same day (equal spells
    // count once). YX14's case is not in child_case: placements started and ended count it, no child does.
    await q(`INSERT INTO child_case (municipality_code, source, case_id, person_id, area, opened, closed) VALUES
      (461, 'dubu', 'CX1', 'px', 'Udsatte', '2023-01-10', '2023-03-31'),
      (461, 'dubu', 'CX2', 'px', 'Udsatte', '2023-03-31', '2023-06-30'),
      (461, 'dubu', 'CX3', 'px', 'Handicap', '2023-07-01', NULL),
      (461, 'dubu', 'CX4', 'px', 'Udsatte', '2023-05-01', '2023-04-01'),
      (461, 'dubu', 'CX5', 'py', 'Udsatte', '2024-02-29', '2024-02-29'),
      (461, 'dubu', 'CX6', 'pz', 'Udsatte', '2023-05-10', NULL),
      (461, 'dubu', 'CX7', 'pz', 'Handicap', '2023-05-10', NULL)`);
    await q(`INSERT INTO measure (municipality_code, source, measure_id, case_id, measure_type, family, family_care, started, ended, monthly_cost) VALUES
      (461, 'dubu', 'YX1', 'CX1', 'Plejefamilie', 'placement', true, '2023-01-15', '2023-02-28', 1000.50),
      (461, 'dubu', 'YX2', 'CX2', 'Opholdssted', 'placement', false, '2023-02-20', '2023-04-30', 0),
      (461, 'dubu', 'YX3', 'CX2', 'Opholdssted', 'placement', false, '2023-04-30', '2023-05-31', 2000),
      (461, 'dubu', 'YX4', 'CX3', 'Opholdssted', 'placement', false, '2023-06-10', '2023-06-01', 500),
      (461, 'dubu', 'YX5', 'CX3', 'Kontaktperson', 'preventive', false, '2024-02-29', NULL, NULL),
      (461, 'dubu', 'YX6', 'CX3', 'Familiebehandling', 'preventive', false, '2023-08-31', '2023-09-30', 300),
      (461, 'dubu', 'YX7', 'CX3', 'Kontaktperson', 'preventive', false, '2023-09-30', '2023-10-01', 400),
      (461, 'dubu', 'YX8', 'CX3', 'Aflastning', 'preventive', false, '2023-07-01', NULL, 250.25),
      (461, 'dubu', 'YX9', 'CX5', 'Døgninstitution', 'placement', false, '2024-02-29', '2024-02-29', 9000),
      (461, 'dubu', 'YX10', 'CX4', 'Merudgifter', 'economic', false, '2023-03-15', NULL, 100),
      (461, 'dubu', 'YX11', 'CX3', 'Ukendt indsats', 'unknown', false, '2023-01-01', NULL, 50),
      (461, 'dubu', 'YX12', 'CX6', 'Plejefamilie', 'placement', true, '2023-05-15', NULL, 700),
      (461, 'dubu', 'YX13', 'CX7', 'Plejefamilie', 'placement', true, '2023-05-15', NULL, 700),
      (461, 'dubu', 'YX14', 'CX-none', 'Opholdssted', 'placement', false, '2023-06-15', '2024-01-31', 800)`);
    // Received around Copenhagen midnight: the evening before and the night of the spring and autumn
    // clock changes, the last second of a year and the first of the next (local), a leap day's end.
    await q(`INSERT INTO notification (municipality_code, source, notification_id, person_id, case_id, received_at, channel) VALUES
      (461, 'dubu', 'NX1', 'px', 'CX3', '2024-03-30 23:30+01', 'skole'),
      (461, 'dubu', 'NX2', 'px', 'CX3', '2024-03-31 00:30+01', 'skole'),
      (461, 'dubu', 'NX3', 'px', 'CX3', '2024-03-31 03:30+02', 'politi'),
      (461, 'dubu', 'NX4', 'px', 'CX3', '2024-10-26 23:59:59+02', 'skole'),
      (461, 'dubu', 'NX5', 'px', 'CX3', '2024-10-27 00:00+02', 'skole'),
      (461, 'dubu', 'NX6', 'px', 'CX3', '2024-10-27 02:30+01', 'skole'),
      (461, 'dubu', 'NX7', 'px', 'CX3', '2023-12-31 23:59:59+01', 'skole'),
      (461, 'dubu', 'NX8', 'px', 'CX3', '2024-01-01 00:00+01', 'skole'),
      (461, 'dubu', 'NX9', 'py', 'CX5', '2024-02-29 23:59+01', 'skole')`);
    // Budget lines for every month of 2023 and 2024, so that every month end is some line's month m.
    await q(`INSERT INTO budget_line (municipality_code, year, month, function_code, function_name, corrected_budget, spend)
      SELECT 461, y, m, f, f, 1000000, 1000 * m FROM generate_series(2023, 2024) y, generate_series(1, 12) m,
        unnest(ARRAY['5.28.20', '5.28.21', '5.28.22', '5.28.23', '5.57.72']) f
      ON CONFLICT DO NOTHING`);
    expect(await buildReadModels(db().pool, 461)).not.toBeNull();
  });

  /** The asks (id, context) whose values differ between the facts and the read models. */
  async function differences(asks: [string, Partial<KpiContext>][]): Promise<string[]> {
    const out: string[] = [];
    for (const [id, over] of asks) {
      const kpi = kpiById(id)!;
      const [facts, models] = [
        await kpi.compute(ctx({ ...over, readModels: false })),
        await kpi.compute(ctx({ ...over, readModels: true })),
      ];
      if (JSON.stringify(facts) !== JSON.stringify(models)) out.push(`${id} ${JSON.stringify(over)}: ${JSON.stringify([facts, models])}`);
    }
    return out;
  }

  it('gives each day’s counts at D and in P exactly as the facts do', async () => {
    const asks: [string, Partial<KpiContext>][] = [];
    for (const asOf of DAYS) {
      // P: the month of D to D, a period that runs past D, and one that begins after D.
      const periods = [
        { from: `${asOf.slice(0, 8)}01`, to: asOf },
        { from: `${asOf.slice(0, 4)}-01-01`, to: `${asOf.slice(0, 4)}-12-31` },
        { from: '2024-10-27', to: '2024-12-31' },
      ];
      for (const id of [
        'activity.placed_children',
        'activity.preventive_children',
        'activity.children_with_open_case',
        'activity.family_care_share',
      ])
        asks.push([id, { asOf }]);
      for (const period of periods)
        for (const id of ['activity.notifications', 'activity.placements_started', 'activity.placements_ended'])
          asks.push([id, { asOf, period }]);
    }
    expect(await differences(asks)).toEqual([]);
    // px counts once while its placements in two cases overlap (20-28 Feb 2023); pz once for its two
    // equal placements from 15-05-2023.
    const at = (id: string, asOf: string) => kpiById(id)!.compute(ctx({ asOf, readModels: true }));
    const before = (await at('activity.placed_children', '2023-01-14')) as number;
    expect(await at('activity.placed_children', '2023-02-25')).toBe(before + 1);
    expect(await at('activity.placed_children', '2023-06-05')).toBe(before + 1);
  });

  it('gives activity.summary at month ends, the turns of the year and the clock changes as the facts do', async () => {
    const days = [...MONTH_ENDS, '2024-01-01', '2024-03-30', '2024-03-31', '2024-10-26', '2024-10-27', '2025-06-15', '2020-05-01'];
    expect(await differences(days.map((asOf) => ['activity.summary', { asOf }]))).toEqual([]);
  });

  it('gives budget.function at every month end and between them as the facts do, with the default and another mapping', async () => {
    const days = [...MONTH_ENDS, '2024-02-28', '2024-03-15', '2023-01-30'];
    // Kontaktperson and Aflastning on functions of their own: px's set of types then counts for both.
    const moved = {
      ...DEFAULT_SETTINGS,
      'budget.function_map': { Kontaktperson: '5.28.22', Aflastning: '5.28.23', 'Ukendt indsats': '5.28.20' },
    };
    const asks: [string, Partial<KpiContext>][] = [];
    for (const asOf of days) for (const settings of [DEFAULT_SETTINGS, moved]) asks.push(['budget.function', { asOf, settings }]);
    expect(await differences(asks)).toEqual([]);
  });
});
