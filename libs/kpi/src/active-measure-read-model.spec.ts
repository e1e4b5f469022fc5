import { beforeAll, describe, expect, it } from 'vitest';
import { buildReadModels } from '@bu/db';
import { kpiById } from '@bu/kpi';
import { chiefFixture, expectFactsOnBothPaths, heldDays, onBothPaths } from '../../../test/support/kpi';

// The chief's figures of the measures active at D from the read models measure_type_day and
// top_case_day (ADR 0108), against the facts, at every day caseload_day holds, and from the facts
// at any other D. Besides the fixture's measures, written here: a child with two cases and a
// placement on each, one ending on a held day (31-01-2024); a placement starting on the leap day
// (held) with no monthly cost; a placement on a case the case table does not know (the highest
// cost: in the ages and the top cases, not in the placed children's cost); a type that is a
// placement on one case and a preventive measure on another; the same case number in the other
// case system (its costs count with the case's); and 22 economic benefits of equal cost on cases of
// their own, so that the 20th place falls among equal totals (ties by case number).
const D = '2024-04-30';
const KPIS = [
  'activity.placed_children_by_type',
  'duration.active_measure_age_days',
  'cost.annualised_per_placed_child',
  'cost.top_cases',
].map((id) => kpiById(id)!);

describe('the chief’s figures of the active measures from the read models', () => {
  const { db, ctx } = chiefFixture(D);
  let held: string[] = [];

  beforeAll(async () => {
    const q = (sql: string) => db().pool.query(sql);
    await q(`INSERT INTO child_case (municipality_code, source, case_id, person_id, area, opened, closed) VALUES
      (461, 'dubu', 'CT1', 'pt1', 'Udsatte', '2021-01-01', NULL),
      (461, 'dubu', 'CT2', 'pt2', 'Handicap', '2021-01-01', NULL),
      (461, 'dubu', 'CT3', 'pt1', 'Udsatte', '2023-01-01', NULL),
      (461, 'csc', 'CT1', 'pt9', 'Udsatte', '2021-01-01', NULL)`);
    await q(`INSERT INTO measure (municipality_code, source, measure_id, case_id, measure_type, family, started, ended, monthly_cost) VALUES
      (461, 'dubu', 'TA', 'CT1', 'Plejefamilie', 'placement', '2022-01-01', NULL, 30000.50),
      (461, 'dubu', 'TB', 'CT3', 'Plejefamilie', 'placement', '2023-06-30', '2024-01-31', 20000),
      (461, 'dubu', 'TC', 'CT2', 'Døgninstitution', 'placement', '2024-02-29', NULL, NULL),
      (461, 'dubu', 'TD', 'CX9', 'Døgninstitution', 'placement', '2023-01-01', NULL, 99999),
      (461, 'dubu', 'TE', 'CT2', 'Merudgifter', 'economic', '2023-01-01', NULL, 5000),
      (461, 'dubu', 'TF', 'CT1', 'Aflastning', 'preventive', '2022-06-01', NULL, 4000),
      (461, 'dubu', 'TG', 'CT2', 'Aflastning', 'placement', '2023-03-31', '2024-03-31', 6000),
      (461, 'csc', 'TH', 'CT1', 'Opholdssted', 'placement', '2023-01-01', NULL, 1000)`);
    await q(`INSERT INTO measure (municipality_code, source, measure_id, case_id, measure_type, family, started, ended, monthly_cost)
      SELECT 461, 'dubu', 'TZ' || n, 'CZ' || lpad(n::text, 2, '0'), 'Merudgifter', 'economic', '2022-01-01', NULL, 100
      FROM generate_series(1, 22) n`);
    expect(await buildReadModels(db().pool, 461)).not.toBeNull();
    held = await heldDays(db().pool);
  });

  /** The four figures on both paths, and how many statements read the two read models. */
  const bothPaths = (asOf: string) =>
    onBothPaths(ctx, { asOf }, (context) => Promise.all(KPIS.map((kpi) => kpi.compute(context))), /measure_type_day|top_case_day/);

  it('gives what the facts give at every day it holds', async () => {
    expect(held).toHaveLength(37);
    let topRows = 0;
    for (const asOf of held) {
      const both = await bothPaths(asOf);
      expect(both.readWithMemo, asOf).toBe(4);
      expect(both.readAlone, asOf).toBe(4);
      expectFactsOnBothPaths(both, asOf);
      topRows += (both.facts[3] as { count: number }).count;
    }
    // Not a comparison of empty answers only: 20 cases at most days.
    expect(topRows).toBeGreaterThan(500);
  });

  it('reads the facts at any other D, with the same answers', async () => {
    for (const asOf of ['2024-04-29', '2024-02-28', '2024-03-01', '2023-12-15', '2024-05-31']) {
      const both = await bothPaths(asOf);
      expect(both.readWithMemo + both.readAlone, asOf).toBe(0);
      expectFactsOnBothPaths(both, asOf);
    }
  });

  it('by hand at held days', async () => {
    const at = (kpi: number, asOf: string) => KPIS[kpi].compute(ctx({ asOf, readModels: true }));
    // 31-01-2024: the placements with a known case active are the fixture's Y5 (C7, Opholdssted) and
    // Y8 (C9, Døgninstitution), TA and TB (pt1 twice; TB ends on the day), TG (pt2) and csc's TH (pt9).
    // TD's case is unknown; TC and Y1 have not started.
    expect(await at(0, '2024-01-31')).toEqual({ Opholdssted: 2, Plejefamilie: 1, Aflastning: 1, Døgninstitution: 1 });
    // 29-02-2024: TB has ended; Y1 (C1) began on 01-02 and TC (pt2) begins on the leap day.
    expect(await at(0, '2024-02-29')).toEqual({ Døgninstitution: 2, Opholdssted: 2, Plejefamilie: 2, Aflastning: 1 });
    // Ages at 29-02-2024: Døgninstitution Y8 and TD (from 01-01-2023: 424 days, the unknown case's
    // counted too) and TC (0) → 424; Plejefamilie TA (from 01-01-2022: 789) and Y1 (28) → 408.5.
    const ages = (await at(1, '2024-02-29')) as Record<string, number>;
    expect([ages['Døgninstitution'], ages['Plejefamilie']]).toEqual([424, 408.5]);
    // Annualised cost per placed child: 31-01-2024, 65,000 + 85,000 + 30,000.50 + 20,000 + 6,000 +
    // 1,000 over five children; 29-02-2024, TB gone, Y1's 32,000 and TC's none over six.
    expect(await at(2, '2024-01-31')).toBeCloseTo((207000.5 * 12) / 5, 9);
    expect(await at(2, '2024-02-29')).toBeCloseTo((219000.5 * 12) / 6, 9);
    // The top cases at 31-03-2024: CX9 (TD), the fixture's C9 and C7, then CT1 over both case
    // systems (TA, TF and csc's TH); CT2 (TE, TG ending on the day, TC with no cost) after C1 and C5.
    const top = (await at(3, '2024-03-31')) as {
      count: number;
      rows: { case: string; annualisedCost: number; measures: number; measureTypes: string[] }[];
    };
    expect(top.rows.map((r) => r.case).slice(0, 9)).toEqual(['CX9', 'C9', 'C7', 'CT1', 'C1', 'C5', 'CT2', 'C3', 'C6']);
    expect(top.rows[3]).toEqual({
      case: 'CT1',
      annualisedCost: 35000.5 * 12,
      measures: 3,
      measureTypes: ['Aflastning', 'Opholdssted', 'Plejefamilie'],
    });
    expect(top.rows[6]).toEqual({
      case: 'CT2',
      annualisedCost: 11000 * 12,
      measures: 3,
      measureTypes: ['Aflastning', 'Døgninstitution', 'Merudgifter'],
    });
    // The last 11 places go to the equal totals of 100 by case number: CZ01 .. CZ11, not CZ12 .. CZ22.
    expect(top.count).toBe(20);
    expect(top.rows.slice(9).map((r) => r.case)).toEqual(Array.from({ length: 11 }, (_, i) => `CZ${String(i + 1).padStart(2, '0')}`));
  });
});
