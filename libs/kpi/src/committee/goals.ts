import { fractionValue, type Fraction, type KpiContext, type KpiDefinition } from '../types';
import type { GoalStatus, Light } from '@bu/contracts';
import { MIN_CELL, SUPPRESSED } from './suppression';

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
        // A share or rate keeps the counts it rests on: the committee's suppression needs them.
        const basis: NonNullable<GoalStatus['basis']> = { value: null, previousYears: {} };
        const numeric = async (c: KpiContext, keep: (f: Fraction | null) => void) => {
          if (!kpi) return null;
          if (kpi.fraction) {
            const f = await kpi.fraction(c);
            keep(f);
            return fractionValue(f, kpi.scale);
          }
          const v = await kpi.compute(c);
          return typeof v === 'number' ? v : null;
        };
        const previousYears: Record<string, number | null> = {};
        for (let y = year - 3; y < year; y++) {
          previousYears[String(y)] = await numeric({ ...ctx, asOf: `${y}-12-31`, period: { from: `${y}-01-01`, to: `${y}-12-31` } }, (f) => (basis.previousYears[String(y)] = f));
        }
        const value = await numeric(ctx, (f) => (basis.value = f));
        const target = Number(g.target);
        const tolerance = Number(g.tolerance);
        result.push({
          id: g.id, title: g.title, policyText: g.policy_text, kpi: g.kpi_id, direction: g.direction, target, tolerance,
          value, status: goalLight(value, g.direction, target, tolerance), previousYears,
          ...(kpi?.fraction ? { basis } : {}),
        });
      }
      return result;
    },
    // The committee sees no counts under 5: a count-based goal with a small value, and a share or
    // rate resting on a count of 1..4 (numerator or denominator), is withheld with its light. The
    // counts themselves (basis) are never sent to the committee.
    suppress: (goals) =>
      goals.map(({ basis, ...g }) => {
        const kpi = lookup(g.kpi);
        const smallCount = (n: number) => n >= 1 && n < MIN_CELL;
        const small = (v: unknown, f: Fraction | null | undefined) =>
          (kpi?.unit === 'count' && typeof v === 'number' && smallCount(v)) || (!!f && (smallCount(f.numerator) || smallCount(f.denominator)));
        const previousYears = Object.fromEntries(Object.entries(g.previousYears).map(([y, v]) => [y, small(v, basis?.previousYears[y]) ? SUPPRESSED : v]));
        return small(g.value, basis?.value) ? { ...g, value: SUPPRESSED, status: null, previousYears } : { ...g, previousYears };
      }),
  };
}
