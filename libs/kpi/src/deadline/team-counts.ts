import { shared, type Fraction, type KpiContext } from '../types';

// A deadline share's counts over the scope ($5), or per team in the same statement: the team
// breakdown (deadline.compliance_by_team) asks each share once, grouped by the team of the case at
// D, instead of once per team (each time working out every case's team at D again). With the
// answer's memo, a share's counts over the scope and per team come from one statement (grouping
// sets), so the share's own KPI and the breakdown in one answer count the rows once.

/** The counts of one team, or of the whole scope when not grouped. */
export type TeamFraction = Fraction & { team?: string };

/** How a share's statement groups: over the scope, per team, or both at once (`total` marks the scope's row). */
export type Grouping = 'scope' | 'team' | 'both';

/** The select list's leading team column, when grouped. */
export const teamColumn = (grouping: Grouping) =>
  grouping === 'scope' ? '' : grouping === 'team' ? 'team, ' : 'team, GROUPING(team) = 1 AS total, ';

/** The GROUP BY, when grouped. */
export const groupByTeam = (grouping: Grouping) =>
  grouping === 'scope' ? '' : grouping === 'team' ? 'GROUP BY team' : 'GROUP BY GROUPING SETS ((team), ())';

/**
 * A share's counts over the scope (one row) or per team, from `counts` run with that grouping
 * (`alone`: for this share only); with the answer's memo, from one run with both groupings under
 * `key` (which may count several shares: `pick` takes this one's). Each is the same aggregate over
 * the same rows as when run alone (the empty grouping set gives its one row even with no rows).
 */
export async function shareCounts<R extends { team?: string; total?: boolean }>(
  ctx: KpiContext,
  key: string,
  byTeam: boolean,
  counts: (grouping: Grouping, alone: boolean) => Promise<R[]>,
  pick: (row: R) => Fraction = (row) => row as unknown as Fraction,
): Promise<TeamFraction[]> {
  const rows = ctx.shared
    ? (await shared(ctx, `counts|${key}`, () => counts('both', false))).filter((r) => r.total !== byTeam)
    : await counts(byTeam ? 'team' : 'scope', true);
  return rows.map((r) => {
    const { numerator, denominator } = pick(r);
    return byTeam ? { team: r.team, numerator, denominator } : { numerator, denominator };
  });
}

/** The counts of the scope: an aggregate without GROUP BY returns exactly one row. */
export const scopeFraction = ([r]: TeamFraction[]): Fraction => ({ numerator: r.numerator, denominator: r.denominator });

/** The counts per team; a team without a row has nothing to count (0 of 0). */
export const teamFractions = (rows: TeamFraction[]): Map<string, Fraction> =>
  new Map(rows.map((r) => [r.team!, { numerator: r.numerator, denominator: r.denominator }]));
