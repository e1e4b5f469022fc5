import { DEFAULT_SETTINGS } from '../settings';
import { INVESTIGATION } from '../deadline/investigations';
import { IN_SCOPE, kpiParams } from '../sql';
import { defineKpi, type KpiContext } from '../types';

// The median neither shows nor groups by the team: INVESTIGATION looks the team up only for a
// team scope (caseTeamOf), and always carries the child.

/** investigation.duration_days — median days from start to completion of investigations completed in P. */
export const investigationDuration = defineKpi({
  id: 'investigation.duration_days',
  title: 'Varighed af børnefaglige undersøgelser (median, dage)',
  unit: 'days',
  shape: 'number',
  higherIsBetter: false,
  roles: ['teamleder', 'chef', 'admin'],
  async compute(ctx: KpiContext) {
    const [r] = await ctx.query<{ median: number | null }>(
      `WITH ${INVESTIGATION(ctx, false)}
       SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY completed - started)::float AS median
       FROM inv WHERE completed BETWEEN $3::date AND $4::date AND ${IN_SCOPE('inv')}`,
      kpiParams(ctx, (ctx.settings ?? DEFAULT_SETTINGS).intake_team),
    );
    return r.median;
  },
  // The children the median rests on: the committee sees a goal on it only from 5 children on.
  async children(ctx: KpiContext) {
    const [r] = await ctx.query<{ n: number }>(
      `WITH ${INVESTIGATION(ctx, false)}
       SELECT count(DISTINCT person_id)::int AS n FROM inv WHERE completed BETWEEN $3::date AND $4::date AND ${IN_SCOPE('inv')}`,
      kpiParams(ctx, (ctx.settings ?? DEFAULT_SETTINGS).intake_team),
    );
    return r.n;
  },
});
