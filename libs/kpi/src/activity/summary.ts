import { END_OF_D } from '../sql';
import { Suppressed, suppressCount } from '../suppression';
import { defineKpi, type KpiContext } from '../types';
import { COUNT_AT, COUNT_IN } from './shared';

export interface YearActivity<N = number> {
  notifications: N;
  placementsStarted: N;
  placedChildren: N;
  preventiveChildren: N;
}

// The four years, D's and the three before: from 1 January to 31 December, or to D in D's year.
const YEARS = `
  years AS (
    SELECT y, make_date(y, 1, 1) AS from_d,
           CASE WHEN y = extract(year FROM $2::date) THEN $2::date ELSE make_date(y, 12, 31) END AS at
    FROM generate_series(extract(year FROM $2::date)::int - 3, extract(year FROM $2::date)::int) y
  )`;

// From the facts (ADR 0076).
const FROM_FACTS = `WITH ${YEARS},
   -- Per year of the received date in Copenhagen; by D for D's year.
   note AS (
     SELECT extract(year FROM n.received_at AT TIME ZONE 'Europe/Copenhagen')::int AS y, count(*)::int AS n FROM notification n
     WHERE n.municipality_code = $1 AND n.received_at < ${END_OF_D}
       AND n.received_at >= ((SELECT min(from_d) FROM years)::timestamp AT TIME ZONE 'Europe/Copenhagen')
     GROUP BY 1
   ),
   -- Placements and preventive measures that can count in any of the years: started by D, and
   -- active at one of the year ends or started in one of the years.
   meas AS (
     SELECT m.family, m.started, m.ended, c.person_id FROM measure m
     LEFT JOIN child_case c ON c.municipality_code = m.municipality_code AND c.source = m.source AND c.case_id = m.case_id
     WHERE m.municipality_code = $1 AND m.family IN ('placement', 'preventive') AND m.started <= $2::date
       AND (m.ended IS NULL OR m.ended >= (SELECT min(at) FROM years) OR m.started >= (SELECT min(from_d) FROM years))
   ),
   started AS (
     SELECT extract(year FROM started)::int AS y, count(*)::int AS n FROM meas
     WHERE family = 'placement' AND started >= (SELECT min(from_d) FROM years) GROUP BY 1
   ),
   -- The children with each family active at each year end: distinct first (hashed), then counted.
   active AS (
     SELECT y, count(*) FILTER (WHERE family = 'placement')::int AS placed, count(*) FILTER (WHERE family = 'preventive')::int AS preventive
     FROM (SELECT DISTINCT y.y, m.family, m.person_id FROM years y
           JOIN meas m ON m.started <= y.at AND (m.ended IS NULL OR m.ended >= y.at) WHERE m.person_id IS NOT NULL) d
     GROUP BY y
   )
   SELECT y.y, coalesce(note.n, 0) AS notifications, coalesce(started.n, 0) AS "placementsStarted",
          coalesce(active.placed, 0) AS "placedChildren", coalesce(active.preventive, 0) AS "preventiveChildren"
   FROM years y LEFT JOIN note USING (y) LEFT JOIN started USING (y) LEFT JOIN active USING (y)
   ORDER BY y.y`;

/**
 * The same counts from the read model activity_count_day (ADR 0082), when current: the children at
 * each year's end (D in D's year) and the running totals' gain over the year's days by then.
 */
const FROM_READ_MODEL = `WITH ${YEARS}
  SELECT y,
    ${COUNT_IN('notifications_to_date', 'from_d', 'at')} AS notifications,
    ${COUNT_IN('placements_started_to_date', 'from_d', 'at')} AS "placementsStarted",
    ${COUNT_AT('placed_children', 'at')} AS "placedChildren",
    ${COUNT_AT('preventive_children', 'at')} AS "preventiveChildren"
  FROM years ORDER BY y`;

/**
 * activity.summary — per year for D's year and the three before: notifications received and
 * placements started in the year; children placed and with preventive measures at 31 December
 * (at D for D's year). For the committee, counts 1..4 are suppressed.
 */
export const activitySummary = defineKpi({
  id: 'activity.summary',
  title: 'Aktivitet de seneste fire år',
  unit: 'count',
  shape: 'years',
  higherIsBetter: null,
  roles: ['udvalg', 'chef', 'admin'],
  async compute(ctx: KpiContext): Promise<Record<string, YearActivity<number | null | Suppressed>>> {
    // One statement, not four per year: the notifications and the measures are each read once and
    // counted per year, where activity.notifications, activity.placements_started,
    // activity.placed_children and activity.preventive_children (each for the year's P and D) read
    // them sixteen times (ADR 0076). The same counts as theirs; summary.spec.ts compares them.
    const rows = await ctx.query<{ y: number } & YearActivity>(ctx.readModels ? FROM_READ_MODEL : FROM_FACTS, [ctx.municipality, ctx.asOf]);
    return Object.fromEntries(rows.map(({ y, ...counts }) => [String(y), counts]));
  },
  suppress: (value) =>
    Object.fromEntries(
      Object.entries(value).map(([y, a]) => [y, Object.fromEntries(Object.entries(a).map(([k, n]) => [k, suppressCount(n as number)]))]),
    ) as never,
});
