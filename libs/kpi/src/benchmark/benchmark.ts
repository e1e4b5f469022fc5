import { perThousand, notifications, placedChildren, preventiveChildren } from '../chief/activity';
import type { Benchmark } from '@bu/contracts';
import type { KpiContext, KpiDefinition } from '../types';

export type { Benchmark };

/** Per 1,000 children aged 0-17 in the same year, from the public statistics. */
function benchmark(base: KpiDefinition<number>, indicator: string): KpiDefinition<Benchmark> {
  const live = perThousand(base);
  return {
    id: `benchmark.${live.id}`,
    title: `${live.title} sammenlignet med andre kommuner`,
    unit: 'ratio',
    higherIsBetter: live.higherIsBetter,
    roles: ['udvalg', 'chef', 'admin'],
    // The committee compares the published statistics; the live rate from the own case data rests
    // on counts that may be small, so it is left out for the committee.
    suppress: (value) => ({ ...value, ownLive: null }),
    async compute(ctx: KpiContext) {
      const rows = await ctx.query<{ code: number; value: number; year: number }>(
        `WITH own_year AS (
           SELECT max(year) AS y FROM municipal_statistic WHERE municipality_code = $1 AND indicator = $2 AND value IS NOT NULL
         )
         SELECT s.municipality_code AS code, (s.value / p.count * 1000)::float AS value, s.year
         FROM municipal_statistic s
         JOIN own_year o ON s.year = o.y
         JOIN population p ON p.municipality_code = s.municipality_code AND p.year = s.year AND p.age_group = '0-17 år' AND p.count > 0
         WHERE s.indicator = $2 AND s.value IS NOT NULL AND s.municipality_code <> 0
           AND ($3::smallint[] IS NULL OR s.municipality_code = ANY($3::smallint[]) OR s.municipality_code = $1)
         ORDER BY s.municipality_code`,
        [ctx.municipality, indicator, ctx.comparisonGroup ?? null],
      );
      const values = rows.map((r) => r.value).sort((a, b) => a - b);
      const own = rows.find((r) => r.code === ctx.municipality)?.value ?? null;
      return {
        year: rows[0]?.year ?? null,
        own,
        ownLive: await live.compute(ctx),
        group: Object.fromEntries(rows.map((r) => [String(r.code), r.value])),
        count: values.length,
        median: percentile(values, 0.5),
        q1: percentile(values, 0.25),
        q3: percentile(values, 0.75),
        rank: own === null ? null : values.filter((v) => v > own).length + 1,
        higherIsBetter: live.higherIsBetter,
      };
    },
  };
}

/** percentile_cont: linear interpolation between the closest ranks; null for an empty set. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const at = p * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

export const benchmarkNotifications = benchmark(notifications, 'Underretninger');
export const benchmarkPlaced = benchmark(placedChildren, 'Anbragte børn og unge');
export const benchmarkPreventive = benchmark(preventiveChildren, 'Børn og unge med forebyggende foranstaltninger');
