import { END_OF_D } from '../sql';
import { Suppressed, suppressCount } from '../suppression';
import { defineKpi, type KpiContext } from '../types';

export interface YearActivity<N = number> {
  notifications: N;
  placementsStarted: N;
  placedChildren: N;
  preventiveChildren: N;
}

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
    const rows = await ctx.query<{ y: number } & YearActivity>(
      `WITH years AS (
         SELECT y, make_date(y, 1, 1) AS from_d,
                CASE WHEN y = extract(year FROM $2::date) THEN $2::date ELSE make_date(y, 12, 31) END AS at
         FROM generate_series(extract(year FROM $2::date)::int - 3, extract(year FROM $2::date)::int) y
       ),
       note AS (
         SELECT (n.received_at AT TIME ZONE 'Europe/Copenhagen')::date AS day FROM notification n
         WHERE n.municipality_code = $1 AND n.received_at < ${END_OF_D}
           AND (n.received_at AT TIME ZONE 'Europe/Copenhagen')::date >= (SELECT min(from_d) FROM years)
       ),
       -- Placements and preventive measures that can count in any of the years: started by D, and
       -- active at one of the year ends or started in one of the years.
       meas AS (
         SELECT m.family, m.started, m.ended, c.person_id FROM measure m
         LEFT JOIN child_case c ON c.municipality_code = m.municipality_code AND c.source = m.source AND c.case_id = m.case_id
         WHERE m.municipality_code = $1 AND m.family IN ('placement', 'preventive') AND m.started <= $2::date
           AND (m.ended IS NULL OR m.ended >= (SELECT min(at) FROM years) OR m.started >= (SELECT min(from_d) FROM years))
       )
       SELECT y.y,
         (SELECT count(*) FROM note WHERE day BETWEEN y.from_d AND y.at)::int AS notifications,
         (SELECT count(*) FROM meas WHERE family = 'placement' AND started BETWEEN y.from_d AND y.at)::int AS "placementsStarted",
         (SELECT count(DISTINCT person_id) FROM meas
           WHERE family = 'placement' AND started <= y.at AND (ended IS NULL OR ended >= y.at))::int AS "placedChildren",
         (SELECT count(DISTINCT person_id) FROM meas
           WHERE family = 'preventive' AND started <= y.at AND (ended IS NULL OR ended >= y.at))::int AS "preventiveChildren"
       FROM years y ORDER BY y.y`,
      [ctx.municipality, ctx.asOf],
    );
    return Object.fromEntries(rows.map(({ y, ...counts }) => [String(y), counts]));
  },
  suppress: (value) =>
    Object.fromEntries(
      Object.entries(value).map(([y, a]) => [y, Object.fromEntries(Object.entries(a).map(([k, n]) => [k, suppressCount(n as number)]))]),
    ) as never,
});
