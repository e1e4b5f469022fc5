import type { KpiContext } from './types';

/** The parameters every `rows` query below takes: $1 municipality, $2 D, $3..$4 the period P. */
const params = (ctx: KpiContext) => [ctx.municipality, ctx.asOf, ctx.period.from, ctx.period.to];

/**
 * A median (in days, or in years as `early.age_at_investigation_start`) over a set of rows ($1 municipality, $2 D, $3..$4 P; each row with its
 * `person_id`), and the children it rests on: the committee sees a goal on it only from 5 children on.
 * percentile_cont; null when there are no rows.
 */
export function medianOverRows(rows: string, days: string) {
  return {
    async compute(ctx: KpiContext): Promise<number | null> {
      const [r] = await ctx.query<{ median: number | null }>(
        `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ${days})::float AS median FROM (${rows}) x`,
        params(ctx),
      );
      return r.median;
    },
    async children(ctx: KpiContext): Promise<number> {
      const [r] = await ctx.query<{ n: number }>(`SELECT count(DISTINCT person_id)::int AS n FROM (${rows}) x`, params(ctx));
      return r.n;
    },
  };
}
