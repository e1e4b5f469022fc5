import { defineKpi, type KpiContext } from '../types';

// Investigations started in P (and by D) with the child's age at the start in years. The birth date
// is the one the ETL derived from the CPR number before hashing it (person.birth_date); a
// replacement CPR number has none, and such a child is left out. Each investigation counts once: a
// child with two investigations started in P counts at each start.
const AGES = `
  SELECT c.person_id, ((i.started - p.birth_date) / 365.25)::float AS age FROM investigation i
  JOIN child_case c ON c.municipality_code = i.municipality_code AND c.source = i.source AND c.case_id = i.case_id
  JOIN person p ON p.municipality_code = c.municipality_code AND p.source = c.source AND p.person_id = c.person_id
  WHERE i.municipality_code = $1 AND i.started BETWEEN $3::date AND $4::date AND i.started <= $2::date
    AND p.birth_date IS NOT NULL`;

const params = (ctx: KpiContext) => [ctx.municipality, ctx.asOf, ctx.period.from, ctx.period.to];

/**
 * early.age_at_investigation_start (KPIS.md, second edition) — median age in years,
 * (start − birth date) / 365.25, of the children at the start of investigations started in P.
 */
export const ageAtInvestigationStart = defineKpi({
  id: 'early.age_at_investigation_start',
  title: 'Alder ved start af børnefaglig undersøgelse (median, år)',
  unit: 'ratio',
  shape: 'number',
  higherIsBetter: null,
  roles: ['chef', 'admin'],
  async compute(ctx: KpiContext): Promise<number | null> {
    const [r] = await ctx.query<{ median: number | null }>(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY age)::float AS median FROM (${AGES}) x`,
      params(ctx),
    );
    return r.median;
  },
  // The children the median rests on: the committee sees a goal on it only from 5 children on.
  async children(ctx: KpiContext) {
    const [r] = await ctx.query<{ n: number }>(`SELECT count(DISTINCT person_id)::int AS n FROM (${AGES}) x`, params(ctx));
    return r.n;
  },
});
