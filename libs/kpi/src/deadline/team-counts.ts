import type { Fraction } from '../types';

// A deadline share's counts over the scope ($5), or per team in the same statement: the team
// breakdown (deadline.compliance_by_team) asks each share once, grouped by the team of the case at
// D, instead of once per team (each time working out every case's team at D again).

/** The counts of one team, or of the whole scope when not grouped. */
export type TeamFraction = Fraction & { team?: string };

/** The select list's leading team column, when grouped. */
export const teamColumn = (byTeam: boolean) => (byTeam ? 'team, ' : '');

/** The GROUP BY, when grouped. */
export const groupByTeam = (byTeam: boolean) => (byTeam ? 'GROUP BY team' : '');

/** The counts of the scope: an aggregate without GROUP BY returns exactly one row. */
export const scopeFraction = ([r]: TeamFraction[]): Fraction => ({ numerator: r.numerator, denominator: r.denominator });

/** The counts per team; a team without a row has nothing to count (0 of 0). */
export const teamFractions = (rows: TeamFraction[]): Map<string, Fraction> =>
  new Map(rows.map((r) => [r.team!, { numerator: r.numerator, denominator: r.denominator }]));
