import type { EffectChange, EffectGroup } from '@bu/contracts';
import { defineKpi } from '../types';

export type { EffectChange, EffectGroup };

export const NO_ACTIVE_MEASURE = 'ingen aktiv foranstaltning';

/** Each child's span holding D (the read model leaves out spans of a child's first date). */
const FROM_SPANS = `
  SELECT person_id, ((latest_total - first_total) / 5)::float AS delta, measure_types AS types
  FROM effect_child_span
  WHERE municipality_code = $1 AND valid_from <= $2::date AND (valid_to IS NULL OR valid_to >= $2::date)
  ORDER BY person_id`;

/**
 * effect.change — children with measurements on at least two distinct dates by D. Per child
 * Δ = (sum of the five scores on the latest date − on the first date) / 5, where several
 * measurements on one date are averaged per theme first. Shares improved (Δ > 0), unchanged, worsened;
 * also per measure type active on the latest date (a child counts under each such type).
 */
export const effectChange = defineKpi({
  id: 'effect.change',
  title: 'Effekt: udvikling i trivselsscorer',
  unit: 'ratio',
  shape: 'effect',
  higherIsBetter: true,
  roles: ['chef', 'admin'],
  async compute(ctx): Promise<EffectChange> {
    type Row = { person_id: string; delta: number; types: string[] };
    // From the read model effect_child_span when it is current (ADR 0074, 0078): each child's span
    // holding D has the first and latest total and the types active on the latest date, made at import.
    if (ctx.readModels) return summarise(await ctx.query<Row>(FROM_SPANS, [ctx.municipality, ctx.asOf]));
    // One pass over the per-date sums, hashed per child: the first and the latest date's total are
    // the min and max of [day number, total] (arrays compare element by element), not found by
    // joining the sums to themselves twice; and the measure types active on the latest date by one
    // join, not a look-up per child (ADR 0076).
    const rows = await ctx.query<Row>(
      `WITH per_date AS (
         SELECT c.person_id, e.measured_on,
                avg(e.development) + avg(e.family_relations) + avg(e.school) + avg(e.health) + avg(e.leisure) AS total
         FROM effect_measurement e
         JOIN child_case c ON c.municipality_code = e.municipality_code AND c.source = e.source AND c.case_id = e.case_id
         WHERE e.municipality_code = $1 AND e.measured_on <= $2::date
         GROUP BY c.person_id, e.measured_on
       ),
       ends AS (
         SELECT person_id, max(measured_on) AS last_on,
                max(ARRAY[(measured_on - DATE '2000-01-01')::numeric, total]) AS last, min(ARRAY[(measured_on - DATE '2000-01-01')::numeric, total]) AS first
         FROM per_date GROUP BY person_id HAVING count(*) >= 2
       ),
       delta AS (SELECT person_id, last_on, ((last[2] - first[2]) / 5)::float AS delta FROM ends),
       types AS (
         SELECT d.person_id, array_agg(DISTINCT m.measure_type ORDER BY m.measure_type) AS types
         FROM delta d
         JOIN child_case c ON c.municipality_code = $1 AND c.person_id = d.person_id
         JOIN measure m ON m.municipality_code = c.municipality_code AND m.source = c.source AND m.case_id = c.case_id
         WHERE m.started <= d.last_on AND (m.ended IS NULL OR m.ended >= d.last_on)
         GROUP BY d.person_id
       )
       SELECT d.person_id, d.delta, coalesce(t.types, ARRAY[]::text[]) AS types
       FROM delta d LEFT JOIN types t ON t.person_id = d.person_id ORDER BY d.person_id`,
      [ctx.municipality, ctx.asOf],
    );
    return summarise(rows);
  },
});

function summarise(rows: { delta: number; types: string[] }[]): EffectChange {
  const group = (deltas: number[]): EffectGroup => {
    const n = deltas.length;
    if (n === 0) return { children: 0, meanChange: null, improved: null, unchanged: null, worsened: null };
    // Δ is a multiple of 1/5 of a score averaged per theme; compare with a tolerance for float sums.
    const sign = (d: number) => (Math.abs(d) < 1e-9 ? 0 : Math.sign(d));
    return {
      children: n,
      meanChange: deltas.reduce((a, b) => a + b, 0) / n,
      improved: deltas.filter((d) => sign(d) > 0).length / n,
      unchanged: deltas.filter((d) => sign(d) === 0).length / n,
      worsened: deltas.filter((d) => sign(d) < 0).length / n,
    };
  };
  const byType = new Map<string, number[]>();
  for (const r of rows)
    for (const t of r.types.length ? r.types : [NO_ACTIVE_MEASURE]) {
      const deltas = byType.get(t);
      if (deltas) deltas.push(r.delta);
      else byType.set(t, [r.delta]);
    }
  return {
    ...group(rows.map((r) => r.delta)),
    byMeasureType: Object.fromEntries([...byType].sort(([a], [b]) => a.localeCompare(b, 'da')).map(([t, d]) => [t, group(d)])),
  };
}
