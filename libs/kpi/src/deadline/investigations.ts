import { defineKpi, fractionKpi } from '../types';
import { DEFAULT_SETTINGS } from '../settings';
import { caseTeamOf, IN_SCOPE, kpiParams, PARAMS } from '../sql';
import { INVESTIGATION_COMPLETED_BY_D, INVESTIGATION_DUE } from '@bu/rules';
import { groupByTeam, scopeFraction, shareCounts, teamColumn, type TeamFraction } from './team-counts';
import type { KpiContext, KpiListValue } from '../types';

// Børnefaglig undersøgelse: 4 months (SEL § 50 / BL § 20), "4 months" as calendar months, clamped
// to the month end (31-10 + 4 months = 28/29-02). Completion after D is not known at D. The case's
// team is looked up (caseTeamOf) for the investigations the statement keeps, when it shows or groups
// by the team or has a team scope.
export const INVESTIGATION = (ctx: KpiContext, reported: boolean) => `
  ${PARAMS},
  inv AS (
    SELECT i.investigation_id, i.source, i.case_id, i.started, ${INVESTIGATION_COMPLETED_BY_D('i.completed')} AS completed,
           ${INVESTIGATION_DUE('i.started')} AS due, ct.person_id, ct.team, ct.worker_id
    FROM investigation i ${caseTeamOf(ctx, 'i', reported)}
    WHERE i.municipality_code = $1 AND i.started <= $2::date
  )`;

/** deadline.investigation_4m's counts over the scope, or per team (./team-counts.ts). */
export const investigation4mCounts = (ctx: KpiContext, byTeam: boolean) =>
  shareCounts(ctx, 'deadline.investigation_4m', byTeam, (grouping) =>
    ctx.query<TeamFraction>(
      `WITH ${INVESTIGATION(ctx, grouping !== 'scope')}
       SELECT ${teamColumn(grouping)}count(*) FILTER (WHERE completed <= due)::int AS numerator, count(*)::int AS denominator
       FROM inv WHERE completed BETWEEN $3::date AND $4::date AND ${IN_SCOPE('inv')}
       ${groupByTeam(grouping)}`,
      kpiParams(ctx, (ctx.settings ?? DEFAULT_SETTINGS).intake_team),
    ),
  );

/** deadline.investigation_4m — share of investigations completed in P within start + 4 months. */
export const investigation4m = fractionKpi({
  id: 'deadline.investigation_4m',
  title: 'Børnefaglige undersøgelser afsluttet inden for 4 måneder',
  unit: 'share',
  shape: 'fraction',
  higherIsBetter: true,
  roles: ['teamleder', 'chef', 'admin'],
  fraction: async (ctx: KpiContext) => scopeFraction(await investigation4mCounts(ctx, false)),
});

export interface OverdueInvestigationRow {
  investigation: string;
  case: string;
  worker: string | null;
  team: string;
  started: string;
  due: string;
  daysOverdue: number;
}

/** deadline.investigation_overdue — not completed at D with start + 4 months < D; plus those due within 14 days. */
export const investigationOverdue = defineKpi({
  id: 'deadline.investigation_overdue',
  title: 'Børnefaglige undersøgelser over 4 måneder',
  unit: 'list',
  shape: 'list',
  fields: ['investigation', 'case', 'worker', 'team', 'started', 'due', 'daysOverdue'],
  higherIsBetter: false,
  roles: ['teamleder', 'chef', 'admin'],
  async compute(ctx: KpiContext): Promise<KpiListValue<OverdueInvestigationRow> & { dueSoon: KpiListValue<OverdueInvestigationRow> }> {
    const rows = await ctx.query<OverdueInvestigationRow>(
      `WITH ${INVESTIGATION(ctx, true)}
       SELECT investigation_id AS investigation, case_id AS "case", worker_id AS worker, team,
              to_char(started, 'YYYY-MM-DD') AS started, to_char(due, 'YYYY-MM-DD') AS due, ($2::date - due)::int AS "daysOverdue"
       FROM inv WHERE completed IS NULL AND due <= $2::date + 14 AND ${IN_SCOPE('inv')}
       ORDER BY "daysOverdue" DESC, case_id, investigation_id`,
      kpiParams(ctx, (ctx.settings ?? DEFAULT_SETTINGS).intake_team),
    );
    const overdue = rows.filter((r) => r.daysOverdue > 0);
    const soon = rows.filter((r) => r.daysOverdue <= 0);
    return { count: overdue.length, rows: overdue, dueSoon: { count: soon.length, rows: soon } };
  },
});
