import { suppressCount, SUPPRESSED } from '../suppression';
import { defineKpi, type KpiContext } from '../types';
import { perThousand } from './shared';

// Children with an open case at D (KPIS.md, second edition): the number of children behind the
// cases, for the chief and the committee. The whole municipality (no team scope).

async function countChildrenWithOpenCase(ctx: KpiContext): Promise<number> {
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

// The per-1,000 values whose count was 1..4, for the committee's suppression (the value is a plain
// number, so it cannot carry its count; the API computes a value in this process before it
// suppresses it). Bounded: an over-full set is emptied, and a value it no longer knows is withheld.
const smallValues = new Set<number>();
const knownValues = new Set<number>();
const remember = (value: number, small: boolean) => {
  if (knownValues.size > 10_000) {
    knownValues.clear();
    smallValues.clear();
  }
  knownValues.add(value);
  if (small) smallValues.add(value);
};

const per1000 = perThousand({
  id: 'activity.children_with_open_case_per_1000',
  title: 'Børn med åben sag pr. 1.000 børn',
  base: childrenWithOpenCase,
});

/**
 * activity.children_with_open_case_per_1000 — the count / the 0-17-year-olds × 1000. For the
 * committee it is withheld when the count is 1..4 (a rate resting on a suppressed count).
 */
export const childrenWithOpenCasePer1000 = defineKpi({
  ...per1000,
  async compute(ctx: KpiContext) {
    const f = await per1000.fraction!(ctx);
    const value = f && f.denominator !== 0 ? (f.numerator / f.denominator) * 1000 : null;
    if (value !== null) remember(value, f!.numerator >= 1 && f!.numerator < 5);
    return value;
  },
  suppress: (value: number | null) => (value === null || (knownValues.has(value) && !smallValues.has(value)) ? value : SUPPRESSED) as never,
});
