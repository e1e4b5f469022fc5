// The catalogue's per-row rules (KPIS.md) as SQL fragments, one definition each. The KPIs (libs/kpi)
// judge by them at D ($2) and aggregate them; the case review's formal items answer them for one
// case at the round's date; the read models' builds (libs/db) apply them at each day they hold.
// Here, not in libs/kpi, because the builds may not import the KPIs (the ETL runs them). $1 is the
// municipality everywhere. A rule the builds apply takes the day as its last argument, D unless
// given another; the rules only the KPIs use judge at D ($2) and cannot be used without it.

/** The KPIs' D, the day a rule judges at unless given another. */
export const D = '$2::date';

/**
 * date + n months, keeping the day and clamping to the month end (31-01 + 1 month = 29-02), as
 * KPIS.md defines it: PostgreSQL's month arithmetic does exactly this.
 */
export const addMonthsSql = (date: string, months: string | number) => `(${date} + make_interval(months => ${months}))::date`;

/** The end of `day` in Copenhagen: the next day's local midnight ("at the day" for timestamps). */
export const endOfDay = (day: string) => `((${day} + 1)::timestamp AT TIME ZONE 'Europe/Copenhagen')`;

/** The end of D in Copenhagen: D + 1 day, 00:00 local time ("at D" for timestamps). */
export const END_OF_D = endOfDay(D);

/** The first day of the closed window "the 12 months up to and including D": D − 12 months. */
export const TWELVE_MONTHS_BEFORE_D = addMonthsSql(D, -12);

/** The measure `m` is active at `day`: started on or before it, not ended before it. */
export const ACTIVE_AT = (m: string, day = D) => `(${m}.started <= ${day} AND (${m}.ended IS NULL OR ${m}.ended >= ${day}))`;

/** Measures counted by the deadline KPIs: economic benefits are left out of every one. */
export const DEADLINE_MEASURE = (m: string) => `${m}.family <> 'economic'`;

/** Measures the plan and child-conversation rules judge: placements and preventive measures (no economic benefits, no "ukendt"). */
export const PLAN_MEASURE = (m: string) => `${m}.family IN ('placement', 'preventive')`;

/** deadline.plan_on_time: the plan's limit, the start (Serviceloven, before 2024) or start + 3 months (Barnets Lov § 91). */
export const PLAN_LIMIT = (started: string) =>
  `CASE WHEN ${started} < DATE '2024-01-01' THEN ${started} ELSE ${addMonthsSql(started, 3)} END`;

/** deadline.plan_on_time: a plan dated `date` is in the measure's window, from start − 12 months to the limit. */
export const PLAN_WINDOW = (date: string, started: string) => `${date} BETWEEN ${addMonthsSql(started, -12)} AND ${PLAN_LIMIT(started)}`;

/** deadline.plan_on_time: the child has an action plan dated by D in the window. */
export const PLAN_IN_WINDOW = (personId: string, started: string) => `EXISTS (
  SELECT 1 FROM action_plan p JOIN child_case pc ON pc.municipality_code = p.municipality_code AND pc.source = p.source AND pc.case_id = p.case_id
  WHERE p.municipality_code = $1 AND pc.person_id = ${personId} AND p.plan_date <= ${D}
    AND ${PLAN_WINDOW('p.plan_date', started)})`;

/** deadline.plan_on_time: judged at D, i.e. has its plan, or its limit is not after D (else pending). */
export const PLAN_JUDGED = (hasPlan: string, limit: string) => `(${hasPlan} OR ${limit} <= ${D})`;

/** deadline.child_conversation: a conversation dated `date` is in the 6 months up to and including the decision (else the start). */
export const CONVERSATION_WINDOW = (date: string, decided: string, started: string) =>
  `${date} BETWEEN ${addMonthsSql(`coalesce(${decided}, ${started})`, -6)} AND coalesce(${decided}, ${started})`;

/** deadline.child_conversation: a child conversation known by D in the window. */
export const CHILD_CONVERSATION_HELD = (personId: string, decided: string, started: string) => `EXISTS (
  SELECT 1 FROM child_conversation b JOIN child_case bc ON bc.municipality_code = b.municipality_code AND bc.source = b.source AND bc.case_id = b.case_id
  WHERE b.municipality_code = $1 AND bc.person_id = ${personId} AND b.conversation_date <= ${D}
    AND ${CONVERSATION_WINDOW('b.conversation_date', decided, started)})`;

/** deadline.followup_overdue: the latest follow-up of the measure `m` dated on or before the day. */
export const LAST_FOLLOWUP = (m: string, day = D) =>
  `(SELECT max(f.followup_date) FROM followup f WHERE f.municipality_code = $1 AND f.source = ${m}.source
     AND f.measure_id = ${m}.measure_id AND f.followup_date <= ${day})`;

/**
 * deadline.followup_overdue: the next follow-up's due date, start + 3 months without a follow-up by
 * D, else the latest one + the measure's cadence (from the export, else `defaultCadence`).
 * Overdue at D when due < D.
 */
export const FOLLOWUP_DUE = (lastFollowup: string, started: string, cadence: string, defaultCadence: string) =>
  `CASE WHEN ${lastFollowup} IS NULL THEN ${addMonthsSql(started, 3)}
        ELSE ${addMonthsSql(lastFollowup, `coalesce(${cadence}, ${defaultCadence})::int`)} END`;

/** deadline.supervision_overdue: the latest supervision visit to the placement `m` dated on or before the day. */
export const LAST_VISIT = (m: string, day = D) =>
  `(SELECT max(v.visit_date) FROM supervision_visit v WHERE v.municipality_code = $1 AND v.source = ${m}.source
     AND v.measure_id = ${m}.measure_id AND v.visit_date <= ${day})`;

/** deadline.investigation_4m: the due date of an investigation, start + 4 calendar months. */
export const INVESTIGATION_DUE = (started: string) => `(${started} + interval '4 months')::date`;

/** deadline.investigation_*: the completion date as known at D (a later one is not known yet). */
export const INVESTIGATION_COMPLETED_BY_D = (completed: string) => `CASE WHEN ${completed} <= ${D} THEN ${completed} END`;

/** deadline.notification_24h: the assessment as known at a day, given its end (END_OF_D at D). */
export const ASSESSED_BY_D = (assessedAt: string, end = END_OF_D) => `CASE WHEN ${assessedAt} < ${end} THEN ${assessedAt} END`;

/** deadline.notification_24h: assessed within 24 hours (86,400 elapsed seconds), given the assessment known at D. */
export const ASSESSED_IN_24H = (assessedAt: string, receivedAt: string) =>
  `(${assessedAt} IS NOT NULL AND ${assessedAt} - ${receivedAt} <= interval '24 hours')`;

/**
 * deadline.notification_24h: judged at a day, given its end (END_OF_D at D), i.e. assessed, or
 * received more than 24 hours before the end of the day (else pending).
 */
export const NOTIFICATION_JUDGED = (assessedAt: string, receivedAt: string, end = END_OF_D) =>
  `(${assessedAt} IS NOT NULL OR ${receivedAt} < ${end} - interval '24 hours')`;

/**
 * supervision.two_visits_share: the child has at least 2 supervision visits on its placements dated
 * `day` − 12 months .. `day`. Judged for children with a placement active at the day that started on
 * or before the day − 12 months.
 */
export const TWO_VISITS_IN_12_MONTHS = (personId: string, day = D) => `((
  SELECT count(*) FROM supervision_visit v
  JOIN measure vm ON vm.municipality_code = v.municipality_code AND vm.source = v.source AND vm.measure_id = v.measure_id
  JOIN child_case vc ON vc.municipality_code = vm.municipality_code AND vc.source = vm.source AND vc.case_id = vm.case_id
  WHERE v.municipality_code = $1 AND vm.family = 'placement' AND vc.person_id = ${personId}
    AND v.visit_date BETWEEN ${addMonthsSql(day, -12)} AND ${day}) >= 2)`;

/** supervision.two_visits_share: a placement that makes its child judged at `day` (active at it, started on or before it − 12 months). */
export const PLACEMENT_FOR_TWO_VISITS = (m: string, day = D) =>
  `(${m}.family = 'placement' AND ${m}.started <= ${addMonthsSql(day, -12)} AND (${m}.ended IS NULL OR ${m}.ended >= ${day}))`;

/** supervision.talked_alone_share: the caseworker talked alone with the child at the visit (not recorded: not). */
export const TALKED_ALONE = (v: string) => `(${v}.talked_alone IS TRUE)`;

/** decision.days_to_start: the measure has a decision dated on or before its start. */
export const DECIDED_BY_START = (m: string) => `(${m}.decided IS NOT NULL AND ${m}.decided <= ${m}.started)`;
