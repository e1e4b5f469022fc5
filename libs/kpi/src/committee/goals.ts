import type { KpiContext, KpiDefinition } from '../types';
import type { GoalStatus, Light } from '@bu/contracts';
import { SUPPRESSED } from './suppression';

export type { GoalStatus };

/** Green when met at D, yellow when missed by no more than the tolerance, red otherwise; none without a value. */
export function goalLight(value: number | null, direction: '>=' | '<=', target: number, tolerance: number): Light | null {
  if (value === null) return null;
  const miss = direction === '>=' ? target - value : value - target;
  if (miss <= 1e-12) return 'green';
  return miss <= tolerance + 1e-12 ? 'yellow' : 'red';
}

/**
 * goal.status — each political goal of the municipality in force at D: the KPI's value at D,
 * its light, and the previous years' values. Goals name KPI ids from this registry.
 */
export function goalStatusKpi(lookup: (id: string) => KpiDefinition | undefined): KpiDefinition<GoalStatus[]> {
  return {
    id: 'goal.status',
    title: 'Politiske mål',
    unit: 'ratio',
    higherIsBetter: null,
    roles: ['udvalg', 'chef', 'admin'],
    async compute(ctx: KpiContext) {
      const goals = await ctx.query<{ id: number; title: string; policy_text: string | null; kpi_id: string; direction: '>=' | '<='; target: string; tolerance: string }>(
        `SELECT id, title, policy_text, kpi_id, direction, target::text, tolerance::text FROM political_goal
         WHERE municipality_code = $1 AND (valid_from IS NULL OR valid_from <= $2::date) AND (valid_to IS NULL OR valid_to >= $2::date)
         ORDER BY id`,
        [ctx.municipality, ctx.asOf],
      );
      const year = Number(ctx.asOf.slice(0, 4));
      const result: GoalStatus[] = [];
      // value and previousYears are plain numbers here; the committee's suppression replaces small ones.
      for (const g of goals) {
        const kpi = lookup(g.kpi_id);
        const numeric = async (c: KpiContext) => {
          if (!kpi) return null;
          const v = await kpi.compute(c);
          return typeof v === 'number' ? v : null;
        };
        const previousYears: Record<string, number | null> = {};
        for (let y = year - 3; y < year; y++) previousYears[String(y)] = await numeric({ ...ctx, asOf: `${y}-12-31`, period: { from: `${y}-01-01`, to: `${y}-12-31` } });
        const value = await numeric(ctx);
        const target = Number(g.target);
        const tolerance = Number(g.tolerance);
        result.push({
          id: g.id, title: g.title, policyText: g.policy_text, kpi: g.kpi_id, direction: g.direction, target, tolerance,
          value, status: goalLight(value, g.direction, target, tolerance), previousYears,
        });
      }
      return result;
    },
    // Goals follow shares and rates of the whole municipality; a count-based goal with a small
    // value is withheld with its light (the rule for suppressed cells).
    suppress: (goals) =>
      goals.map((g) => {
        const kpi = lookup(g.kpi);
        const small = (v: unknown) => kpi?.unit === 'count' && typeof v === 'number' && v >= 1 && v < 5;
        const cell = (v: GoalStatus['value']): GoalStatus['value'] => (small(v) ? SUPPRESSED : v);
        const previousYears = Object.fromEntries(Object.entries(g.previousYears).map(([y, v]) => [y, cell(v)]));
        return small(g.value) ? { ...g, value: SUPPRESSED, status: null, previousYears } : { ...g, previousYears };
      }),
  };
}
