import type { Role } from '@bu/domain';
import type { KpiShape, KpiUnit } from '@bu/contracts';
import type { KpiSettings } from './settings';

export type { KpiShape, KpiUnit };

/** Runs SQL; the API passes its TypeORM DataSource's query, tests a pg pool's. */
export type Query = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;

export interface KpiContext {
  query: Query;
  municipality: number;
  /** As-of date D (YYYY-MM-DD). */
  asOf: string;
  /** Period P, both ends inclusive. */
  period: { from: string; to: string };
  /** Team scope for a team leader; undefined = every team. */
  teams?: string[];
  /** The municipality's settings; the defaults when absent. */
  settings?: KpiSettings;
  /** Benchmarks: the municipalities to compare with (the own one is always in); undefined = all. */
  comparisonGroup?: number[];
  /**
   * The municipality's read models are built from the data in force by these builds
   * (readModelsCurrent): the KPIs that have a read-model path read them. Either path gives the
   * same answer (ADR 0074).
   */
  readModels?: boolean;
  /**
   * The answer's memo (`answerMemo()`): a sub-result that several KPIs of one answer need (the
   * budget lines, a share's counts) is computed once. Read through `shared`. Absent: computed
   * wherever asked.
   */
  shared?: Memo;
}

/** A memo of sub-results for one answer; see KpiContext.shared and `shared`. */
export type Memo = <T>(ctx: KpiContext, key: string, compute: () => Promise<T>) => Promise<T>;

/**
 * A fresh memo for one answer. A result is kept under its key and everything in the context it
 * may depend on (municipality, D, P, teams, comparison group, read models, and the settings
 * object itself), so a context that differs in any of them never takes another's result.
 */
export function answerMemo(): Memo {
  const bySettings = new Map<unknown, Map<string, Promise<unknown>>>();
  return <T>(ctx: KpiContext, key: string, compute: () => Promise<T>): Promise<T> => {
    let memo = bySettings.get(ctx.settings);
    if (!memo) bySettings.set(ctx.settings, (memo = new Map<string, Promise<unknown>>()));
    const full = JSON.stringify([
      key,
      ctx.municipality,
      ctx.asOf,
      ctx.period.from,
      ctx.period.to,
      ctx.teams ?? null,
      ctx.comparisonGroup ?? null,
      ctx.readModels === true,
    ]);
    let result = memo.get(full) as Promise<T> | undefined;
    if (!result) memo.set(full, (result = compute()));
    return result;
  };
}

/** A KPI's value once per answer and context: the answer's own and a goal's on the same KPI are one. */
export function computeOnce<V>(kpi: KpiDefinition<V>, ctx: KpiContext): Promise<V> {
  return shared(ctx, `value|${kpi.id}`, () => kpi.compute(ctx));
}

/** `compute()` once per answer and context (see answerMemo); every time when the context has no memo. */
export function shared<T>(ctx: KpiContext, key: string, compute: () => Promise<T>): Promise<T> {
  return ctx.shared ? ctx.shared(ctx, key, compute) : compute();
}

export interface KpiDefinition<V = unknown, Id extends string = string> {
  /** The catalogue id (KPIS.md), written out literally at the declaration: KpiId is the union of them. */
  id: Id;
  /** Danish label; a dashboard figure shows it unless it has a title of its own. */
  title: string;
  unit: KpiUnit;
  /** What the value looks like; it decides which charts a dashboard may draw it with. */
  shape: KpiShape;
  /** Whether a higher value is better (benchmark ranks); null when neither. */
  higherIsBetter: boolean | null;
  /** Roles that may read the figure. */
  roles: Role[];
  /** Thresholds for a traffic light in the KPI's own unit (green up to, yellow up to), when it has one. */
  light?: (settings: KpiSettings) => { green: number; yellow: number };
  compute(ctx: KpiContext): Promise<V>;
  /**
   * For the committee role: the value with small cells suppressed. A KPI without it is not
   * suppressible. A KPI with `fraction` is given its counts too (a rate resting on a count of 1..4
   * is withheld: the value alone cannot tell).
   */
  suppress?: (value: V, basis?: Fraction | null) => V;
  /**
   * For a share or rate: the two counts it is computed from, value = numerator / denominator × scale.
   * Whoever shows it to the committee withholds it when either count is 1..4.
   */
  fraction?: (ctx: KpiContext) => Promise<Fraction | null>;
  /**
   * For a single value in kr. or days (not a fraction): the number of children it rests on. The
   * committee sees such a value only when it rests on 5 children or more; without it, never.
   */
  children?: (ctx: KpiContext) => Promise<number>;
  /** For a list: the keys of its rows, the fields it can be sorted and filtered by. */
  fields?: readonly string[];
  /** For a list whose count is not its number of rows: the count of some of its rows. */
  countOf?: (rows: never[]) => number;
  scale?: number;
}

export interface Fraction {
  numerator: number;
  denominator: number;
}

/** numerator / denominator × scale; null when there is nothing to divide by (never 0, never NaN). */
export const fractionValue = (f: Fraction | null, scale = 1): number | null =>
  !f || f.denominator === 0 ? null : (f.numerator / f.denominator) * scale;

/**
 * One KPI's declaration. Only an identity function: it keeps the literal id (for KpiId) and infers
 * the value type from `compute`.
 */
export function defineKpi<const Id extends string, V>(def: KpiDefinition<V, Id>): KpiDefinition<V, Id> {
  return def;
}

/**
 * A share or rate KPI defined by its fraction, so the counts behind it stay at hand. Its value and
 * its counts (asked for beside it: the basis, the committee's suppression, a goal) come from one
 * computation of the counts per answer.
 */
export function fractionKpi<const Id extends string>(
  def: Omit<KpiDefinition<number | null, Id>, 'compute' | 'fraction'> & { fraction(ctx: KpiContext): Promise<Fraction | null> },
): KpiDefinition<number | null, Id> {
  const fraction = (ctx: KpiContext) => shared(ctx, `fraction|${def.id}`, () => def.fraction(ctx));
  return { ...def, fraction, compute: async (ctx) => fractionValue(await fraction(ctx), def.scale) };
}

/** A list KPI: the total and the rows the team leader acts on. */
export interface KpiListValue<Row> {
  count: number;
  rows: Row[];
}
