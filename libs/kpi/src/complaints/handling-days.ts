import { defineKpi, type KpiContext } from '../types';

// Complaints decided in P (and by D) with a received date on or before the decision (a decision
// before its receipt is a registration error); every outcome counts, afvist included.
const DECIDED_IN_P = `
  SELECT k.*, c.person_id FROM complaint k
  JOIN child_case c ON c.municipality_code = k.municipality_code AND c.source = k.source AND c.case_id = k.case_id
  WHERE k.municipality_code = $1 AND k.decided BETWEEN $3::date AND $4::date AND k.decided <= $2::date
    AND k.received IS NOT NULL AND k.received <= k.decided`;

const params = (ctx: KpiContext) => [ctx.municipality, ctx.asOf, ctx.period.from, ctx.period.to];

/** complaints.handling_days (KPIS.md, second edition) — median days from received to decided over complaints decided in P. */
export const handlingDays = defineKpi({
  id: 'complaints.handling_days',
  title: 'Klagesagsbehandlingstid (median, dage)',
  unit: 'days',
  shape: 'number',
  higherIsBetter: false,
  roles: ['chef', 'admin'],
  async compute(ctx: KpiContext): Promise<number | null> {
    const [r] = await ctx.query<{ median: number | null }>(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY decided - received)::float AS median FROM (${DECIDED_IN_P}) x`,
      params(ctx),
    );
    return r.median;
  },
  // The children the median rests on: the committee sees a goal on it only from 5 children on.
  async children(ctx: KpiContext) {
    const [r] = await ctx.query<{ n: number }>(`SELECT count(DISTINCT person_id)::int AS n FROM (${DECIDED_IN_P}) x`, params(ctx));
    return r.n;
  },
});
