import { addMonths } from '@bu/domain';
import { fractionKpi } from '../types';
import { DEFAULT_SETTINGS } from '../settings';
import { heldDayRows } from '../read-models';
import { caseTeam, END_OF_D, IN_SCOPE, kpiParams, ON_LOCAL_DAYS, PARAMS } from '../sql';
import { ASSESSED_BY_D, ASSESSED_IN_24H, NOTIFICATION_JUDGED } from '@bu/rules';
import { groupByTeam, scopeFraction, shareCounts, teamColumn, type Grouping, type TeamFraction } from './team-counts';
import type { KpiContext, KpiDefinition, KpiListValue } from '../types';

// Notifications: assessed within 24 hours = 86,400 elapsed seconds, whatever the clock change did.
// What is known by D: an assessment after the end of D is not known yet.
const NOTIFICATION_TEAM = (ctx: { readModels?: boolean }) => `
  ${caseTeam(ctx)},
  note AS (
    SELECT n.source, n.notification_id, n.case_id, n.received_at,
           ${ASSESSED_BY_D('n.assessed_at')} AS assessed_at,
           coalesce(ct.team, $6) AS team, ct.worker_id
    FROM notification n LEFT JOIN case_team ct ON ct.source = n.source AND ct.case_id = n.case_id
    WHERE n.municipality_code = $1
  )`;

/**
 * P is whole months ending at D, within the twelve months notification_month_day holds at a day
 * (ADR 0104): its first month, the first day of D's month or of one of the eleven before, and D.
 */
const monthsUpToD = (ctx: KpiContext) =>
  ctx.period.to === ctx.asOf &&
  ctx.period.from.endsWith('-01') &&
  ctx.period.from <= ctx.asOf &&
  ctx.period.from >= addMonths(`${ctx.asOf.slice(0, 8)}01`, -11);

/**
 * The counts from notification_month_day: its months from P's first on, at D; the same aggregate
 * and grouping, each row marked whether caseload_day holds D. A day not held has no rows to sum,
 * so its counts are not these (nor are a held day's grouped by team when there is no row: both are
 * counted from the notifications).
 */
const NOTIFICATION_MONTHS = (grouping: Grouping) => `
  WITH ${PARAMS},
  note AS (
    SELECT coalesce(r.team, $6) AS team, r.judged, r.assessed_in_24h FROM notification_month_day r
    WHERE r.municipality_code = $1 AND r.day = $2::date AND r.month >= $3::date
  )
  SELECT ${teamColumn(grouping)}coalesce(sum(assessed_in_24h), 0)::int AS numerator, coalesce(sum(judged), 0)::int AS denominator,
         (SELECT EXISTS (SELECT 1 FROM caseload_day h WHERE h.municipality_code = $1 AND h.day = $2::date)) AS held
  FROM note WHERE ${IN_SCOPE('note')}
  ${groupByTeam(grouping)}`;

/** deadline.notification_24h's counts over the scope, or per team (./team-counts.ts). */
export const notification24hCounts = (ctx: KpiContext, byTeam: boolean) =>
  shareCounts(ctx, 'deadline.notification_24h', byTeam, async (grouping) => {
    const params = kpiParams(ctx, (ctx.settings ?? DEFAULT_SETTINGS).intake_team);
    if (ctx.readModels && monthsUpToD(ctx)) {
      const held = await ctx.query<TeamFraction & { held: boolean }>(NOTIFICATION_MONTHS(grouping), params);
      if (held[0]?.held) return held.map(({ held: _, ...row }) => row);
    }
    return ctx.query<TeamFraction>(
      `WITH ${NOTIFICATION_TEAM(ctx)}
       SELECT ${teamColumn(grouping)}count(*) FILTER (WHERE ${ASSESSED_IN_24H('assessed_at', 'received_at')})::int AS numerator,
              count(*) FILTER (WHERE ${NOTIFICATION_JUDGED('assessed_at', 'received_at')})::int AS denominator
       FROM note
       WHERE ${ON_LOCAL_DAYS('received_at', '$3::date', '$4::date')}
         AND received_at < ${END_OF_D} AND ${IN_SCOPE('note')}
       ${groupByTeam(grouping)}`,
      params,
    );
  });

/** deadline.notification_24h — share of notifications received in P assessed within 24 hours; young unassessed ones are pending. */
export const notification24h = fractionKpi({
  id: 'deadline.notification_24h',
  title: 'Underretninger vurderet inden for 24 timer',
  unit: 'share',
  shape: 'fraction',
  higherIsBetter: true,
  roles: ['teamleder', 'chef', 'admin'],
  fraction: async (ctx: KpiContext) => scopeFraction(await notification24hCounts(ctx, false)),
});

export interface OverdueNotificationRow {
  notification: string;
  case: string | null;
  worker: string | null;
  team: string;
  received: string;
  due: string;
  daysOverdue: number;
}

/** A listed notification's receipt, its 24 hours' end and the days since, from its receipt `received`. */
const LISTED = (received: string) => `
  to_char(${received} AT TIME ZONE 'Europe/Copenhagen', 'YYYY-MM-DD"T"HH24:MI') AS received,
  to_char((${received} + interval '24 hours') AT TIME ZONE 'Europe/Copenhagen', 'YYYY-MM-DD"T"HH24:MI') AS due,
  ($2::date - ((${received} + interval '24 hours') AT TIME ZONE 'Europe/Copenhagen')::date)::int AS "daysOverdue"`;

/**
 * The list from unassessed_notification_day (ADR 0104) at a day caseload_day holds: its rows in the
 * window, in the statement's order, the window and the team filter in the join so that a held day
 * with no row still answers with one row with no notification. A day not held answers with none.
 */
const UNASSESSED_READ_MODEL = (window: string) => `
  WITH ${PARAMS}
  SELECT u.notification_id AS notification, u.case_id AS "case", u.worker_id AS worker, coalesce(u.team, $6) AS team, ${LISTED('u.received_at')}
  FROM caseload_day h
  LEFT JOIN unassessed_notification_day u ON u.municipality_code = h.municipality_code AND u.day = h.day
    AND ${window} AND ($5::text[] IS NULL OR coalesce(u.team, $6) = ANY($5::text[]))
  WHERE h.municipality_code = $1 AND h.day = $2::date
  ORDER BY "daysOverdue" DESC, u.case_id, u.notification_id, u.source`;

/** Notifications not assessed by D, as work-list rows: those overdue, or those whose 24 hours run out after D. */
function unassessed<const Id extends string>(
  id: Id,
  title: string,
  overdue: boolean,
): KpiDefinition<KpiListValue<OverdueNotificationRow>, Id> {
  return {
    id,
    title,
    unit: 'list',
    shape: 'list',
    fields: ['notification', 'case', 'worker', 'team', 'received', 'due', 'daysOverdue'],
    higherIsBetter: false,
    roles: ['teamleder', 'chef', 'admin'],
    async compute(ctx: KpiContext) {
      const window = (received: string) =>
        overdue
          ? `${received} < ${END_OF_D} - interval '24 hours'`
          : `${received} >= ${END_OF_D} - interval '24 hours' AND ${received} < ${END_OF_D}`;
      const rows = await heldDayRows<OverdueNotificationRow>(
        ctx,
        {
          readModel: UNASSESSED_READ_MODEL(window('u.received_at')),
          facts: `WITH ${NOTIFICATION_TEAM(ctx)}
           SELECT notification_id AS notification, case_id AS "case", worker_id AS worker, team, ${LISTED('received_at')}
           FROM note
           WHERE assessed_at IS NULL AND ${window('received_at')} AND ${IN_SCOPE('note')}
           ORDER BY "daysOverdue" DESC, case_id, notification_id, source`,
        },
        kpiParams(ctx, (ctx.settings ?? DEFAULT_SETTINGS).intake_team),
        (r) => r.notification !== null,
      );
      return { count: rows.length, rows };
    },
  };
}

/** deadline.notification_overdue — received by D, not assessed by D, received more than 24 hours before the end of D. */
export const notificationOverdue = unassessed('deadline.notification_overdue', 'Underretninger ikke vurderet inden for 24 timer', true);

/**
 * deadline.notification_due_soon (beyond the catalogue: the soon-due list) — received by D, not
 * assessed by D, and received within the 24 hours before the end of D: pending, due after D.
 */
export const notificationDueSoon = unassessed(
  'deadline.notification_due_soon',
  'Underretninger, hvis 24 timer udløber efter opgørelsesdatoen',
  false,
);
