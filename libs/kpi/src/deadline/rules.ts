import { addMonthsSql, END_OF_D } from '../sql';

// The per-case (per-measure, per-notification, per-investigation) rules of the deadline KPIs, one
// definition each. The KPIs aggregate them; the case review's formal items (../review/formal.ts)
// answer them for one case at the round's date. Parameters as in ../sql.ts: $1 municipality, $2 D.

/** The first day of the closed window "the 12 months up to and including D": D − 12 months. */
export const TWELVE_MONTHS_BEFORE_D = addMonthsSql('$2::date', -12);

/** Measures the plan and child-conversation rules judge: placements and preventive measures (no economic benefits, no "ukendt"). */
export const PLAN_MEASURE = (m: string) => `${m}.family IN ('placement', 'preventive')`;

/** deadline.plan_on_time: the plan's limit, the start (Serviceloven, before 2024) or start + 3 months (Barnets Lov § 91). */
export const PLAN_LIMIT = (started: string) =>
  `CASE WHEN ${started} < DATE '2024-01-01' THEN ${started} ELSE ${addMonthsSql(started, 3)} END`;

/** deadline.plan_on_time: the child has an action plan dated by D, from start − 12 months to the limit. */
export const PLAN_IN_WINDOW = (personId: string, started: string) => `EXISTS (
  SELECT 1 FROM action_plan p JOIN child_case pc ON pc.municipality_code = p.municipality_code AND pc.source = p.source AND pc.case_id = p.case_id
  WHERE p.municipality_code = $1 AND pc.person_id = ${personId} AND p.plan_date <= $2::date
    AND p.plan_date BETWEEN ${addMonthsSql(started, -12)} AND ${PLAN_LIMIT(started)})`;

/** deadline.plan_on_time: judged at D, i.e. has its plan, or its limit is not after D (else pending). */
export const PLAN_JUDGED = (hasPlan: string, limit: string) => `(${hasPlan} OR ${limit} <= $2::date)`;

/** deadline.child_conversation: a child conversation known by D in the 6 months up to and including the decision (else the start). */
export const CHILD_CONVERSATION_HELD = (personId: string, decided: string, started: string) => `EXISTS (
  SELECT 1 FROM child_conversation b JOIN child_case bc ON bc.municipality_code = b.municipality_code AND bc.source = b.source AND bc.case_id = b.case_id
  WHERE b.municipality_code = $1 AND bc.person_id = ${personId} AND b.conversation_date <= $2::date
    AND b.conversation_date BETWEEN ${addMonthsSql(`coalesce(${decided}, ${started})`, -6)} AND coalesce(${decided}, ${started}))`;

/** deadline.followup_overdue: the latest follow-up of the measure dated on or before D. */
export const LAST_FOLLOWUP = (m: string) =>
  `(SELECT max(f.followup_date) FROM followup f WHERE f.municipality_code = $1 AND f.source = ${m}.source
     AND f.measure_id = ${m}.measure_id AND f.followup_date <= $2::date)`;

/**
 * deadline.followup_overdue: the next follow-up's due date, start + 3 months without a follow-up by
 * D, else the latest one + the measure's cadence (from the export, else `defaultCadence`).
 * Overdue at D when due < D.
 */
export const FOLLOWUP_DUE = (lastFollowup: string, started: string, cadence: string, defaultCadence: string) =>
  `CASE WHEN ${lastFollowup} IS NULL THEN ${addMonthsSql(started, 3)}
        ELSE ${addMonthsSql(lastFollowup, `coalesce(${cadence}, ${defaultCadence})::int`)} END`;

/** deadline.investigation_4m: the due date of an investigation, start + 4 calendar months. */
export const INVESTIGATION_DUE = (started: string) => `(${started} + interval '4 months')::date`;

/** deadline.investigation_*: the completion date as known at D (a later one is not known yet). */
export const INVESTIGATION_COMPLETED_BY_D = (completed: string) => `CASE WHEN ${completed} <= $2::date THEN ${completed} END`;

/** deadline.notification_24h: the assessment as known at D (the end of D). */
export const ASSESSED_BY_D = (assessedAt: string) => `CASE WHEN ${assessedAt} < ${END_OF_D} THEN ${assessedAt} END`;

/** deadline.notification_24h: assessed within 24 hours (86,400 elapsed seconds), given the assessment known at D. */
export const ASSESSED_IN_24H = (assessedAt: string, receivedAt: string) =>
  `(${assessedAt} IS NOT NULL AND ${assessedAt} - ${receivedAt} <= interval '24 hours')`;

/** deadline.notification_24h: judged at D, i.e. assessed, or received more than 24 hours before the end of D (else pending). */
export const NOTIFICATION_JUDGED = (assessedAt: string, receivedAt: string) =>
  `(${assessedAt} IS NOT NULL OR ${receivedAt} < ${END_OF_D} - interval '24 hours')`;

/**
 * supervision.two_visits_share: the child has at least 2 supervision visits on its placements dated
 * D − 12 months .. D. Judged for children with a placement active at D that started on or before D − 12 months.
 */
export const TWO_VISITS_IN_12_MONTHS = (personId: string) => `((
  SELECT count(*) FROM supervision_visit v
  JOIN measure vm ON vm.municipality_code = v.municipality_code AND vm.source = v.source AND vm.measure_id = v.measure_id
  JOIN child_case vc ON vc.municipality_code = vm.municipality_code AND vc.source = vm.source AND vc.case_id = vm.case_id
  WHERE v.municipality_code = $1 AND vm.family = 'placement' AND vc.person_id = ${personId}
    AND v.visit_date BETWEEN ${TWELVE_MONTHS_BEFORE_D} AND $2::date) >= 2)`;

/** supervision.two_visits_share: a placement that makes its child judged (active at D, started on or before D − 12 months). */
export const PLACEMENT_FOR_TWO_VISITS = (m: string) =>
  `(${m}.family = 'placement' AND ${m}.started <= ${TWELVE_MONTHS_BEFORE_D} AND (${m}.ended IS NULL OR ${m}.ended >= $2::date))`;

/** supervision.talked_alone_share: the caseworker talked alone with the child at the visit (not recorded: not). */
export const TALKED_ALONE = (v: string) => `(${v}.talked_alone IS TRUE)`;

/** decision.days_to_start: the measure has a decision dated on or before its start. */
export const DECIDED_BY_START = (m: string) => `(${m}.decided IS NOT NULL AND ${m}.decided <= ${m}.started)`;
