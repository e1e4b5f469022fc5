import { DEFAULT_SETTINGS } from '../settings';
import { defineKpi, fractionValue, type Fraction, type KpiContext, type KpiDefinition } from '../types';
import { investigation4m } from './investigations';
import { childConversation, planOnTime } from './measures';
import { notification24h } from './notifications';

const SHARES = {
  notification_24h: notification24h,
  investigation_4m: investigation4m,
  plan_on_time: planOnTime,
  child_conversation: childConversation,
};

/**
 * Per team: each deadline share, and under `basis` the two counts behind each share that has any
 * (so a share of few can say "2 af 4"; the committee does not read this KPI).
 */
export type TeamCompliance = Record<keyof typeof SHARES, number | null> & { basis: Partial<Record<keyof typeof SHARES, Fraction>> };

/**
 * deadline.compliance_by_team — the deadline shares per team (the teams of the caseworkers and
 * the intake team), each computed exactly as its own KPI with the team as scope.
 */
export const complianceByTeam = defineKpi({
  id: 'deadline.compliance_by_team',
  title: 'Overholdte frister pr. team',
  unit: 'share',
  shape: 'team-shares',
  higherIsBetter: true,
  roles: ['teamleder', 'chef', 'admin'],
  async compute(ctx: KpiContext): Promise<Record<string, TeamCompliance>> {
    const intake = (ctx.settings ?? DEFAULT_SETTINGS).intake_team;
    const rows = await ctx.query<{ team: string }>(
      `SELECT DISTINCT team FROM caseworker WHERE municipality_code = $1 AND team IS NOT NULL
       UNION SELECT $2::text ORDER BY team`,
      [ctx.municipality, intake],
    );
    const teams = rows.map((r) => r.team).filter((t) => !ctx.teams || ctx.teams.includes(t));
    const result: Record<string, TeamCompliance> = {};
    for (const team of teams) {
      const scoped = { ...ctx, teams: [team] };
      const entry = { basis: {} } as TeamCompliance;
      for (const [key, kpi] of Object.entries(SHARES) as [keyof typeof SHARES, KpiDefinition<number | null>][]) {
        const counts = await kpi.fraction!(scoped);
        entry[key] = fractionValue(counts, kpi.scale);
        if (counts && counts.denominator !== 0) entry.basis[key] = counts;
      }
      result[team] = entry;
    }
    return result;
  },
});
