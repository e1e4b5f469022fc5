// The contracts' own types and values, without zod: what the dashboard's bundle may hold (browser.ts).
import type { Role } from '@bu/domain';

export type { Role };

export const API_PREFIX = '/api/v1';

export interface LoginRequest {
  username: string;
  password: string;
  /** The authenticator app's one-time code, once the API has asked for it (ADR 0116). */
  code?: string;
}

/**
 * Where a password login with a second factor stopped (ADR 0116), in the refusal's `secondFactor`:
 * the code is asked for, the one given was wrong, or the username's wrong codes wait (429).
 */
export const LOGIN_STEPS = ['code-needed', 'code-wrong', 'code-blocked'] as const;
export type LoginStep = (typeof LOGIN_STEPS)[number];
export const isLoginStep = (value: unknown): value is LoginStep => (LOGIN_STEPS as readonly unknown[]).includes(value);

/** A value withheld by small-cell suppression: the real number is never sent. */
export interface Suppressed {
  suppressed: true;
}

/** A list KPI: the total and the rows behind it. */
export interface KpiList<Row = Record<string, unknown>> {
  count: number;
  rows: Row[];
  /**
   * Asked without `limit`, a list longer than one page (1000 rows) comes cut to its first page:
   * true, with `count` still the whole list's. Ask the rest with `offset` and `limit`.
   */
  truncated?: boolean;
}

export type KpiScalar = number | null | Suppressed;
export type KpiValue = KpiScalar | Record<string, KpiScalar> | KpiList | Record<string, unknown>;

/** GET /api/v1/kpis/<id>/series: the KPI per month or year (D = the period's last day, or D itself for the last). */
export type Light = 'green' | 'yellow' | 'red';

/** budget.function, per account function. */
export interface BudgetLine {
  name: string | null;
  /** Corrected budget B: the latest month's value in D's year. */
  budget: number | null;
  /** Month m: the newest month ≤ D's month with data for the function. */
  month: number | null;
  /** Spend to date S through month m. */
  spent: number | null;
  lastYear: number | null;
  forecastLinear: number | null;
  /** Suppressed for the committee when the active measures it adds rest on 1-4 children. */
  forecastActivity: number | null | Suppressed;
  /** The forecast chosen by the setting budget.forecast (suppressed with the activity forecast it is). */
  forecast: number | null | Suppressed;
  deviation: number | null | Suppressed;
  deviationShare: number | null | Suppressed;
  /** None for the committee when the forecast it rests on is suppressed. */
  light: Light | null;
  /**
   * The children with measures active at the end of month m booked on the function (what the
   * activity forecast rests on); null without a month m. Not sent to the committee.
   */
  activeChildren?: number | null;
}

/** goal.status, one element per goal in force. */
export interface GoalStatus {
  id: number;
  title: string;
  policyText: string | null;
  kpi: string;
  direction: '>=' | '<=';
  target: number;
  tolerance: number;
  value: number | null | Suppressed;
  status: Light | null;
  /** The same KPI for each of the previous three years (D = 31 December, P = that year). */
  previousYears: Record<string, number | null | Suppressed>;
  /**
   * What the value and each previous year's value rest on: for a share or rate the two counts
   * (numerator / denominator; null where there was nothing to divide), for an amount in kr. or days
   * the number of children. Absent for a count. Not sent to the committee.
   */
  basis?: { value: GoalBasis; previousYears: Record<string, GoalBasis> };
}

export type GoalBasis = { numerator: number; denominator: number } | { children: number } | null;

/** benchmark.<kpi>. */
export interface Benchmark {
  /** The statistics year compared: the latest with the indicator published for the own municipality. */
  year: number | null;
  /** The own value in the published statistics. */
  own: number | null;
  /** The own figure computed live from case data (labelled as such in the UI), for D and P. */
  ownLive: number | null;
  /** The population band the published figures are divided by (befolkning.csv ALDER): '0-17 år' or '0-22 år'. */
  band: string;
  /** The band the own live figure is divided by; null without a live figure. */
  liveBand: string | null;
  /** Every municipality in the comparison group with a value that year, own included: code → value. */
  group: Record<string, number>;
  count: number;
  median: number | null;
  q1: number | null;
  q3: number | null;
  /** Rank 1 is the highest value. */
  rank: number | null;
  higherIsBetter: boolean | null;
}

/** effect.change: shares are fractions, null when there are no children. */
export interface EffectGroup {
  children: number;
  meanChange: number | null;
  improved: number | null;
  unchanged: number | null;
  worsened: number | null;
}

export interface EffectChange extends EffectGroup {
  byMeasureType: Record<string, EffectGroup>;
}
