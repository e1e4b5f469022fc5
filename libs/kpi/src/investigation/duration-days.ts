import { DEFAULT_SETTINGS } from '../settings';
import { INVESTIGATION } from '../deadline/investigations';
import { INVESTIGATION_COMPLETED_BY_D } from '../deadline/rules';
import { IN_SCOPE, kpiParams, PARAMS } from '../sql';
import { defineKpi, type KpiContext } from '../types';

/**
 * INVESTIGATION when there is no team scope: the investigations of the municipality's cases, as
 * INVESTIGATION joins them, with the child but not the case's team at D. Without a scope nothing
 * reads the team, and its look-up is most of the statement's cost.
 */
const UNSCOPED_INVESTIGATION = `
  ${PARAMS},
  inv AS (
    SELECT c.person_id, i.started, ${INVESTIGATION_COMPLETED_BY_D('i.completed')} AS completed
    FROM investigation i JOIN child_case c ON c.municipality_code = $1 AND c.source = i.source AND c.case_id = i.case_id
    WHERE i.municipality_code = $1 AND i.started <= $2::date
  )`;

const unscoped = (ctx: KpiContext) => ctx.teams == null;

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
      `WITH ${unscoped(ctx) ? UNSCOPED_INVESTIGATION : INVESTIGATION(ctx)}
       SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY completed - started)::float AS median
       FROM inv WHERE completed BETWEEN $3::date AND $4::date${unscoped(ctx) ? '' : ` AND ${IN_SCOPE('inv')}`}`,
      kpiParams(ctx, (ctx.settings ?? DEFAULT_SETTINGS).intake_team),
    );
    return r.median;
  },
  // The children the median rests on: the committee sees a goal on it only from 5 children on.
  async children(ctx: KpiContext) {
    const [r] = await ctx.query<{ n: number }>(
      unscoped(ctx)
        ? `WITH ${UNSCOPED_INVESTIGATION}
           SELECT count(DISTINCT person_id)::int AS n FROM inv WHERE completed BETWEEN $3::date AND $4::date`
        : `WITH ${INVESTIGATION(ctx)}
           SELECT count(DISTINCT c.person_id)::int AS n
           FROM inv JOIN child_case c ON c.municipality_code = $1 AND c.source = inv.source AND c.case_id = inv.case_id
           WHERE completed BETWEEN $3::date AND $4::date AND ${IN_SCOPE('inv')}`,
      kpiParams(ctx, (ctx.settings ?? DEFAULT_SETTINGS).intake_team),
    );
    return r.n;
  },
});
