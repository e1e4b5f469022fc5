import { heldDayRows } from '../read-models';
import { ACTIVE_AT } from '@bu/rules';
import { defineKpi, type KpiContext } from '../types';

const params = (ctx: KpiContext) => [ctx.municipality, ctx.asOf, ctx.period.from, ctx.period.to];

export interface DurationStats {
  count: number;
  median: number;
  mean: number;
}

/** duration.measure_days — per measure type (every type): median and mean of end − start in days, measures ended in P. */
export const measureDuration = defineKpi({
  id: 'duration.measure_days',
  title: 'Varighed af afsluttede indsatser (dage)',
  unit: 'days',
  shape: 'breakdown',
  higherIsBetter: null,
  roles: ['chef', 'admin'],
  async compute(ctx): Promise<Record<string, DurationStats>> {
    const rows = await ctx.query<{ measure_type: string; count: number; median: number; mean: number }>(
      `SELECT measure_type, count(*)::int AS count, percentile_cont(0.5) WITHIN GROUP (ORDER BY ended - started)::float AS median,
              avg(ended - started)::float AS mean
       FROM measure WHERE municipality_code = $1 AND ended BETWEEN $3::date AND $4::date AND ended <= $2::date
       GROUP BY measure_type ORDER BY measure_type`,
      params(ctx),
    );
    return Object.fromEntries(rows.map((r) => [r.measure_type, { count: r.count, median: r.median, mean: r.mean }]));
  },
});

/** duration.active_measure_age_days — per measure type: median age (D − start) of measures active at D. */
export const activeMeasureAge = defineKpi({
  id: 'duration.active_measure_age_days',
  title: 'Alder af igangværende indsatser (median, dage)',
  unit: 'days',
  shape: 'breakdown',
  higherIsBetter: null,
  roles: ['chef', 'admin'],
  async compute(ctx) {
    const rows = await heldDayRows<{ measure_type: string; median: number }>(
      ctx,
      {
        // At a held day, measure_type_day's medians (ADR 0108).
        readModel: `SELECT t.measure_type, t.age_median AS median FROM caseload_day h
          LEFT JOIN measure_type_day t ON t.municipality_code = h.municipality_code AND t.day = h.day
          WHERE h.municipality_code = $1 AND h.day = $2::date
          ORDER BY t.measure_type`,
        facts: `SELECT m.measure_type, percentile_cont(0.5) WITHIN GROUP (ORDER BY $2::date - m.started)::float AS median
          FROM measure m WHERE m.municipality_code = $1 AND ${ACTIVE_AT('m')}
          GROUP BY m.measure_type ORDER BY m.measure_type`,
      },
      [ctx.municipality, ctx.asOf],
      (r) => r.measure_type !== null,
    );
    return Object.fromEntries(rows.map((r) => [r.measure_type, r.median]));
  },
});
