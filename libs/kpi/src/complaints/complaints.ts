import { COMPLAINT_OUTCOMES } from '@bu/domain';
import { defineKpi, fractionKpi, type KpiContext } from '../types';

const params = (ctx: KpiContext) => [ctx.municipality, ctx.asOf, ctx.period.from, ctx.period.to];

/** complaints.decided — complaints decided in P, by outcome. */
export const complaintsDecided = defineKpi({
  id: 'complaints.decided',
  title: 'Afgjorte klager efter afgørelse',
  unit: 'count',
  shape: 'breakdown',
  higherIsBetter: null,
  roles: ['chef', 'admin'],
  async compute(ctx): Promise<Record<string, number>> {
    const rows = await ctx.query<{ outcome: string; n: number }>(
      `SELECT outcome, count(*)::int AS n FROM complaint
       WHERE municipality_code = $1 AND decided BETWEEN $3::date AND $4::date AND decided <= $2::date AND outcome IS NOT NULL GROUP BY outcome`,
      params(ctx),
    );
    const result: Record<string, number> = Object.fromEntries(COMPLAINT_OUTCOMES.map((o) => [o, 0]));
    for (const r of rows) result[r.outcome] = r.n;
    return result;
  },
});

/** complaints.reversal_rate — (ændret + ophævet + hjemvist) / (decided in P excluding afvist). */
export const reversalRate = fractionKpi({
  id: 'complaints.reversal_rate',
  title: 'Omgørelsesprocent i klagesager',
  unit: 'share',
  shape: 'fraction',
  higherIsBetter: false,
  roles: ['chef', 'admin'],
  async fraction(ctx) {
    const decided = await complaintsDecided.compute(ctx);
    const reversed = decided['ændret'] + decided['ophævet'] + decided['hjemvist'];
    const all = Object.values(decided).reduce((a, b) => a + b, 0);
    return { numerator: reversed, denominator: all - decided['afvist'] };
  },
});
