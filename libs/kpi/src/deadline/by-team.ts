import { DEFAULT_SETTINGS } from '../settings';
import { defineKpi, fractionValue, type Fraction, type KpiContext, type KpiDefinition } from '../types';
import { investigation4m, investigation4mCounts } from './investigations';
import { childConversation, childConversationCounts, planOnTime, planOnTimeCounts } from './measures';
import { notification24h, notification24hCounts } from './notifications';
import { teamFractions, type TeamFraction } from './team-counts';

/** A share: its KPI, and its counts over the scope or grouped by team (the KPI's own statement). */
interface Share {
  kpi: KpiDefinition<number | null>;
  counts: (ctx: KpiContext, byTeam: boolean) => Promise<TeamFraction[]>;
}

const SHARES = {
  notification_24h: { kpi: notification24h, counts: notification24hCounts },
  investigation_4m: { kpi: investigation4m, counts: investigation4mCounts },
  plan_on_time: { kpi: planOnTime, counts: planOnTimeCounts },
  child_conversation: { kpi: childConversation, counts: childConversationCounts },
} satisfies Record<string, Share>;
type ShareKey = keyof typeof SHARES;

/**
 * Per team: each deadline share, and under `basis` the two counts behind each share that has any
 * (so a share of few can say "2 af 4"; the committee does not read this KPI).
 */
export type TeamCompliance = Record<ShareKey, number | null> & { basis: Partial<Record<ShareKey, Fraction>> };

/**
 * deadline.compliance_by_team — the deadline shares per team (the teams of the caseworkers and
 * the intake team), each computed exactly as its own KPI with the team as scope: one statement per
 * share grouped by the team of the case at D, within the caller's scope (ADR 0076).
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
    const result: Record<string, TeamCompliance> = Object.fromEntries(teams.map((t) => [t, { basis: {} } as TeamCompliance]));
    for (const [key, share] of Object.entries(SHARES) as [ShareKey, Share][]) {
      const perTeam = teamFractions(await share.counts(ctx, true));
      for (const team of teams) {
        const counts = perTeam.get(team) ?? { numerator: 0, denominator: 0 };
        result[team][key] = fractionValue(counts, share.kpi.scale);
        if (counts.denominator !== 0) result[team].basis[key] = counts;
      }
    }
    return result;
  },
});
