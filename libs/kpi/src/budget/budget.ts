import { lastEndedMonthEnd, MEASURE_TYPES } from '@bu/domain';
import { DEFAULT_SETTINGS, KpiSettings } from '../settings';
import type { BudgetLine, Light } from '@bu/contracts';
import { MIN_CELL, SUPPRESSED, type Suppressed } from '../suppression';
import { defineKpi, shared, type KpiContext, type KpiDefinition } from '../types';

export type { BudgetLine, Light };

/** The account function a measure type books on: the setting's mapping over the code list's defaults. */
export function functionMap(settings: KpiSettings): Record<string, string> {
  return { ...Object.fromEntries(MEASURE_TYPES.map((t) => [t.name, t.accountFunction])), ...settings['budget.function_map'] };
}

export function budgetLight(forecast: number | null, budget: number | null, settings: KpiSettings): Light | null {
  if (forecast === null || budget === null || budget === 0) return null;
  if (forecast <= budget) return 'green';
  return forecast <= budget * settings['budget.light'].yellow ? 'yellow' : 'red';
}

/**
 * Month m's upper bound: the newest month of D's year that has ended by D (D's own month only when D
 * is its last day; KPIS.md second edition: a month still running is never counted as spent); 0 when
 * none has (D in January before the 31st).
 */
export function endedMonth(asOf: string): number {
  const ended = lastEndedMonthEnd(asOf);
  return ended.slice(0, 4) === asOf.slice(0, 4) ? Number(ended.slice(5, 7)) : 0;
}

/**
 * Every budget figure per account function for D's year (the 5.28.xx lines and 5.57.72): one
 * statement per answer, however many of the budget KPIs it holds (the lines are only read).
 */
export function budgetLines(ctx: KpiContext): Promise<Record<string, BudgetLine>> {
  return shared(ctx, 'budget.lines', () => computeBudgetLines(ctx));
}

// The monthly cost and the distinct children (with a cost) of the measures active at the end of a
// line's month m (e), per account function, after `mapping` and `month_ends`. From the facts: the
// measures active at e, read once per month (the lines' m are nearly always one), not once per
// function for each of the two figures.
const ACTIVE_FROM_FACTS = `
  active AS (
    SELECT mp.function_code, me.m, sum(m.monthly_cost) AS monthly,
           count(DISTINCT c.person_id) FILTER (WHERE m.monthly_cost <> 0) AS children
    FROM month_ends me
    JOIN measure m ON m.municipality_code = $1 AND m.started <= me.e AND (m.ended IS NULL OR m.ended >= me.e)
    JOIN mapping mp ON mp.measure_type = m.measure_type
    LEFT JOIN child_case c ON c.municipality_code = m.municipality_code AND c.source = m.source AND c.case_id = m.case_id
    GROUP BY mp.function_code, me.m
  )`;

// From the read models (ADR 0082), when current: the cost per measure type and the children per
// set of measure types at e are the sums of their changes at month ends by e; a child counts once
// for a function when its set holds any of the function's types (the mapping is a setting). The
// children are in `active_children`.
const ACTIVE_FROM_READ_MODELS = `
  active AS (
    SELECT mp.function_code, me.m, sum(b.change) AS monthly
    FROM month_ends me
    JOIN budget_cost_month b ON b.municipality_code = $1 AND b.month_end <= me.e
    JOIN mapping mp ON mp.measure_type = b.measure_type
    GROUP BY mp.function_code, me.m
  ),
  type_sets AS (
    SELECT me.m, b.measure_types, sum(b.change) AS n
    FROM month_ends me JOIN budget_children_month b ON b.municipality_code = $1 AND b.month_end <= me.e
    GROUP BY me.m, b.measure_types
  ),
  active_children AS (
    SELECT f.function_code, s.m, sum(s.n) AS children
    FROM type_sets s CROSS JOIN LATERAL (SELECT DISTINCT mp.function_code FROM mapping mp WHERE mp.measure_type = ANY (s.measure_types)) f
    GROUP BY f.function_code, s.m
  )`;

async function computeBudgetLines(ctx: KpiContext): Promise<Record<string, BudgetLine>> {
  const settings = ctx.settings ?? DEFAULT_SETTINGS;
  const map = functionMap(settings);
  const rows = await ctx.query<{
    function_code: string;
    name: string | null;
    budget: string | null;
    month: number | null;
    spent: string | null;
    last_year: string | null;
    active_monthly: string | null;
    active_children: number | null;
  }>(
    `WITH d AS (SELECT extract(year FROM $2::date)::int AS y, $4::int AS m, extract(month FROM $2::date)::int AS dm),
     fns AS (
       SELECT DISTINCT function_code FROM budget_line, d
       WHERE municipality_code = $1 AND year IN (d.y, d.y - 1) AND (function_code LIKE '5.28.%' OR function_code = '5.57.72')
     ),
     this_year AS (
       -- m: the newest ended month with spend booked (an empty Forbrug is not a month spent, as in
       -- budget.spend_curve); B from the newest month's row by D, spend or not, D's own month even
       -- while it runs (the catalogue keeps only the spend of a running month out).
       SELECT b.function_code, max(b.month) FILTER (WHERE b.spend IS NOT NULL AND b.month <= d.m) AS m, max(b.month) AS bm FROM budget_line b, d
       WHERE b.municipality_code = $1 AND b.year = d.y AND b.month <= d.dm GROUP BY b.function_code
     ),
     mapping AS (SELECT key AS measure_type, value AS function_code FROM jsonb_each_text($3::jsonb)),
     month_ends AS (SELECT DISTINCT t.m, (make_date(d.y, t.m, 1) + interval '1 month' - interval '1 day')::date AS e FROM this_year t, d WHERE t.m IS NOT NULL),
     ${ctx.readModels ? ACTIVE_FROM_READ_MODELS : ACTIVE_FROM_FACTS}
     SELECT f.function_code,
       (SELECT function_name FROM budget_line b, d WHERE b.municipality_code = $1 AND b.function_code = f.function_code AND b.year <= d.y
          ORDER BY b.year DESC, b.month DESC LIMIT 1) AS name,
       (SELECT corrected_budget::text FROM budget_line b, d WHERE b.municipality_code = $1 AND b.function_code = f.function_code AND b.year = d.y AND b.month = t.bm) AS budget,
       t.m AS month,
       (SELECT sum(spend)::text FROM budget_line b, d WHERE b.municipality_code = $1 AND b.function_code = f.function_code AND b.year = d.y AND b.month <= t.m) AS spent,
       (SELECT sum(spend)::text FROM budget_line b, d WHERE b.municipality_code = $1 AND b.function_code = f.function_code AND b.year = d.y - 1) AS last_year,
       coalesce(a.monthly, 0)::text AS active_monthly,
       coalesce(${ctx.readModels ? 'k' : 'a'}.children, 0)::int AS active_children
     FROM fns f LEFT JOIN this_year t ON t.function_code = f.function_code
     LEFT JOIN active a ON a.function_code = f.function_code AND a.m = t.m
     ${ctx.readModels ? 'LEFT JOIN active_children k ON k.function_code = f.function_code AND k.m = t.m' : ''}
     ORDER BY f.function_code`,
    [ctx.municipality, ctx.asOf, JSON.stringify(map), endedMonth(ctx.asOf)],
  );
  const num = (v: string | null) => (v === null ? null : Number(v));
  const result: Record<string, BudgetLine> = {};
  for (const r of rows) {
    const budget = num(r.budget);
    const spent = num(r.spent);
    const m = r.month;
    const forecastLinear = spent !== null && m ? (spent / m) * 12 : null;
    const forecastActivity = spent !== null && m ? spent + Number(r.active_monthly ?? 0) * (12 - m) : null;
    const forecast = settings['budget.forecast'] === 'activity' ? forecastActivity : forecastLinear;
    const deviation = forecast !== null && budget !== null ? forecast - budget : null;
    result[r.function_code] = {
      name: r.name,
      budget,
      month: m,
      spent,
      lastYear: num(r.last_year),
      forecastLinear,
      forecastActivity,
      forecast,
      deviation,
      deviationShare: deviation !== null && budget ? deviation / budget : null,
      light: budgetLight(forecast, budget, settings),
      activeChildren: m ? (r.active_children ?? 0) : null,
    };
  }
  return result;
}

const ROLES: KpiDefinition['roles'] = ['udvalg', 'chef', 'admin'];

/**
 * A budget line as the committee sees it. The accounts (budget, spend, last year, the linear
 * forecast) are shown; the activity forecast adds the monthly cost of the measures active at the end
 * of month m, so when those rest on 1..4 children it is an amount about fewer than 5 children and is
 * withheld — with the forecast, deviation and light resting on it when the setting chooses it.
 */
export function suppressBudgetLine({ activeChildren, ...line }: BudgetLine): BudgetLine {
  if (activeChildren === null || activeChildren === undefined || activeChildren === 0 || activeChildren >= MIN_CELL) return line;
  const hidden: BudgetLine = { ...line, forecastActivity: SUPPRESSED };
  return line.forecast === line.forecastActivity
    ? { ...hidden, forecast: SUPPRESSED, deviation: SUPPRESSED, deviationShare: SUPPRESSED, light: null }
    : hidden;
}

const suppressLines = (lines: Record<string, BudgetLine>) =>
  Object.fromEntries(Object.entries(lines).map(([fn, l]) => [fn, suppressBudgetLine(l)]));

/** budget.function — per account function and D's year: B, S through month m, last year, F, F − B and (F − B) / B. */
export const budgetFunction = defineKpi({
  id: 'budget.function',
  title: 'Budgetopfølgning pr. funktion',
  unit: 'kr',
  shape: 'budget-table',
  higherIsBetter: null,
  roles: ROLES,
  compute: budgetLines,
  suppress: suppressLines,
});

// The lines a picked value was taken from, for the committee's suppression (the cache hands the
// same object to suppress). Without them every picked value is withheld.
const linesOf = new WeakMap<object, Record<string, BudgetLine>>();

/** One figure of every budget line, per account function. */
const pick = <const Id extends `budget.${string}`, K extends keyof BudgetLine>(
  id: Id,
  title: string,
  key: K,
): KpiDefinition<Record<string, BudgetLine[K] | Suppressed>, Id> => ({
  id,
  title,
  unit: 'kr',
  shape: 'breakdown',
  higherIsBetter: null,
  roles: ROLES,
  async compute(ctx) {
    const lines = await budgetLines(ctx);
    const value = Object.fromEntries(Object.entries(lines).map(([fn, line]) => [fn, line[key]]));
    linesOf.set(value, lines);
    return value;
  },
  suppress(value) {
    const lines = linesOf.get(value);
    return Object.fromEntries(Object.entries(value).map(([fn]) => [fn, lines?.[fn] ? suppressBudgetLine(lines[fn])[key] : SUPPRESSED]));
  },
});

export const forecastLinear = pick('budget.forecast_linear', 'Forventet regnskab (lineær fremskrivning)', 'forecastLinear');
export const forecastActivity = pick('budget.forecast_activity', 'Forventet regnskab (aktivitetsbaseret)', 'forecastActivity');
export const budgetLightKpi = pick('budget.light', 'Budgettrafiklys', 'light');
