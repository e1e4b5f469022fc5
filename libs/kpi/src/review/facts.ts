import { END_OF_D } from '../sql';
import { DEFAULT_SETTINGS, type KpiSettings } from '../settings';
import type { Query } from '../types';
import {
  ASSESSED_BY_D,
  ASSESSED_IN_24H,
  DEADLINE_MEASURE,
  FOLLOWUP_DUE,
  INVESTIGATION_COMPLETED_BY_D,
  INVESTIGATION_DUE,
  LAST_FOLLOWUP,
} from '@bu/rules';

// What the product knows of one case at a review round's date D, for the reviewer's page: the
// same records the formal items are answered from, known by D (a later record is not shown, as
// no KPI at D counts it), with the deadlines worked out by the KPIs' own rules.

type Fact = Record<string, string | number | boolean | null>;

export interface CaseFacts {
  opened: string;
  closed: string | null;
  area: string;
  measures: Fact[];
  investigations: Fact[];
  plans: Fact[];
  conversations: Fact[];
  followups: Fact[];
  visits: Fact[];
  notifications: Fact[];
}

const day = (expr: string) => `to_char(${expr}, 'YYYY-MM-DD')`;
const local = (expr: string) => `to_char(${expr} AT TIME ZONE 'Europe/Copenhagen', 'YYYY-MM-DD"T"HH24:MI')`;

/** The case and its child; $1 municipality, $2 D, $3 source, $4 case number, $5 default follow-up cadence. */
const CASE = `params AS (SELECT $2::date AS as_of, $5::int AS cadence),
  rc AS (SELECT * FROM child_case WHERE municipality_code = $1 AND source = $3 AND case_id = $4),
  child_cases AS (SELECT c.source, c.case_id FROM child_case c JOIN rc ON c.person_id = rc.person_id WHERE c.municipality_code = $1)`;

/** The case's facts at D; null when the municipality has no such case. */
export async function caseFacts(
  query: Query,
  municipality: number,
  asOf: string,
  source: string,
  caseId: string,
  settings: KpiSettings = DEFAULT_SETTINGS,
): Promise<CaseFacts | null> {
  const params = [municipality, asOf, source, caseId, settings['followup.default_cadence_months']];
  const [c] = await query<{ opened: string; closed: string | null; area: string }>(
    `WITH ${CASE} SELECT ${day('opened')} AS opened, ${day('closed')} AS closed, area FROM rc`,
    params,
  );
  if (!c) return null;
  const measures = await query<Fact>(
    `WITH ${CASE}
     SELECT m.measure_id AS measure, m.measure_type AS "measureType", m.family, m.law, m.paragraph, ${day('m.decided')} AS decided,
            ${day('m.started')} AS started, ${day('m.ended')} AS ended,
            CASE WHEN ${DEADLINE_MEASURE('m')} AND (m.ended IS NULL OR m.ended >= $2::date)
                 THEN ${day(FOLLOWUP_DUE(LAST_FOLLOWUP('m'), 'm.started', 'm.followup_cadence_months', '$5::int'))} END AS "followupDue"
     FROM measure m JOIN rc ON rc.source = m.source AND rc.case_id = m.case_id
     WHERE m.municipality_code = $1 AND m.started <= $2::date ORDER BY m.started, m.measure_id`,
    params,
  );
  const investigations = await query<Fact>(
    `WITH ${CASE}
     SELECT i.investigation_id AS investigation, i.case_id AS case, ${day('i.started')} AS started,
            ${day(INVESTIGATION_COMPLETED_BY_D('i.completed'))} AS completed, ${day(INVESTIGATION_DUE('i.started'))} AS due
     FROM investigation i JOIN child_cases cc ON cc.source = i.source AND cc.case_id = i.case_id
     WHERE i.municipality_code = $1 AND i.started <= $2::date ORDER BY i.started, i.investigation_id`,
    params,
  );
  const plans = await query<Fact>(
    `WITH ${CASE}
     SELECT p.plan_id AS plan, p.case_id AS case, ${day('p.plan_date')} AS date, p.plan_type AS type
     FROM action_plan p JOIN child_cases cc ON cc.source = p.source AND cc.case_id = p.case_id
     WHERE p.municipality_code = $1 AND p.plan_date <= $2::date ORDER BY p.plan_date, p.plan_id`,
    params,
  );
  const conversations = await query<Fact>(
    `WITH ${CASE}
     SELECT b.case_id AS case, ${day('b.conversation_date')} AS date, b.occasion
     FROM child_conversation b JOIN child_cases cc ON cc.source = b.source AND cc.case_id = b.case_id
     WHERE b.municipality_code = $1 AND b.conversation_date <= $2::date ORDER BY b.conversation_date, b.occasion`,
    params,
  );
  const followups = await query<Fact>(
    `WITH ${CASE}
     SELECT f.measure_id AS measure, ${day('f.followup_date')} AS date
     FROM followup f JOIN measure m ON m.municipality_code = f.municipality_code AND m.source = f.source AND m.measure_id = f.measure_id
     JOIN rc ON rc.source = m.source AND rc.case_id = m.case_id
     WHERE f.municipality_code = $1 AND f.followup_date <= $2::date ORDER BY f.followup_date, f.measure_id`,
    params,
  );
  const visits = await query<Fact>(
    `WITH ${CASE}
     SELECT v.measure_id AS measure, ${day('v.visit_date')} AS date, v.talked_alone AS "talkedAlone"
     FROM supervision_visit v JOIN measure m ON m.municipality_code = v.municipality_code AND m.source = v.source AND m.measure_id = v.measure_id
     JOIN rc ON rc.source = m.source AND rc.case_id = m.case_id
     WHERE v.municipality_code = $1 AND v.visit_date <= $2::date ORDER BY v.visit_date, v.measure_id`,
    params,
  );
  const notifications = await query<Fact>(
    `WITH ${CASE}, note AS (
       SELECT n.notification_id, n.received_at, ${ASSESSED_BY_D('n.assessed_at')} AS assessed_at
       FROM notification n JOIN rc ON rc.person_id = n.person_id
       WHERE n.municipality_code = $1 AND n.received_at < ${END_OF_D})
     SELECT notification_id AS notification, ${local('received_at')} AS received, ${local('assessed_at')} AS assessed,
            ${ASSESSED_IN_24H('assessed_at', 'received_at')} AS "within24h"
     FROM note ORDER BY received_at, notification_id`,
    params,
  );
  return { ...c, measures, investigations, plans, conversations, followups, visits, notifications };
}
