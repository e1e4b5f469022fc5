// The unit and the shape of a KPI's value, shared by the KPI library (which declares them) and the
// dashboards (which may draw a value only with a chart its shape allows).

export type KpiUnit = 'count' | 'share' | 'days' | 'kr' | 'ratio' | 'list';

/**
 * What a KPI's value looks like:
 * - number: one number (or null);
 * - fraction: a share or rate computed from two counts (or null);
 * - per-caseworker: a number per caseworker id;
 * - breakdown: a number (or an object of numbers) per key, e.g. per measure type;
 * - list: a work list, `{ count, rows }`;
 * - team-shares: the deadline shares per team;
 * - effect: effect.change's groups;
 * - benchmark: the own value against other municipalities';
 * - budget-table: a budget line per account function;
 * - series: per year (and for the spend curve the budget and the forecast), twelve monthly amounts;
 * - years: a set of counts per year;
 * - goals: the political goals with their lights.
 */
export type KpiShape =
  | 'number'
  | 'fraction'
  | 'per-caseworker'
  | 'breakdown'
  | 'list'
  | 'team-shares'
  | 'effect'
  | 'benchmark'
  | 'budget-table'
  | 'series'
  | 'years'
  | 'goals';
