import type { EffectChange, EffectGroup } from '@bu/contracts';
import { heldDayRows } from '../read-models';
import { defineKpi } from '../types';

export type { EffectChange, EffectGroup };

export const NO_ACTIVE_MEASURE = 'ingen aktiv foranstaltning';

/** Each child's span holding D (the read model leaves out spans of a child's first date). */
const FROM_SPANS = `
  child AS (
    SELECT (latest_total - first_total) / 5 AS delta, measure_types AS types
    FROM effect_child_span
    WHERE municipality_code = $1 AND valid_from <= $2::date AND (valid_to IS NULL OR valid_to >= $2::date)
  )`;

// One pass over the per-date sums, hashed per child: the first and the latest date's total are
// the min and max of [day number, total] (arrays compare element by element), not found by
// joining the sums to themselves twice; and the measure types active on the latest date by one
// join, not a look-up per child (ADR 0076).
const FROM_FACTS = `
  per_date AS (
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
  delta AS (SELECT person_id, last_on, (last[2] - first[2]) / 5 AS delta FROM ends),
  types AS (
    SELECT d.person_id, array_agg(DISTINCT m.measure_type ORDER BY m.measure_type) AS types
    FROM delta d
    JOIN child_case c ON c.municipality_code = $1 AND c.person_id = d.person_id
    JOIN measure m ON m.municipality_code = c.municipality_code AND m.source = c.source AND m.case_id = c.case_id
    WHERE m.started <= d.last_on AND (m.ended IS NULL OR m.ended >= d.last_on)
    GROUP BY d.person_id
  ),
  child AS (
    SELECT d.person_id, d.delta, coalesce(t.types, ARRAY[]::text[]) AS types
    FROM delta d LEFT JOIN types t ON t.person_id = d.person_id
  )`;

/**
 * A row per group, not per child: all counted children (type NULL) and each measure type active on
 * a child's latest date (a child counts under each such type, or under NO_ACTIVE_MEASURE, $3). No
 * row when no child is counted.
 *
 * The children are first summed per set of types and sign of Δ (a few dozen rows), then those sums
 * per type. Δ is numeric, as the totals, and its sum is exact in any order and grouping, rounded to
 * a float once. Δ is a multiple of 1/5 of a score averaged per theme: improved, unchanged or worsened
 * is judged on the float with the tolerance the counts have always had (beyond it, the float has
 * Δ's own sign).
 */
const BY_TYPES = `
  by_types AS (
    SELECT types, CASE WHEN abs(delta::float8) < 1e-9::float8 THEN 0 ELSE sign(delta) END AS direction,
           count(*) AS n, sum(delta) AS total
    FROM child GROUP BY types, direction
  )`;
const GROUPS = `
  SELECT t.type, sum(n)::int AS children, sum(total)::float8 AS total,
         coalesce(sum(n) FILTER (WHERE direction > 0), 0)::int AS improved,
         coalesce(sum(n) FILTER (WHERE direction = 0), 0)::int AS unchanged,
         coalesce(sum(n) FILTER (WHERE direction < 0), 0)::int AS worsened
  FROM by_types, unnest(ARRAY[NULL::text] || CASE WHEN cardinality(types) = 0 THEN ARRAY[$3::text] ELSE types END) AS t(type)
  GROUP BY t.type`;
const SUMMARY = (children: string) => `WITH ${children}, ${BY_TYPES} ${GROUPS}`;

/**
 * The same groups from the read model effect_change_day (ADR 0103), whose rows are by_types' at the
 * days caseload_day holds. A held day with no child counted answers with one row of no children;
 * a day not held, with none.
 */
const SUMMARY_HELD_DAY = `
  WITH held AS (SELECT h.day FROM caseload_day h WHERE h.municipality_code = $1 AND h.day = $2::date),
  by_types AS (
    SELECT e.types, e.direction, e.children AS n, e.total
    FROM effect_change_day e JOIN held h ON e.municipality_code = $1 AND e.day = h.day
  ),
  groups AS (${GROUPS})
  SELECT * FROM groups
  UNION ALL
  SELECT NULL::text, 0, 0::float8, 0, 0, 0 FROM held WHERE NOT EXISTS (SELECT 1 FROM groups)`;

interface GroupRow {
  /** The measure type, NULL for all counted children. */
  type: string | null;
  children: number;
  /** The sum of Δ. */
  total: number;
  improved: number;
  unchanged: number;
  worsened: number;
}

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
    // From the read models when current: at a day caseload_day holds, the groups' sums made at
    // import (ADR 0103); else each child's span holding D, with the first and latest total and the
    // types active on the latest date (ADR 0074, 0078). Only the groups' counts come back.
    const params = [ctx.municipality, ctx.asOf, NO_ACTIVE_MEASURE];
    const statement = { readModel: SUMMARY_HELD_DAY, facts: SUMMARY(ctx.readModels ? FROM_SPANS : FROM_FACTS) };
    return summarise(await heldDayRows<GroupRow>(ctx, statement, params, (r) => r.children > 0));
  },
});

function summarise(rows: GroupRow[]): EffectChange {
  const group = (g: GroupRow | undefined): EffectGroup => {
    if (!g) return { children: 0, meanChange: null, improved: null, unchanged: null, worsened: null };
    const n = g.children;
    return { children: n, meanChange: g.total / n, improved: g.improved / n, unchanged: g.unchanged / n, worsened: g.worsened / n };
  };
  const byType = rows.filter((r): r is GroupRow & { type: string } => r.type !== null);
  return {
    ...group(rows.find((r) => r.type === null)),
    byMeasureType: Object.fromEntries(byType.sort((a, b) => a.type.localeCompare(b.type, 'da')).map((r) => [r.type, group(r)])),
  };
}
