import { fractionKpi } from '../types';
import { DEFAULT_SETTINGS } from '../settings';
import { caseTeam, END_OF_D, IN_SCOPE, kpiParams, ON_LOCAL_DAYS } from '../sql';
import { ASSESSED_BY_D, ASSESSED_IN_24H, NOTIFICATION_JUDGED } from './rules';
import { groupByTeam, scopeFraction, shareCounts, teamColumn, type TeamFraction } from './team-counts';
import type { KpiContext, KpiDefinition, KpiListValue } from '../types';

// Notifications: assessed within 24 hours = 86,400 elapsed seconds, whatever the clock change did.
// What is known by D: an assessment after the end of D is not known yet.
const NOTIFICATION_TEAM = (ctx: { readModels?: boolean }) => `
  ${caseTeam(ctx)},
  note AS (
    SELECT n.notification_id, n.case_id, n.received_at,
           ${ASSESSED_BY_D('n.assessed_at')} AS assessed_at,
           coalesce(ct.team, $6) AS team, ct.worker_id
    FROM notification n LEFT JOIN case_team ct ON ct.source = n.source AND ct.case_id = n.case_id
    WHERE n.municipality_code = $1
  )`;

/** deadline.notification_24h's counts over the scope, or per team (./team-counts.ts). */
export const notification24hCounts = (ctx: KpiContext, byTeam: boolean) =>
  shareCounts(ctx, 'deadline.notification_24h', byTeam, (grouping) =>
    ctx.query<TeamFraction>(
      `WITH ${NOTIFICATION_TEAM(ctx)}
       SELECT ${teamColumn(grouping)}count(*) FILTER (WHERE ${ASSESSED_IN_24H('assessed_at', 'received_at')})::int AS numerator,
              count(*) FILTER (WHERE ${NOTIFICATION_JUDGED('assessed_at', 'received_at')})::int AS denominator
       FROM note
       WHERE ${ON_LOCAL_DAYS('received_at', '$3::date', '$4::date')}
         AND received_at < ${END_OF_D} AND ${IN_SCOPE('note')}
       ${groupByTeam(grouping)}`,
      kpiParams(ctx, (ctx.settings ?? DEFAULT_SETTINGS).intake_team),
    ),
  );

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
      const window = overdue
        ? `received_at < ${END_OF_D} - interval '24 hours'`
        : `received_at >= ${END_OF_D} - interval '24 hours' AND received_at < ${END_OF_D}`;
      const rows = await ctx.query<OverdueNotificationRow>(
        `WITH ${NOTIFICATION_TEAM(ctx)}
         SELECT notification_id AS notification, case_id AS "case", worker_id AS worker, team,
                to_char(received_at AT TIME ZONE 'Europe/Copenhagen', 'YYYY-MM-DD"T"HH24:MI') AS received,
                to_char((received_at + interval '24 hours') AT TIME ZONE 'Europe/Copenhagen', 'YYYY-MM-DD"T"HH24:MI') AS due,
                ($2::date - ((received_at + interval '24 hours') AT TIME ZONE 'Europe/Copenhagen')::date)::int AS "daysOverdue"
         FROM note
         WHERE assessed_at IS NULL AND ${window} AND ${IN_SCOPE('note')}
         ORDER BY "daysOverdue" DESC, case_id, notification_id`,
        kpiParams(ctx, (ctx.settings ?? DEFAULT_SETTINGS).intake_team),
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
