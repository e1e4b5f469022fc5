import type { Benchmark } from '@bu/contracts';
import { notificationsPer1000 } from '../activity/notifications';
import { placedChildrenPer1000, preventiveChildrenPer1000 } from '../activity/placements';
import type { KpiContext, KpiDefinition } from '../types';

export type { Benchmark };

interface BenchmarkSpec<Id extends string> {
  id: Id;
  title: string;
  /** NØGLETAL in the public statistics. */
  indicator: string;
  /** value = published figure × scale / the population of `band` the same year. */
  scale: number;
  /**
   * The population band the published figure counts (befolkning.csv ALDER): placed "børn og unge"
   * are 0-22-year-olds, the others children aged 0-17. Each rate is divided by its own band.
   */
  band: '0-17 år' | '0-22 år';
  higherIsBetter: boolean | null;
  /** The same rate from the own case data for D and P, shown beside it (none for spend). */
  live?: KpiDefinition<number | null>;
}

/**
 * A published figure per person of its population band in the same year, for every municipality,
 * from the public statistics; beside it the own live rate, per 0-17-year-old (perThousand).
 */
function benchmark<const Id extends `benchmark.${string}`>(spec: BenchmarkSpec<Id>): KpiDefinition<Benchmark, Id> {
  return {
    id: spec.id,
    title: spec.title,
    unit: 'ratio',
    shape: 'benchmark',
    higherIsBetter: spec.higherIsBetter,
    roles: ['udvalg', 'chef', 'admin'],
    // The committee compares the published statistics; the live rate from the own case data rests
    // on counts that may be small, so it is left out for the committee.
    suppress: (value) => ({ ...value, ownLive: null, liveBand: null }),
    async compute(ctx: KpiContext) {
      const rows = await ctx.query<{ code: number; value: number; year: number }>(
        `WITH own_year AS (
           SELECT max(year) AS y FROM municipal_statistic WHERE municipality_code = $1 AND indicator = $2 AND value IS NOT NULL
         )
         SELECT s.municipality_code AS code, (s.value::float8 * $4 / p.count)::float AS value, s.year
         FROM municipal_statistic s
         JOIN own_year o ON s.year = o.y
         JOIN population p ON p.municipality_code = s.municipality_code AND p.year = s.year AND p.age_group = $5 AND p.count > 0
         WHERE s.indicator = $2 AND s.value IS NOT NULL AND s.municipality_code <> 0
           AND ($3::smallint[] IS NULL OR s.municipality_code = ANY($3::smallint[]) OR s.municipality_code = $1)
         ORDER BY s.municipality_code`,
        [ctx.municipality, spec.indicator, ctx.comparisonGroup ?? null, spec.scale, spec.band],
      );
      const values = rows.map((r) => r.value).sort((a, b) => a - b);
      const own = rows.find((r) => r.code === ctx.municipality)?.value ?? null;
      return {
        year: rows[0]?.year ?? null,
        own,
        ownLive: spec.live ? await spec.live.compute(ctx) : null,
        band: spec.band,
        // The own live rates (perThousand) count the case data's children per 0-17-year-old.
        liveBand: spec.live ? '0-17 år' : null,
        group: Object.fromEntries(rows.map((r) => [String(r.code), r.value])),
        count: values.length,
        median: percentile(values, 0.5),
        q1: percentile(values, 0.25),
        q3: percentile(values, 0.75),
        rank: own === null ? null : values.filter((v) => v > own).length + 1,
        higherIsBetter: spec.higherIsBetter,
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

// Per 1,000 children: the published count against the own `<kpi>_per_1000` (its higherIsBetter too).
export const benchmarkNotifications = benchmark({
  id: 'benchmark.activity.notifications_per_1000',
  title: 'Underretninger pr. 1.000 børn sammenlignet med andre kommuner',
  indicator: 'Underretninger',
  scale: 1000,
  band: '0-17 år',
  higherIsBetter: notificationsPer1000.higherIsBetter,
  live: notificationsPer1000,
});
export const benchmarkPlaced = benchmark({
  id: 'benchmark.activity.placed_children_per_1000',
  title: 'Anbragte børn pr. 1.000 børn sammenlignet med andre kommuner',
  indicator: 'Anbragte børn og unge',
  scale: 1000,
  // Danmarks Statistik counts placed children and young people up to 22 (efterværn included).
  band: '0-22 år',
  higherIsBetter: placedChildrenPer1000.higherIsBetter,
  live: placedChildrenPer1000,
});
export const benchmarkPreventive = benchmark({
  id: 'benchmark.activity.preventive_children_per_1000',
  title: 'Børn med forebyggende indsats pr. 1.000 børn sammenlignet med andre kommuner',
  indicator: 'Børn og unge med forebyggende foranstaltninger',
  scale: 1000,
  band: '0-17 år',
  higherIsBetter: preventiveChildrenPer1000.higherIsBetter,
  live: preventiveChildrenPer1000,
});

/**
 * benchmark.cost.net_spend_per_child (beyond the catalogue: the economy comparison chiefs miss):
 * the published net operating expenditure on vulnerable children (1,000 kr.) × 1,000 per child
 * aged 0-17, in kr. No live figure: the financial system's lines are not the statistics' definition.
 */
export const benchmarkNetSpend = benchmark({
  id: 'benchmark.cost.net_spend_per_child',
  title: 'Nettodriftsudgifter pr. barn (0-17 år) sammenlignet med andre kommuner',
  indicator: 'Nettodriftsudgifter udsatte børn og unge (1.000 kr.)',
  scale: 1000,
  band: '0-17 år',
  higherIsBetter: null,
});
