import { fractionKpi } from '../types';
import { COMPLAINT_OUTCOMES } from '@bu/domain';
import type { KpiContext, KpiDefinition, KpiListValue } from '../types';

const params = (ctx: KpiContext) => [ctx.municipality, ctx.asOf, ctx.period.from, ctx.period.to];

export interface DurationStats {
  count: number;
  median: number;
  mean: number;
}

/** duration.measure_days — per measure type (every type): median and mean of end − start in days, measures ended in P. */
export const measureDuration: KpiDefinition<Record<string, DurationStats>> = {
  id: 'duration.measure_days',
  title: 'Varighed af afsluttede indsatser (dage)',
  unit: 'days',
  higherIsBetter: null,
  roles: ['chef', 'admin'],
  async compute(ctx) {
    const rows = await ctx.query<{ measure_type: string; count: number; median: number; mean: number }>(
      `SELECT measure_type, count(*)::int AS count, percentile_cont(0.5) WITHIN GROUP (ORDER BY ended - started)::float AS median,
              avg(ended - started)::float AS mean
       FROM measure WHERE municipality_code = $1 AND ended BETWEEN $3::date AND $4::date AND ended <= $2::date
       GROUP BY measure_type ORDER BY measure_type`,
      params(ctx),
    );
    return Object.fromEntries(rows.map((r) => [r.measure_type, { count: r.count, median: r.median, mean: r.mean }]));
  },
};

/** duration.active_measure_age_days — per measure type: median age (D − start) of measures active at D. */
export const activeMeasureAge: KpiDefinition<Record<string, number>> = {
  id: 'duration.active_measure_age_days',
  title: 'Alder af igangværende indsatser (median, dage)',
  unit: 'days',
  higherIsBetter: null,
  roles: ['chef', 'admin'],
  async compute(ctx) {
    const rows = await ctx.query<{ measure_type: string; median: number }>(
      `SELECT measure_type, percentile_cont(0.5) WITHIN GROUP (ORDER BY $2::date - started)::float AS median
       FROM measure WHERE municipality_code = $1 AND started <= $2::date AND (ended IS NULL OR ended >= $2::date)
       GROUP BY measure_type ORDER BY measure_type`,
      [ctx.municipality, ctx.asOf],
    );
    return Object.fromEntries(rows.map((r) => [r.measure_type, r.median]));
  },
};

/** cost.annualised_per_placed_child — (sum of monthly cost of placements active at D) × 12 / placed children. */
export const annualisedCostPerPlacedChild: KpiDefinition<number | null> = {
  id: 'cost.annualised_per_placed_child',
  title: 'Årlig udgift pr. anbragt barn (kr.)',
  unit: 'kr',
  higherIsBetter: null,
  roles: ['chef', 'admin'],
  async compute(ctx) {
    const r = await placedCost(ctx);
    return r.children === 0 ? null : (Number(r.cost ?? 0) * 12) / r.children;
  },
  // The placed children the amount rests on (the committee sees a goal on it only from 5 on).
  children: async (ctx) => (await placedCost(ctx)).children,
};

async function placedCost(ctx: KpiContext): Promise<{ cost: string | null; children: number }> {
  const [r] = await ctx.query<{ cost: string | null; children: number }>(
    `SELECT sum(m.monthly_cost)::text AS cost, count(DISTINCT c.person_id)::int AS children FROM measure m
     JOIN child_case c ON c.municipality_code = m.municipality_code AND c.source = m.source AND c.case_id = m.case_id
     WHERE m.municipality_code = $1 AND m.family = 'placement' AND m.started <= $2::date AND (m.ended IS NULL OR m.ended >= $2::date)`,
    [ctx.municipality, ctx.asOf],
  );
  return r;
}

export interface TopCaseRow {
  case: string;
  annualisedCost: number;
  measures: number;
  measureTypes: string[];
}

/** cost.top_cases — the 20 cases with the highest annualised cost of measures active at D (ties by case number). */
export const topCases: KpiDefinition<KpiListValue<TopCaseRow>> = {
  id: 'cost.top_cases',
  title: 'De 20 dyreste sager',
  unit: 'list',
  fields: ['case', 'annualisedCost', 'measures', 'measureTypes'],
  higherIsBetter: null,
  roles: ['chef', 'admin'],
  async compute(ctx) {
    const rows = await ctx.query<{ case: string; cost: string; measures: number; types: string[] }>(
      `SELECT case_id AS "case", (sum(coalesce(monthly_cost, 0)) * 12)::text AS cost, count(*)::int AS measures,
              array_agg(DISTINCT measure_type ORDER BY measure_type) AS types
       FROM measure WHERE municipality_code = $1 AND started <= $2::date AND (ended IS NULL OR ended >= $2::date)
       GROUP BY case_id ORDER BY sum(coalesce(monthly_cost, 0)) DESC, case_id LIMIT 20`,
      [ctx.municipality, ctx.asOf],
    );
    return {
      count: rows.length,
      rows: rows.map((r) => ({ case: r.case, annualisedCost: Number(r.cost), measures: r.measures, measureTypes: r.types })),
    };
  },
};

/** complaints.decided — complaints decided in P, by outcome. */
export const complaintsDecided: KpiDefinition<Record<string, number>> = {
  id: 'complaints.decided',
  title: 'Afgjorte klager efter afgørelse',
  unit: 'count',
  higherIsBetter: null,
  roles: ['chef', 'admin'],
  async compute(ctx) {
    const rows = await ctx.query<{ outcome: string; n: number }>(
      `SELECT outcome, count(*)::int AS n FROM complaint
       WHERE municipality_code = $1 AND decided BETWEEN $3::date AND $4::date AND decided <= $2::date AND outcome IS NOT NULL GROUP BY outcome`,
      params(ctx),
    );
    const result: Record<string, number> = Object.fromEntries(COMPLAINT_OUTCOMES.map((o) => [o, 0]));
    for (const r of rows) result[r.outcome] = r.n;
    return result;
  },
};

/** complaints.reversal_rate — (ændret + ophævet + hjemvist) / (decided in P excluding afvist). */
export const reversalRate = fractionKpi({
  id: 'complaints.reversal_rate',
  title: 'Omgørelsesprocent i klagesager',
  unit: 'share',
  higherIsBetter: false,
  roles: ['chef', 'admin'],
  async fraction(ctx) {
    const decided = await complaintsDecided.compute(ctx);
    const reversed = decided['ændret'] + decided['ophævet'] + decided['hjemvist'];
    const all = Object.values(decided).reduce((a, b) => a + b, 0);
    return { numerator: reversed, denominator: all - decided['afvist'] };
  },
});
