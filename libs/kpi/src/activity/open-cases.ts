import { MIN_CELL, suppressCount, SUPPRESSED } from '../suppression';
import { defineKpi, type Fraction, type KpiContext } from '../types';
import { COUNT_AT, perThousand } from './shared';

// Children with an open case at D (KPIS.md, second edition): the number of children behind the
// cases, for the chief and the committee. The whole municipality (no team scope).

async function countChildrenWithOpenCase(ctx: KpiContext): Promise<number> {
  if (ctx.readModels) {
    const [rm] = await ctx.query<{ n: number }>(`SELECT ${COUNT_AT('open_case_children', '$2::date')} AS n`, [ctx.municipality, ctx.asOf]);
    return rm.n;
  }
  const [r] = await ctx.query<{ n: number }>(
    `SELECT count(DISTINCT person_id)::int AS n FROM child_case
     WHERE municipality_code = $1 AND opened <= $2::date AND (closed IS NULL OR closed >= $2::date)`,
    [ctx.municipality, ctx.asOf],
  );
  return r.n;
}

/** activity.children_with_open_case — distinct children with a case open at D; 1..4 is "<5" for the committee. */
export const childrenWithOpenCase = defineKpi({
  id: 'activity.children_with_open_case',
  title: 'Børn med åben sag',
  unit: 'count',
  shape: 'number',
  higherIsBetter: null,
  roles: ['udvalg', 'chef', 'admin'],
  compute: countChildrenWithOpenCase,
  suppress: (n: number) => suppressCount(n) as never,
});

const per1000 = perThousand({
  id: 'activity.children_with_open_case_per_1000',
  title: 'Børn med åben sag pr. 1.000 børn',
  base: childrenWithOpenCase,
});

/**
 * activity.children_with_open_case_per_1000 — the count / the 0-17-year-olds × 1000. For the
 * committee it is withheld when the count is 1..4 (a rate resting on a suppressed count), and when
 * the counts are not given (fail closed: the rate alone cannot tell).
 */
export const childrenWithOpenCasePer1000 = defineKpi({
  ...per1000,
  suppress: (value: number | null, basis?: Fraction | null) =>
    (value !== null && (!basis || (basis.numerator >= 1 && basis.numerator < MIN_CELL)) ? SUPPRESSED : value) as never,
});
