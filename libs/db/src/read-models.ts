import { createHash } from 'crypto';
import type { Pool } from 'pg';
import { CASE_SOURCES, CASE_SOURCES_SQL } from '@bu/domain';
import {
  ACTIVE_AT,
  ASSESSED_BY_D,
  ASSESSED_IN_24H,
  CONVERSATION_WINDOW,
  DEADLINE_MEASURE,
  endOfDay,
  LAST_FOLLOWUP,
  LAST_VISIT,
  NOTIFICATION_JUDGED,
  PLACEMENT_FOR_TWO_VISITS,
  PLAN_MEASURE,
  PLAN_WINDOW,
  TWO_VISITS_IN_12_MONTHS,
} from '@bu/rules';

// The read models (ADR 0074; tables in migration 1733915000000): derived from one municipality's
// case facts, built after its case-system import commits. Here rather than in libs/kpi because the
// ETL builds them and may not import the KPIs; the KPIs read them only when read_model_state says
// they were built from the import in force by these builds (readModelsCurrent in libs/kpi).

/** The sources whose import changes the case facts the read models are derived from. */
export const READ_MODEL_SOURCES: readonly string[] = CASE_SOURCES;

/** The newest case-system import in force for a municipality (the read models' key). */
export const CURRENT_CASE_IMPORT = `(SELECT max(s.import_id) FROM source_snapshot s WHERE s.municipality_code = $1 AND s.source IN ${CASE_SOURCES_SQL})`;

/**
 * case_team_span: for every case, the spans of days over which CASE_TEAM's answer stays the same.
 * Both of its rules read only the assignments begun by D and whether each has ended before D, so
 * the answer can change only on a day an assignment begins (valid_from) or the day after one ends
 * (valid_to + 1); between two such days it is that of the first, computed here by the very rules
 * of CASE_TEAM with D = the span's first day. Spans where the case has neither a caseworker nor
 * a team (before its first assignment) are left out: not found means the same.
 */
const CASE_TEAM_SPANS = `
  INSERT INTO case_team_span (municipality_code, source, case_id, valid_from, valid_to, worker_id, team)
  WITH bounds AS (
    SELECT source, case_id, valid_from AS b FROM assignment WHERE municipality_code = $1
    UNION
    SELECT source, case_id, valid_to + 1 FROM assignment WHERE municipality_code = $1 AND valid_to IS NOT NULL
  ),
  spans AS (
    SELECT source, case_id, b AS valid_from, lead(b) OVER (PARTITION BY source, case_id ORDER BY b) - 1 AS valid_to FROM bounds
  ),
  valued AS (
    SELECT s.*,
      (SELECT NULLIF(a.worker_id, '') FROM assignment a
        WHERE a.municipality_code = $1 AND a.source = s.source AND a.case_id = s.case_id
          AND a.valid_from <= s.valid_from AND (a.valid_to IS NULL OR a.valid_to >= s.valid_from)
        ORDER BY a.valid_from DESC, a.worker_id DESC LIMIT 1) AS worker_id,
      (SELECT w.team FROM assignment a
        JOIN caseworker w ON w.municipality_code = a.municipality_code AND w.source = a.source AND w.worker_id = a.worker_id
        WHERE a.municipality_code = $1 AND a.source = s.source AND a.case_id = s.case_id
          AND a.valid_from <= s.valid_from AND a.worker_id <> ''
        ORDER BY (a.valid_to IS NULL OR a.valid_to >= s.valid_from) DESC, a.valid_from DESC, a.worker_id DESC LIMIT 1) AS team
    FROM spans s
  )
  SELECT $1, source, case_id, valid_from, valid_to, worker_id, team FROM valued WHERE worker_id IS NOT NULL OR team IS NOT NULL`;

/**
 * effect_child_span: per child, from each measurement date (the second on) to the day before the
 * next, what effect.change needs at any D in the span: the total (the five themes' averages summed,
 * as the KPI sums them) of the first date and of the span's own date, the child's latest by D, and
 * the measure types active on that date (of any of the child's cases, as the KPI joins them). A
 * child's first span is left out: with one date by D it is not counted, so not found means the same.
 */
const EFFECT_CHILD_SPANS = `
  INSERT INTO effect_child_span (municipality_code, person_id, valid_from, valid_to, first_total, latest_total, measure_types)
  WITH per_date AS (
    SELECT c.person_id, e.measured_on,
           avg(e.development) + avg(e.family_relations) + avg(e.school) + avg(e.health) + avg(e.leisure) AS total
    FROM effect_measurement e
    JOIN child_case c ON c.municipality_code = e.municipality_code AND c.source = e.source AND c.case_id = e.case_id
    WHERE e.municipality_code = $1
    GROUP BY c.person_id, e.measured_on
  ),
  spans AS MATERIALIZED (
    SELECT person_id, measured_on AS valid_from, lead(measured_on) OVER w - 1 AS valid_to,
           first_value(total) OVER w AS first_total, total AS latest_total, row_number() OVER w AS n
    FROM per_date
    WINDOW w AS (PARTITION BY person_id ORDER BY measured_on)
  ),
  types AS (
    SELECT s.person_id, s.valid_from, array_agg(DISTINCT m.measure_type ORDER BY m.measure_type) AS types
    FROM spans s
    JOIN child_case c ON c.municipality_code = $1 AND c.person_id = s.person_id
    JOIN measure m ON m.municipality_code = c.municipality_code AND m.source = c.source AND m.case_id = c.case_id
    WHERE s.n >= 2 AND m.started <= s.valid_from AND (m.ended IS NULL OR m.ended >= s.valid_from)
    GROUP BY s.person_id, s.valid_from
  )
  SELECT $1, s.person_id, s.valid_from, s.valid_to, s.first_total, s.latest_total, coalesce(t.types, ARRAY[]::text[])
  FROM spans s LEFT JOIN types t ON t.person_id = s.person_id AND t.valid_from = s.valid_from
  WHERE s.n >= 2`;

/**
 * activity_count_day: from each day on which one changes, the counts the activity KPIs take at the
 * end of a day D. The children with a measure of a family (or a case) active at D are counted
 * distinct by first merging each child's overlapping spells of that family into islands: a child
 * is then in at most one island at D, so the count at D is the islands begun by D less those ended
 * before D. Spells that end before they start are active at no D (the KPIs' rule) and are left out.
 * Notifications count on their received day in Copenhagen, as END_OF_D and ON_LOCAL_DAYS place them.
 */
const ACTIVITY_COUNT_DAYS = `
  INSERT INTO activity_count_day (municipality_code, day, placed_children, placed_family_care_children, preventive_children,
                                  open_case_children, notifications_to_date, placements_started_to_date, placements_ended_to_date)
  WITH spells AS (
    SELECT c.person_id, m.family AS kind, m.started AS f, coalesce(m.ended, 'infinity') AS t FROM measure m
    JOIN child_case c ON c.municipality_code = m.municipality_code AND c.source = m.source AND c.case_id = m.case_id
    WHERE m.municipality_code = $1 AND m.family IN ('placement', 'preventive') AND (m.ended IS NULL OR m.ended >= m.started)
    UNION
    SELECT c.person_id, 'family_care', m.started, coalesce(m.ended, 'infinity') FROM measure m
    JOIN child_case c ON c.municipality_code = m.municipality_code AND c.source = m.source AND c.case_id = m.case_id
    WHERE m.municipality_code = $1 AND m.family = 'placement' AND m.family_care AND (m.ended IS NULL OR m.ended >= m.started)
    UNION
    SELECT person_id, 'open_case', opened, coalesce(closed, 'infinity') FROM child_case
    WHERE municipality_code = $1 AND (closed IS NULL OR closed >= opened)
  ),
  -- A spell begins an island when it starts after every earlier spell of the child and kind ended.
  -- The spells are distinct (UNION): two equal ones (two cases of a child opened the same day) would
  -- count as two islands if the two window levels below ordered the tie differently.
  marked AS (
    SELECT person_id, kind, f, t,
      (f > max(t) OVER (PARTITION BY person_id, kind ORDER BY f, t ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) IS NOT FALSE AS begins
    FROM spells
  ),
  numbered AS (
    SELECT person_id, kind, f, t, count(*) FILTER (WHERE begins) OVER (PARTITION BY person_id, kind ORDER BY f, t ROWS UNBOUNDED PRECEDING) AS island
    FROM marked
  ),
  islands AS (SELECT kind, min(f) AS f, max(t) AS t FROM numbered GROUP BY person_id, kind, island),
  changes AS (
    SELECT f AS day, kind, 1 AS change FROM islands
    UNION ALL
    SELECT t + 1, kind, -1 FROM islands WHERE t <> 'infinity'
    UNION ALL
    SELECT (received_at AT TIME ZONE 'Europe/Copenhagen')::date, 'notification', 1 FROM notification WHERE municipality_code = $1
    UNION ALL
    SELECT started, 'placement_started', 1 FROM measure WHERE municipality_code = $1 AND family = 'placement'
    UNION ALL
    SELECT ended, 'placement_ended', 1 FROM measure WHERE municipality_code = $1 AND family = 'placement' AND ended IS NOT NULL
  ),
  per_day AS (
    SELECT day,
      coalesce(sum(change) FILTER (WHERE kind = 'placement'), 0) AS placed,
      coalesce(sum(change) FILTER (WHERE kind = 'family_care'), 0) AS family_care,
      coalesce(sum(change) FILTER (WHERE kind = 'preventive'), 0) AS preventive,
      coalesce(sum(change) FILTER (WHERE kind = 'open_case'), 0) AS open_case,
      coalesce(sum(change) FILTER (WHERE kind = 'notification'), 0) AS notifications,
      coalesce(sum(change) FILTER (WHERE kind = 'placement_started'), 0) AS started,
      coalesce(sum(change) FILTER (WHERE kind = 'placement_ended'), 0) AS ended
    FROM changes GROUP BY day
  )
  SELECT $1, day, sum(placed) OVER w, sum(family_care) OVER w, sum(preventive) OVER w, sum(open_case) OVER w,
         sum(notifications) OVER w, sum(started) OVER w, sum(ended) OVER w
  FROM per_day WINDOW w AS (ORDER BY day)`;

/** The month end of a date (expression), as a date. */
const MONTH_END = (d: string) => `(date_trunc('month', (${d})::timestamp) + interval '1 month - 1 day')::date`;

/** The last month end on or before a date (expression): the date itself when it is a month end. */
const LAST_MONTH_END_BY = (d: string) => `(date_trunc('month', (${d} + 1)::timestamp) - interval '1 day')::date`;

/**
 * budget_cost_month: at each month end, the change per measure type in the monthly cost of the
 * measures active at it. A measure is active at the month ends from its start's month end to the
 * last month end on or before its end; its cost is added at the first and taken off at the next.
 */
const BUDGET_COST_MONTHS = `
  INSERT INTO budget_cost_month (municipality_code, month_end, measure_type, change)
  WITH spans AS (
    SELECT measure_type, monthly_cost, ${MONTH_END('started')} AS first_end,
           CASE WHEN ended IS NOT NULL THEN ${LAST_MONTH_END_BY('ended')} END AS last_end
    FROM measure WHERE municipality_code = $1 AND monthly_cost <> 0
  ),
  changes AS (
    SELECT first_end AS month_end, measure_type, monthly_cost AS change FROM spans WHERE last_end IS NULL OR last_end >= first_end
    UNION ALL
    SELECT ${MONTH_END('last_end + 1')}, measure_type, -monthly_cost FROM spans WHERE last_end >= first_end
  )
  SELECT $1, month_end, measure_type, sum(change) FROM changes GROUP BY month_end, measure_type HAVING sum(change) <> 0`;

/**
 * budget_children_month: at each month end, the change in the number of children whose measures
 * with a cost active at the month end are of exactly a set of measure types. Each child's set can
 * change only at a month end where one of its measures begins or the one after one ends.
 */
const BUDGET_CHILDREN_MONTHS = `
  INSERT INTO budget_children_month (municipality_code, month_end, measure_types, change)
  WITH spans AS MATERIALIZED (
    SELECT c.person_id, m.measure_type, ${MONTH_END('m.started')} AS first_end,
           CASE WHEN m.ended IS NOT NULL THEN ${LAST_MONTH_END_BY('m.ended')} END AS last_end
    FROM measure m
    JOIN child_case c ON c.municipality_code = m.municipality_code AND c.source = m.source AND c.case_id = m.case_id
    WHERE m.municipality_code = $1 AND m.monthly_cost <> 0
  ),
  active AS (SELECT * FROM spans WHERE last_end IS NULL OR last_end >= first_end),
  bounds AS (
    SELECT person_id, b, lead(b) OVER (PARTITION BY person_id ORDER BY b) AS next_b
    FROM (SELECT person_id, first_end AS b FROM active UNION SELECT person_id, ${MONTH_END('last_end + 1')} FROM active WHERE last_end IS NOT NULL) x
  ),
  sets AS (
    SELECT b.b, b.next_b, array_agg(DISTINCT a.measure_type ORDER BY a.measure_type) AS measure_types
    FROM bounds b JOIN active a ON a.person_id = b.person_id AND a.first_end <= b.b AND (a.last_end IS NULL OR a.last_end >= b.b)
    GROUP BY b.person_id, b.b, b.next_b
  ),
  changes AS (
    SELECT b AS month_end, measure_types, 1 AS change FROM sets
    UNION ALL
    SELECT next_b, measure_types, -1 FROM sets WHERE next_b IS NOT NULL
  )
  SELECT $1, month_end, measure_types, sum(change) FROM changes GROUP BY month_end, measure_types HAVING sum(change) <> 0`;

/** How many month ends before the case-system export the caseload read model holds. */
export const CASELOAD_MONTHS = 36;

/**
 * caseload_day: the days the caseload read model holds: the month ends of the CASELOAD_MONTHS up
 * to the newest case-system export in force (that of its month too) and the export date itself.
 */
const CASELOAD_DAYS = `
  INSERT INTO caseload_day (municipality_code, day)
  WITH export AS (
    SELECT max(export_date) AS d FROM source_snapshot WHERE municipality_code = $1 AND source IN ${CASE_SOURCES_SQL}
  )
  SELECT DISTINCT $1::smallint, day FROM (
    SELECT ${MONTH_END(`date_trunc('month', e.d::timestamp) - make_interval(months => i)`)} AS day
    FROM export e, generate_series(0, ${CASELOAD_MONTHS}) i
    UNION ALL
    SELECT e.d FROM export e
  ) days WHERE day IS NOT NULL`;

/** The days caseload_day holds for the municipality, as the CTE `days`: the builds after it read them. */
const HELD_DAYS = `days AS MATERIALIZED (SELECT day FROM caseload_day WHERE municipality_code = $1)`;

/**
 * caseload_day_worker: at each day of caseload_day, per caseworker responsible (by case_team_span,
 * built before it) for open cases at the day, one row: the distinct children, the distinct
 * children per case area, and the children per class, a child's class being what is active at the
 * day on any of its cases with this caseworker (the bits of caseload.weighted's weights: 1
 * placement, 2 open investigation, 4 preventive measure), by the very conditions of the KPIs' own
 * statement.
 */
const CASELOAD_DAY_WORKERS = `
  INSERT INTO caseload_day_worker (municipality_code, day, worker_id, children, sources, areas, area_children, classes, class_children)
  WITH ${HELD_DAYS},
  -- Each case's spans with a caseworker, cut to the days the case is open: joined to the days last.
  spans AS MATERIALIZED (
    SELECT c.source, c.case_id, c.person_id, c.area, s.worker_id,
      greatest(c.opened, s.valid_from) AS f, least(coalesce(c.closed, 'infinity'), coalesce(s.valid_to, 'infinity')) AS t
    FROM child_case c
    JOIN case_team_span s ON s.municipality_code = $1 AND s.source = c.source AND s.case_id = c.case_id
    WHERE c.municipality_code = $1 AND s.worker_id IS NOT NULL
  ),
  open_at AS MATERIALIZED (
    SELECT d.day, s.source, s.case_id, s.person_id, s.area, s.worker_id FROM spans s JOIN days d ON d.day BETWEEN s.f AND s.t
  ),
  active AS (
    SELECT d.day, m.source, m.case_id, CASE m.family WHEN 'placement' THEN 1 ELSE 4 END AS bit
    FROM measure m JOIN days d ON ${ACTIVE_AT('m', 'd.day')}
    WHERE m.municipality_code = $1 AND ${PLAN_MEASURE('m')}
    UNION ALL
    SELECT d.day, i.source, i.case_id, 2
    FROM investigation i JOIN days d ON i.started <= d.day AND (i.completed IS NULL OR i.completed >= d.day)
    WHERE i.municipality_code = $1
  ),
  case_classes AS (SELECT day, source, case_id, bit_or(bit) AS classes FROM active GROUP BY day, source, case_id),
  held AS MATERIALIZED (
    SELECT o.day, o.worker_id, o.person_id, o.area, o.source, coalesce(cc.classes, 0)::smallint AS classes
    FROM open_at o LEFT JOIN case_classes cc ON cc.day = o.day AND cc.source = o.source AND cc.case_id = o.case_id
  ),
  per_worker AS (
    SELECT day, worker_id, count(DISTINCT person_id)::int AS children, array_agg(DISTINCT source ORDER BY source) AS sources
    FROM held GROUP BY day, worker_id
  ),
  per_area AS (
    SELECT day, worker_id, array_agg(area ORDER BY area) AS areas, array_agg(n ORDER BY area) AS area_children
    FROM (SELECT day, worker_id, area, count(DISTINCT person_id)::int AS n FROM held GROUP BY day, worker_id, area) a
    GROUP BY day, worker_id
  ),
  per_class AS (
    SELECT day, worker_id, array_agg(classes ORDER BY classes) AS classes, array_agg(n ORDER BY classes) AS class_children
    FROM (
      SELECT day, worker_id, classes, count(*)::int AS n
      FROM (SELECT day, worker_id, bit_or(classes)::smallint AS classes FROM held GROUP BY day, worker_id, person_id) per_child
      GROUP BY day, worker_id, classes
    ) k
    GROUP BY day, worker_id
  )
  SELECT $1, w.day, w.worker_id, w.children, w.sources, a.areas, a.area_children, k.classes, k.class_children
  FROM per_worker w JOIN per_area a USING (day, worker_id) JOIN per_class k USING (day, worker_id)`;

/**
 * unassigned_case_day: at each day of caseload_day, caseload.unassigned's rows by the very rules of
 * its statement (libs/kpi's caseload/unassigned.ts), the responsible caseworker from case_team_span
 * (built before it): the cases open at the day with nobody responsible, or someone whose employment
 * ended before the day; the last caseworker assigned by the day; the team that caseworker's row
 * names (NULL: the intake team, a setting, applied when read); the reason; and the first day without.
 */
const UNASSIGNED_CASE_DAYS = `
  INSERT INTO unassigned_case_day (municipality_code, day, source, case_id, area, last_worker, team, reason, since)
  WITH ${HELD_DAYS},
  open_case AS MATERIALIZED (
    SELECT d.day, c.source, c.case_id, c.area, c.opened
    FROM child_case c JOIN days d ON c.opened <= d.day AND (c.closed IS NULL OR c.closed >= d.day)
    WHERE c.municipality_code = $1
  ),
  unassigned AS MATERIALIZED (
    SELECT oc.day, oc.source, oc.case_id, oc.area, oc.opened, cur.worker_id AS current_worker
    FROM open_case oc
    LEFT JOIN case_team_span cur ON cur.municipality_code = $1 AND cur.source = oc.source AND cur.case_id = oc.case_id
      AND cur.valid_from <= oc.day AND (cur.valid_to IS NULL OR cur.valid_to >= oc.day)
    LEFT JOIN caseworker cw ON cw.municipality_code = $1 AND cw.source = oc.source AND cw.worker_id = cur.worker_id
    WHERE cur.worker_id IS NULL OR cw.employed_to < oc.day
  )
  SELECT $1, u.day, u.source, u.case_id, u.area, l.worker_id, w.team,
    CASE WHEN u.current_worker IS NULL THEN 'ingen rådgiver' ELSE 'rådgiver fratrådt' END,
    CASE WHEN u.current_worker IS NOT NULL THEN w.employed_to + 1
         WHEN l.valid_to IS NOT NULL THEN GREATEST(l.valid_to + 1, u.opened)
         ELSE u.opened END
  FROM unassigned u
  LEFT JOIN LATERAL (
    SELECT a.worker_id, a.valid_to FROM assignment a
    WHERE a.municipality_code = $1 AND a.source = u.source AND a.case_id = u.case_id AND a.valid_from <= u.day AND a.worker_id <> ''
    ORDER BY a.valid_from DESC, a.worker_id DESC LIMIT 1
  ) l ON true
  LEFT JOIN caseworker w ON w.municipality_code = $1 AND w.source = u.source AND w.worker_id = coalesce(u.current_worker, l.worker_id)`;

/**
 * effect_change_day: at each day of caseload_day, effect.change's children summed per set of
 * measure types and direction of Δ, from their spans holding the day (effect_child_span, built
 * before it), by the very expressions of the KPI's statement (libs/kpi's effect/change.ts: Δ and
 * the direction judged on the float with its tolerance); the sums of Δ exact in numeric.
 */
const EFFECT_CHANGE_DAYS = `
  INSERT INTO effect_change_day (municipality_code, day, types, direction, children, total)
  WITH ${HELD_DAYS},
  child AS (
    SELECT d.day, (s.latest_total - s.first_total) / 5 AS delta, s.measure_types AS types
    FROM effect_child_span s JOIN days d ON s.valid_from <= d.day AND (s.valid_to IS NULL OR s.valid_to >= d.day)
    WHERE s.municipality_code = $1
  )
  SELECT $1, day, types, CASE WHEN abs(delta::float8) < 1e-9::float8 THEN 0 ELSE sign(delta) END AS direction, count(*), sum(delta)
  FROM child GROUP BY day, types, direction`;

/**
 * started_measure: per placement or preventive measure whose case is known (deadline.plan_on_time's
 * and deadline.child_conversation's measures), its start and the child's earliest action plan and
 * child conversation inside the windows the two rules judge it by (libs/rules: PLAN_WINDOW,
 * CONVERSATION_WINDOW): the plan from start − 12 months to the plan's limit (the
 * start before 2024, else start + 3 months), the conversation in the 6 months up to and including
 * the decision, else the start. The rules' "known by D" is then "the earliest is on or before D".
 */
const STARTED_MEASURES = `
  INSERT INTO started_measure (municipality_code, source, measure_id, case_id, started, first_plan, first_conversation)
  SELECT $1, m.source, m.measure_id, m.case_id, m.started,
    (SELECT min(p.plan_date) FROM action_plan p
       JOIN child_case pc ON pc.municipality_code = p.municipality_code AND pc.source = p.source AND pc.case_id = p.case_id
     WHERE p.municipality_code = $1 AND pc.person_id = c.person_id AND ${PLAN_WINDOW('p.plan_date', 'm.started')}),
    (SELECT min(b.conversation_date) FROM child_conversation b
       JOIN child_case bc ON bc.municipality_code = b.municipality_code AND bc.source = b.source AND bc.case_id = b.case_id
     WHERE b.municipality_code = $1 AND bc.person_id = c.person_id AND ${CONVERSATION_WINDOW('b.conversation_date', 'm.decided', 'm.started')})
  FROM measure m JOIN child_case c ON c.municipality_code = $1 AND c.source = m.source AND c.case_id = m.case_id
  WHERE m.municipality_code = $1 AND ${PLAN_MEASURE('m')}`;

/**
 * The span `s` of case_team_span holding `day` for the case of the row `r` (by its source and case
 * number), as the KPIs' read-model path looks the team up: none when the case has no span at the
 * day (the intake team, applied when read). `caseJoin`: a row whose case child_case does not know
 * is kept with no span (LEFT JOIN: notifications), or dropped (JOIN: measures, as caseTeamOf drops it).
 */
const CASE_SPAN_AT = (r: string, day: string, caseJoin: 'JOIN' | 'LEFT JOIN') => `
  ${caseJoin} child_case c ON c.municipality_code = $1 AND c.source = ${r}.source AND c.case_id = ${r}.case_id
  LEFT JOIN case_team_span s ON s.municipality_code = $1 AND s.source = c.source AND s.case_id = c.case_id
    AND s.valid_from <= ${day} AND (s.valid_to IS NULL OR s.valid_to >= ${day})`;

/**
 * notification_month_day: at each day of caseload_day, deadline.notification_24h's counts per team
 * of the notification's case at the day (by case_team_span, built before it, as the KPI's read-model
 * path looks the team up; NULL: the intake team, applied when read) and per Copenhagen month of
 * receipt, for the notifications received from the first of the month eleven months before the
 * day's to the end of the day, by the rules of libs/rules at the day: the assessment
 * known at the day (before its end), judged (assessed, or received more than 24 hours before the
 * end of the day) and assessed within 24 hours (86,400 elapsed seconds).
 */
const NOTIFICATION_MONTH_DAYS = `
  INSERT INTO notification_month_day (municipality_code, day, team, month, judged, assessed_in_24h)
  WITH ${HELD_DAYS},
  -- Each day's instants worked out once, not once for each notification beside it.
  windows AS MATERIALIZED (
    SELECT day, (date_trunc('month', day::timestamp) - interval '11 months') AT TIME ZONE 'Europe/Copenhagen' AS first_instant,
      ${endOfDay('day')} AS end_of_day
    FROM days
  ),
  note AS (
    SELECT w.day, w.end_of_day, n.source, n.case_id, n.received_at,
      ${ASSESSED_BY_D('n.assessed_at', 'w.end_of_day')} AS assessed_at,
      date_trunc('month', n.received_at AT TIME ZONE 'Europe/Copenhagen')::date AS month
    FROM notification n JOIN windows w ON n.received_at >= w.first_instant AND n.received_at < w.end_of_day
    WHERE n.municipality_code = $1
  )
  SELECT $1, n.day, s.team, n.month,
    count(*) FILTER (WHERE ${NOTIFICATION_JUDGED('n.assessed_at', 'n.received_at', 'n.end_of_day')}),
    count(*) FILTER (WHERE ${ASSESSED_IN_24H('n.assessed_at', 'n.received_at')})
  FROM note n
  ${CASE_SPAN_AT('n', 'n.day', 'LEFT JOIN')}
  GROUP BY n.day, s.team, n.month`;

/**
 * unassessed_notification_day: at each day of caseload_day, the notifications received by its end
 * and not assessed by it (libs/kpi's deadline/notifications.ts: the rows of its two lists), with the
 * caseworker and team of the notification's case at the day by case_team_span (built before it),
 * as the lists' read-model path looks them up (NULL team: the intake team, applied when read).
 */
const UNASSESSED_NOTIFICATION_DAYS = `
  INSERT INTO unassessed_notification_day (municipality_code, day, source, notification_id, case_id, received_at, worker_id, team)
  WITH ${HELD_DAYS},
  windows AS MATERIALIZED (SELECT day, ${endOfDay('day')} AS end_of_day FROM days)
  SELECT $1, w.day, n.source, n.notification_id, n.case_id, n.received_at, s.worker_id, s.team
  FROM notification n
  JOIN windows w ON n.received_at < w.end_of_day AND ${ASSESSED_BY_D('n.assessed_at', 'w.end_of_day')} IS NULL
  ${CASE_SPAN_AT('n', 'w.day', 'LEFT JOIN')}
  WHERE n.municipality_code = $1
  -- In day order: a list reads one day's rows, which then share pages.
  ORDER BY w.day`;

/**
 * measure_deadline_day: at each day of caseload_day, the measures active at it that libs/kpi's
 * deadline/measures.ts lists (economic benefits left out; the case known), with what their due
 * dates rest on as known at the day by the rules of libs/rules at the day: the latest follow-up
 * and, for a placement, the latest supervision visit on or before the day; and the case's caseworker
 * and team at the day by case_team_span (built before it), as the lists' read-model path looks them
 * up (NULL team: the intake team, applied when read). The due dates are worked out when read: the
 * default cadence is a setting.
 */
const MEASURE_DEADLINE_DAYS = `
  INSERT INTO measure_deadline_day (municipality_code, day, source, measure_id, case_id, measure_type, placement, started,
    followup_cadence_months, last_followup, last_visit, worker_id, team)
  WITH ${HELD_DAYS},
  active AS MATERIALIZED (
    SELECT d.day, m.source, m.measure_id, m.case_id, m.measure_type, m.family = 'placement' AS placement, m.started, m.followup_cadence_months
    FROM measure m JOIN days d ON ${ACTIVE_AT('m', 'd.day')}
    WHERE m.municipality_code = $1 AND ${DEADLINE_MEASURE('m')}
  )
  SELECT $1, a.day, a.source, a.measure_id, a.case_id, a.measure_type, a.placement, a.started, a.followup_cadence_months,
    ${LAST_FOLLOWUP('a', 'a.day')}, CASE WHEN a.placement THEN ${LAST_VISIT('a', 'a.day')} END,
    s.worker_id, s.team
  FROM active a
  ${CASE_SPAN_AT('a', 'a.day', 'JOIN')}
  -- In day order: a list reads one day's rows, which then share pages.
  ORDER BY a.day`;

/**
 * measure_type_day (ADR 0108): at each day of caseload_day, per measure type of the measures active
 * at it, by the KPIs' own conditions: the median age of those measures (duration.
 * active_measure_age_days, every measure, its case known or not), and of the placements among them
 * whose case is known, the distinct children (activity.placed_children_by_type) and the sum of the
 * monthly costs (cost.annualised_per_placed_child: a sum over the types is the sum over them all).
 * The children are counted apart from the ages: sorted with them, every measure's row carried its
 * child and spilled to disk.
 */
const MEASURE_TYPE_DAYS = `
  INSERT INTO measure_type_day (municipality_code, day, measure_type, age_median, placed_children, placed_cost)
  WITH ${HELD_DAYS},
  ages AS (
    SELECT d.day, m.measure_type, percentile_cont(0.5) WITHIN GROUP (ORDER BY d.day - m.started)::float AS age_median
    FROM measure m JOIN days d ON ${ACTIVE_AT('m', 'd.day')}
    WHERE m.municipality_code = $1
    GROUP BY d.day, m.measure_type
  ),
  placed AS (
    SELECT d.day, m.measure_type, count(DISTINCT c.person_id)::int AS children, sum(m.monthly_cost) AS cost
    FROM measure m JOIN days d ON ${ACTIVE_AT('m', 'd.day')}
    JOIN child_case c ON c.municipality_code = m.municipality_code AND c.source = m.source AND c.case_id = m.case_id
    WHERE m.municipality_code = $1 AND m.family = 'placement'
    GROUP BY d.day, m.measure_type
  )
  SELECT $1, a.day, a.measure_type, a.age_median, coalesce(p.children, 0), p.cost
  FROM ages a LEFT JOIN placed p ON p.day = a.day AND p.measure_type = a.measure_type`;

/**
 * top_case_day (ADR 0108): at each day of caseload_day, cost.top_cases' 20 cases: by case number
 * over every case system, the highest monthly cost of the measures active at the day first (ties
 * by case number), with their number of measures and their measure types (looked up for those 20).
 */
const TOP_CASE_DAYS = `
  INSERT INTO top_case_day (municipality_code, day, rank, case_id, total, measures, measure_types)
  WITH ${HELD_DAYS},
  per_case AS (
    SELECT d.day, m.case_id, sum(coalesce(m.monthly_cost, 0)) AS total, count(*)::int AS measures
    FROM measure m JOIN days d ON ${ACTIVE_AT('m', 'd.day')}
    WHERE m.municipality_code = $1
    GROUP BY d.day, m.case_id
  ),
  ranked AS (
    SELECT * FROM (SELECT p.*, row_number() OVER (PARTITION BY p.day ORDER BY p.total DESC, p.case_id) AS rank FROM per_case p) r
    WHERE r.rank <= 20
  )
  SELECT $1, t.day, t.rank, t.case_id, t.total, t.measures,
    (SELECT array_agg(DISTINCT m.measure_type ORDER BY m.measure_type) FROM measure m
     WHERE m.municipality_code = $1 AND m.case_id = t.case_id AND ${ACTIVE_AT('m', 't.day')})
  FROM ranked t`;

/**
 * two_visits_day (ADR 0110): at each day of caseload_day, supervision.two_visits_share's children
 * judged at it (PLACEMENT_FOR_TWO_VISITS at the day, the case known), counted per set of the teams of
 * their judged placements' cases at the day by case_team_span (built before it), as the KPI's
 * read-model path looks them up (NULL among them: the intake team, applied when read), and per
 * TWO_VISITS_IN_12_MONTHS at the day. A child is in one row: a scope counts it once.
 */
const TWO_VISITS_DAYS = `
  INSERT INTO two_visits_day (municipality_code, day, teams, met, children)
  WITH ${HELD_DAYS},
  judged AS (
    SELECT d.day, c.person_id, array_agg(DISTINCT s.team ORDER BY s.team) AS teams
    FROM measure m JOIN days d ON ${PLACEMENT_FOR_TWO_VISITS('m', 'd.day')}
    ${CASE_SPAN_AT('m', 'd.day', 'JOIN')}
    WHERE m.municipality_code = $1
    GROUP BY d.day, c.person_id
  ),
  judged_met AS (SELECT j.day, j.teams, ${TWO_VISITS_IN_12_MONTHS('j.person_id', 'j.day')} AS met FROM judged j)
  SELECT $1, day, teams, met, count(*)::int FROM judged_met GROUP BY day, teams, met`;

/**
 * The read models and how each is built, in the order they are built. `hashJoins`: the statement
 * runs without nested loops where another join can do (ADR 0101): its joins of aggregates over
 * the held days were planned as nested loops while the days' table had no statistics yet (a new
 * database, or right after a migration), re-sorting an aggregate's input once per row of another.
 */
const READ_MODELS: { table: string; build: string; hashJoins?: boolean }[] = [
  { table: 'case_team_span', build: CASE_TEAM_SPANS },
  { table: 'effect_child_span', build: EFFECT_CHILD_SPANS },
  { table: 'activity_count_day', build: ACTIVITY_COUNT_DAYS },
  { table: 'budget_cost_month', build: BUDGET_COST_MONTHS },
  { table: 'budget_children_month', build: BUDGET_CHILDREN_MONTHS },
  { table: 'caseload_day', build: CASELOAD_DAYS },
  // After case_team_span and caseload_day, which it reads.
  { table: 'caseload_day_worker', build: CASELOAD_DAY_WORKERS, hashJoins: true },
  // After case_team_span and caseload_day, which it reads.
  { table: 'unassigned_case_day', build: UNASSIGNED_CASE_DAYS, hashJoins: true },
  { table: 'started_measure', build: STARTED_MEASURES },
  // After effect_child_span and caseload_day, which it reads.
  { table: 'effect_change_day', build: EFFECT_CHANGE_DAYS },
  // After case_team_span and caseload_day, which they read.
  { table: 'notification_month_day', build: NOTIFICATION_MONTH_DAYS, hashJoins: true },
  { table: 'unassessed_notification_day', build: UNASSESSED_NOTIFICATION_DAYS, hashJoins: true },
  // After case_team_span and caseload_day, which it reads.
  { table: 'measure_deadline_day', build: MEASURE_DEADLINE_DAYS, hashJoins: true },
  // After caseload_day, which they read.
  { table: 'measure_type_day', build: MEASURE_TYPE_DAYS },
  { table: 'top_case_day', build: TOP_CASE_DAYS },
  // After case_team_span and caseload_day, which it reads.
  { table: 'two_visits_day', build: TWO_VISITS_DAYS },
];

/** The read models' tables, in the order they are built. */
export const READ_MODEL_TABLES: readonly string[] = READ_MODELS.map((m) => m.table);

/**
 * The digest of the read models' builds (their tables and statements, the rules of libs/rules in
 * them included), recorded with each municipality's build (ADR 0107). Read models built by other
 * builds (another version of the code, say a worker not yet upgraded, or before a rule changed) are
 * not current: the KPIs read the facts, and the worker builds them again (ADR 0105).
 */
export const READ_MODELS_BUILD = createHash('sha256').update(JSON.stringify(READ_MODELS)).digest('hex').slice(0, 16);

/** The row of read_model_state `r` is of the import `importId` and of these builds. */
const BUILT_FROM = (importId: string) => `r.import_id = ${importId} AND r.build = '${READ_MODELS_BUILD}'`;

/**
 * The municipalities with case-system data whose read models were not built from their import in
 * force by these builds (a migration that adds a read model empties read_model_state; a build
 * after an import can fail; the builds change with the code), in code order.
 */
export const STALE_READ_MODELS = `SELECT DISTINCT s.municipality_code AS municipality FROM source_snapshot s
  WHERE s.source IN ${CASE_SOURCES_SQL} AND NOT EXISTS (
    SELECT 1 FROM read_model_state r WHERE r.municipality_code = s.municipality_code
      AND ${BUILT_FROM(`(SELECT max(x.import_id) FROM source_snapshot x WHERE x.municipality_code = s.municipality_code AND x.source IN ${CASE_SOURCES_SQL})`)})
  ORDER BY 1`;

/** Whether the municipality's ($1) read models were built from its case-system import in force by these builds. */
export const READ_MODELS_CURRENT = `SELECT EXISTS (
  SELECT 1 FROM read_model_state r WHERE r.municipality_code = $1 AND ${BUILT_FROM(CURRENT_CASE_IMPORT)}
) AS current`;

/**
 * Builds a municipality's read models from the data in force, in one transaction that sees one
 * snapshot (the facts and the import they came from agree), and records the import they were
 * built from. Builds of one municipality take turns, so the last to finish is of the newest data.
 * Returns that import's id, or null when the municipality has no case-system data (nothing built).
 */
export async function buildReadModels(pool: Pool, municipality: number): Promise<number | null> {
  const started = Date.now();
  const client = await pool.connect();
  let locked = false;
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1), $2)', ['read-models', municipality]);
    locked = true;
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    try {
      // Each statement runs once over a whole municipality: compiling it (JIT) costs more than it
      // saves, and its sorts and hashes of hundreds of thousands of rows would spill at the 4 MB default.
      await client.query('SET LOCAL jit = off');
      await client.query(`SET LOCAL work_mem = '64MB'`);
      const { rows } = await client.query<{ id: string | null }>(`SELECT ${CURRENT_CASE_IMPORT} AS id`, [municipality]);
      const importId = rows[0].id === null ? null : Number(rows[0].id);
      for (const { table } of READ_MODELS) await client.query(`DELETE FROM ${table} WHERE municipality_code = $1`, [municipality]);
      await client.query('DELETE FROM read_model_state WHERE municipality_code = $1', [municipality]);
      if (importId !== null) {
        for (const { build, hashJoins } of READ_MODELS) {
          if (hashJoins) await client.query('SET LOCAL enable_nestloop = off');
          await client.query(build, [municipality]);
          if (hashJoins) await client.query('SET LOCAL enable_nestloop = on');
        }
        await client.query(`INSERT INTO read_model_state (municipality_code, import_id, seconds, build) VALUES ($1, $2, $3, $4)`, [
          municipality,
          importId,
          (Date.now() - started) / 1000,
          READ_MODELS_BUILD,
        ]);
      }
      await client.query('COMMIT');
      return importId;
    } catch (e) {
      await client.query('ROLLBACK');
      throw e;
    }
  } finally {
    // Unlocked on the connection that took the lock; a broken connection has lost it anyway.
    if (locked) await client.query('SELECT pg_advisory_unlock(hashtext($1), $2)', ['read-models', municipality]).catch(() => undefined);
    client.release();
  }
}
