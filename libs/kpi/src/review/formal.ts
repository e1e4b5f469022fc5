import { END_OF_D, ON_LOCAL_DAYS } from '../sql';
import {
  ACTIVE_AT,
  DEADLINE_MEASURE,
  ASSESSED_BY_D,
  ASSESSED_IN_24H,
  CHILD_CONVERSATION_HELD,
  DECIDED_BY_START,
  FOLLOWUP_DUE,
  INVESTIGATION_COMPLETED_BY_D,
  INVESTIGATION_DUE,
  LAST_FOLLOWUP,
  NOTIFICATION_JUDGED,
  PLACEMENT_FOR_TWO_VISITS,
  PLAN_IN_WINDOW,
  PLAN_JUDGED,
  PLAN_LIMIT,
  PLAN_MEASURE,
  TALKED_ALONE,
  TWELVE_MONTHS_BEFORE_D,
  TWO_VISITS_IN_12_MONTHS,
} from '@bu/rules';
import { DEFAULT_SETTINGS, type KpiSettings } from '../settings';
import type { Query } from '../types';

// The case review's formal items (../shared/domain/CASE-REVIEW.md): facts the product knows,
// answered for one case at the round's date D by the same per-case rules the deadline KPIs
// aggregate (libs/rules). "The last 12 months" is the closed window D − 12 months .. D.
//
// Each item's SQL gets $1 municipality, $2 D, $3 the case numbers (text[]), $4 the default
// follow-up cadence, $5 each case's source (text[], beside $3), and answers one row per case it judges: (case_id, judged, met). A case with
// nothing to judge (no row, or judged = 0) is 'ikke_relevant'; met = judged is 'ja', else 'nej'.

export const FORMAL_ITEM_IDS = [
  'formal.investigation_4m',
  'formal.plan_on_time',
  'formal.child_conversation',
  'formal.followup_on_time',
  'formal.supervision_visits',
  'formal.talked_alone',
  'formal.notification_24h',
  'formal.decision_before_start',
] as const;
export type FormalItemId = (typeof FORMAL_ITEM_IDS)[number];

/** A formal answer from the data. */
export type FormalAnswer = 'ja' | 'nej' | 'ikke_relevant';

interface FormalItem {
  id: FormalItemId;
  /** Per case: how many things the rule judges and how many of them meet it. */
  sql: string;
  /** When no thing is judged: 'ikke_relevant', or 'nej' when the thing should exist (an investigation). */
  whenNone?: FormalAnswer;
}

/** The cases asked for, with their child. */
// Names every parameter's type, so an item that uses no cadence can share the parameter list.
const CASES = `params AS (SELECT $4::int AS default_cadence),
  rc AS (SELECT c.source, c.case_id, c.person_id FROM child_case c JOIN unnest($5::text[], $3::text[]) AS k(source, case_id)
           ON k.source = c.source AND k.case_id = c.case_id WHERE c.municipality_code = $1)`;

/** The case's measures. */
const MEASURES = `${CASES}, cm AS (
  SELECT m.*, rc.person_id FROM measure m JOIN rc ON rc.source = m.source AND rc.case_id = m.case_id WHERE m.municipality_code = $1)`;

const FORMAL_ITEMS: FormalItem[] = [
  {
    // The child's latest investigation started by D: completed (by D) within start + 4 months, or
    // still open and not yet past that (deadline.investigation_4m / _overdue). None: 'nej'.
    id: 'formal.investigation_4m',
    whenNone: 'nej',
    sql: `WITH ${CASES}
      SELECT rc.case_id, 1 AS judged,
             CASE WHEN (li.completed IS NOT NULL AND li.completed <= li.due) OR (li.completed IS NULL AND li.due >= $2::date) THEN 1 ELSE 0 END AS met
      FROM rc JOIN LATERAL (
        SELECT ${INVESTIGATION_COMPLETED_BY_D('i.completed')} AS completed, ${INVESTIGATION_DUE('i.started')} AS due
        FROM investigation i JOIN child_case ic ON ic.municipality_code = i.municipality_code AND ic.source = i.source AND ic.case_id = i.case_id
        WHERE i.municipality_code = $1 AND ic.person_id = rc.person_id AND i.started <= $2::date
        ORDER BY i.started DESC, i.investigation_id DESC LIMIT 1) li ON true`,
  },
  {
    // Every measure of the case started in the last 12 months meets deadline.plan_on_time (pending ones left out).
    id: 'formal.plan_on_time',
    sql: `WITH ${MEASURES},
      judged AS (SELECT cm.case_id, ${PLAN_LIMIT('cm.started')} AS limit_date, ${PLAN_IN_WINDOW('cm.person_id', 'cm.started')} AS has_plan
                 FROM cm WHERE ${PLAN_MEASURE('cm')} AND cm.started BETWEEN ${TWELVE_MONTHS_BEFORE_D} AND $2::date)
      SELECT case_id, count(*) FILTER (WHERE ${PLAN_JUDGED('has_plan', 'limit_date')}) AS judged, count(*) FILTER (WHERE has_plan) AS met
      FROM judged GROUP BY case_id`,
  },
  {
    // Every measure of the case decided (else started) in the last 12 months meets deadline.child_conversation.
    id: 'formal.child_conversation',
    sql: `WITH ${MEASURES}
      SELECT case_id, count(*) AS judged, count(*) FILTER (WHERE ${CHILD_CONVERSATION_HELD('cm.person_id', 'cm.decided', 'cm.started')}) AS met
      FROM cm WHERE ${PLAN_MEASURE('cm')} AND coalesce(cm.decided, cm.started) BETWEEN ${TWELVE_MONTHS_BEFORE_D} AND $2::date
      GROUP BY case_id`,
  },
  {
    // No measure of the case active at D (economic benefits left out) is in deadline.followup_overdue.
    id: 'formal.followup_on_time',
    sql: `WITH ${MEASURES}
      SELECT case_id, count(*) AS judged,
             count(*) FILTER (WHERE ${FOLLOWUP_DUE(LAST_FOLLOWUP('cm'), 'cm.started', 'cm.followup_cadence_months', '$4::int')} >= $2::date) AS met
      FROM cm WHERE ${DEADLINE_MEASURE('cm')} AND ${ACTIVE_AT('cm')}
      GROUP BY case_id`,
  },
  {
    // Placements only: the supervision.two_visits_share rule for the child, when a placement of
    // the case makes the child judged (active at D, started on or before D − 12 months).
    id: 'formal.supervision_visits',
    sql: `WITH ${MEASURES}
      SELECT cm.case_id, 1 AS judged, CASE WHEN ${TWO_VISITS_IN_12_MONTHS('cm.person_id')} THEN 1 ELSE 0 END AS met
      FROM cm WHERE ${PLACEMENT_FOR_TWO_VISITS('cm')}
      GROUP BY cm.case_id, cm.person_id`,
  },
  {
    // Placements only: at every supervision visit on the case's placements in the last 12 months
    // the caseworker talked alone with the child (not recorded counts as not). No visit: 'ikke_relevant'.
    id: 'formal.talked_alone',
    sql: `WITH ${MEASURES}
      SELECT cm.case_id, count(*) AS judged, count(*) FILTER (WHERE ${TALKED_ALONE('v')}) AS met
      FROM cm JOIN supervision_visit v ON v.municipality_code = $1 AND v.source = cm.source AND v.measure_id = cm.measure_id
      WHERE cm.family = 'placement' AND v.visit_date BETWEEN ${TWELVE_MONTHS_BEFORE_D} AND $2::date
      GROUP BY cm.case_id`,
  },
  {
    // Every notification on the child received in the last 12 months was assessed within 24 hours
    // (deadline.notification_24h; one still inside its 24 hours at the end of D is pending, left out).
    id: 'formal.notification_24h',
    sql: `WITH ${CASES},
      note AS (
        SELECT rc.case_id, n.received_at, ${ASSESSED_BY_D('n.assessed_at')} AS assessed_at
        FROM rc JOIN notification n ON n.municipality_code = $1 AND n.person_id = rc.person_id
        WHERE ${ON_LOCAL_DAYS('n.received_at', TWELVE_MONTHS_BEFORE_D, '$2::date')}
          AND n.received_at < ${END_OF_D})
      SELECT case_id, count(*) FILTER (WHERE ${NOTIFICATION_JUDGED('assessed_at', 'received_at')}) AS judged,
             count(*) FILTER (WHERE ${ASSESSED_IN_24H('assessed_at', 'received_at')}) AS met
      FROM note GROUP BY case_id`,
  },
  {
    // Every measure of the case active at D (placements and preventive ones) has a decision dated on or before its start.
    id: 'formal.decision_before_start',
    sql: `WITH ${MEASURES}
      SELECT case_id, count(*) AS judged, count(*) FILTER (WHERE ${DECIDED_BY_START('cm')}) AS met
      FROM cm WHERE ${PLAN_MEASURE('cm')} AND ${ACTIVE_AT('cm')}
      GROUP BY case_id`,
  },
];

/** A case of a source: a municipality running two case systems side by side may have a case number in both. */
export interface CaseKey {
  source: string;
  case: string;
}

/**
 * The formal answers for the cases of the municipality at D, each from its own source's records:
 * case number → item → answer (a round's case numbers are unique). Every case asked for gets every item.
 */
export async function formalAnswers(
  query: Query,
  municipality: number,
  asOf: string,
  cases: CaseKey[],
  settings: KpiSettings = DEFAULT_SETTINGS,
): Promise<Record<string, Record<FormalItemId, FormalAnswer>>> {
  const answers: Record<string, Record<string, FormalAnswer>> = {};
  for (const c of cases) answers[c.case] = Object.fromEntries(FORMAL_ITEMS.map((i) => [i.id, i.whenNone ?? 'ikke_relevant']));
  if (cases.length === 0) return answers;
  const params = [municipality, asOf, cases.map((c) => c.case), settings['followup.default_cadence_months'], cases.map((c) => c.source)];
  for (const item of FORMAL_ITEMS) {
    const rows = await query<{ case_id: string; judged: string | number; met: string | number }>(item.sql, params);
    for (const r of rows) {
      const judged = Number(r.judged);
      if (!answers[r.case_id] || judged === 0) continue;
      answers[r.case_id][item.id] = Number(r.met) >= judged ? 'ja' : 'nej';
    }
  }
  return answers;
}
