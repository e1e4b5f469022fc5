import { computeOnce, defineKpi, fractionValue, type KpiContext, type KpiDefinition } from '../types';
import type { GoalBasis, GoalStatus, Light } from '@bu/contracts';
import { MIN_CELL, SUPPRESSED } from '../suppression';

export type { GoalStatus };

/** Green when met at D, yellow when missed by no more than the tolerance, red otherwise; none without a value. */
export function goalLight(value: number | null, direction: '>=' | '<=', target: number, tolerance: number): Light | null {
  if (value === null) return null;
  const miss = direction === '>=' ? target - value : value - target;
  if (miss <= 1e-12) return 'green';
  return miss <= tolerance + 1e-12 ? 'yellow' : 'red';
}

const smallCount = (n: number) => n >= 1 && n < MIN_CELL;

/**
 * Whether the committee may see a goal's value (KPIS.md, small-cell suppression):
 * - a count: not when it is 1..4;
 * - a share or rate: not when its numerator, its denominator or the rest (denominator − numerator)
 *   is 1..4 — the share shows a part with its total, and the committee sees the total elsewhere
 *   (36 of 40 reveals the 4 others as 4 of 40 does);
 * - an amount in kr. or days: only when it rests on 5 children or more (a KPI that cannot say how
 *   many children it rests on: never).
 * Zero stays and nothing (null) stays nothing.
 */
export function goalValueShown(kpi: KpiDefinition | undefined, value: number | null, basis: GoalBasis | undefined): boolean {
  if (value === null || !kpi) return true;
  if (kpi.unit === 'count') return !smallCount(value);
  if (kpi.fraction)
    return (
      !!basis &&
      'numerator' in basis &&
      !smallCount(basis.numerator) &&
      !smallCount(basis.denominator) &&
      !smallCount(basis.denominator - basis.numerator)
    );
  return !!basis && 'children' in basis && basis.children >= MIN_CELL;
}

/**
 * goal.status — each political goal of the municipality in force at D: the KPI's value at D,
 * its light, and the previous years' values. Goals name KPI ids from this registry.
 */
export function goalStatusKpi(lookup: (id: string) => KpiDefinition | undefined) {
  return defineKpi({
    id: 'goal.status',
    title: 'Politiske mål',
    unit: 'ratio',
    shape: 'goals',
    higherIsBetter: null,
    roles: ['udvalg', 'chef', 'admin'],
    async compute(ctx: KpiContext): Promise<GoalStatus[]> {
      const goals = await ctx.query<{
        id: number;
        title: string;
        policy_text: string | null;
        kpi_id: string;
        direction: '>=' | '<=';
        target: string;
        tolerance: string;
      }>(
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
        // A share or rate keeps the counts it rests on, an amount in kr. or days its number of
        // children: the committee's suppression needs them.
        const keepsBasis = !!kpi && (!!kpi.fraction || !!kpi.children);
        const basis: NonNullable<GoalStatus['basis']> = { value: null, previousYears: {} };
        const numeric = async (c: KpiContext, keep: (b: GoalBasis) => void) => {
          if (!kpi) return null;
          if (kpi.fraction) {
            const f = await kpi.fraction(c);
            keep(f);
            return fractionValue(f, kpi.scale);
          }
          // Through the answer's memo: the same KPI in the same answer is not computed again.
          const v = await computeOnce(kpi, c);
          if (kpi.children) keep({ children: await kpi.children(c) });
          return typeof v === 'number' ? v : null;
        };
        const previousYears: Record<string, number | null> = {};
        for (let y = year - 3; y < year; y++) {
          previousYears[String(y)] = await numeric(
            { ...ctx, asOf: `${y}-12-31`, period: { from: `${y}-01-01`, to: `${y}-12-31` } },
            (b) => (basis.previousYears[String(y)] = b),
          );
        }
        const value = await numeric(ctx, (b) => (basis.value = b));
        const target = Number(g.target);
        const tolerance = Number(g.tolerance);
        result.push({
          id: g.id,
          title: g.title,
          policyText: g.policy_text,
          kpi: g.kpi_id,
          direction: g.direction,
          target,
          tolerance,
          value,
          status: goalLight(value, g.direction, target, tolerance),
          previousYears,
          ...(keepsBasis ? { basis } : {}),
        });
      }
      return result;
    },
    // The committee sees no small cells: a value it may not see is withheld with its light, also
    // for each previous year. What a value rests on (basis) is never sent to the committee.
    suppress: (goals) =>
      goals.map(({ basis, ...g }) => {
        const kpi = lookup(g.kpi);
        const shown = (v: unknown, b: GoalBasis | undefined) => goalValueShown(kpi, typeof v === 'number' ? v : null, b);
        const previousYears = Object.fromEntries(
          Object.entries(g.previousYears).map(([y, v]) => [y, shown(v, basis?.previousYears[y]) ? v : SUPPRESSED]),
        );
        return shown(g.value, basis?.value) ? { ...g, previousYears } : { ...g, value: SUPPRESSED, status: null, previousYears };
      }),
  });
}
