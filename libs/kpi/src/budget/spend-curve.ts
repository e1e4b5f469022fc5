import { SUPPRESSED, type Suppressed } from '../suppression';
import { defineKpi, type KpiContext } from '../types';
import { budgetLines, endedMonth, suppressBudgetLine } from './budget';

/** Twelve monthly amounts in kr.: a year's spend to date, the budget, or the forecast. */
export type SpendCurve = Record<string, (number | null | Suppressed)[]>;

/** Kroner to øre and back: sums of amounts with decimals must not drift as floats. */
const ore = (kr: number) => Math.round(kr * 100);

// The values whose forecast rests on an amount withheld from the committee (the activity forecast of
// a line with 1..4 children), for suppress; the cache hands the same object to suppress. Without an
// entry the forecast is withheld.
const openForecast = new WeakSet<object>();

/**
 * budget.spend_curve — spend to date month by month, this year (D's year) against last year, summed
 * over the functions of budget.function (main function 5.28 and 5.57.72): per year twelve
 * cumulative amounts in kr., the amount at the end of month 1..12. Null after the newest month of
 * D's year that has ended by D, and for every month of a year with no booked lines at all; a month
 * without lines in a year with lines adds nothing.
 *
 * Beside the years (ADR 68): `budget`, the corrected budget B summed over the lines of
 * budget.function, the same for all twelve months (the line the spend runs towards); and `forecast`,
 * from the spend to date S at month m (the newest month of D's year that has ended by D) to the
 * forecast F for December summed over the lines (budget.function's F, the one the setting
 * `budget.forecast` chooses) in equal steps: month k = S + (F − S) × (k − m) / (12 − m), null before
 * m. With every line at month m this is the catalogue's formula month by month: linear S / m × k,
 * activity S + (monthly cost of the active measures) × (k − m).
 */
export const spendCurve = defineKpi({
  id: 'budget.spend_curve',
  title: 'Forbrug år til dato, i år og sidste år',
  unit: 'kr',
  shape: 'series',
  higherIsBetter: null,
  roles: ['udvalg', 'chef', 'admin'],
  async compute(ctx: KpiContext): Promise<SpendCurve> {
    const year = Number(ctx.asOf.slice(0, 4));
    // Through the newest month of D's year that has ended by D, as budget.function's month m.
    const lastMonth = endedMonth(ctx.asOf);
    const rows = await ctx.query<{ year: number; month: number; spend: string }>(
      `SELECT year, month, sum(spend)::text AS spend FROM budget_line
       WHERE municipality_code = $1 AND year IN ($2, $2 - 1) AND month BETWEEN 1 AND 12 AND spend IS NOT NULL
         AND (function_code LIKE '5.28.%' OR function_code = '5.57.72')
       GROUP BY year, month`,
      [ctx.municipality, year],
    );
    const result: Record<string, (number | null)[]> = {};
    for (const y of [year - 1, year]) {
      const months = rows.filter((r) => r.year === y);
      let sum = 0;
      result[String(y)] = Array.from({ length: 12 }, (_, i) => {
        if (months.length === 0 || (y === year && i + 1 > lastMonth)) return null;
        sum += ore(Number(months.find((r) => r.month === i + 1)?.spend ?? 0));
        return sum / 100;
      });
    }
    const lines = Object.values(await budgetLines(ctx));
    const budgets = lines.map((l) => l.budget).filter((b): b is number => typeof b === 'number');
    const budget = budgets.length ? budgets.reduce((a, b) => a + ore(b), 0) / 100 : null;
    result.budget = Array.from({ length: 12 }, () => budget);
    const forecasts = lines.map((l) => l.forecast).filter((f): f is number => typeof f === 'number');
    const spent = lastMonth > 0 ? result[String(year)][lastMonth - 1] : null;
    result.forecast = Array.from({ length: 12 }, () => null);
    if (spent !== null && forecasts.length > 0) {
      const forecast = forecasts.reduce((a, f) => a + ore(f), 0);
      const s = ore(spent);
      for (let k = lastMonth; k <= 12; k++)
        result.forecast[k - 1] =
          (lastMonth === 12 ? forecast : s + Math.round(((forecast - s) * (k - lastMonth)) / (12 - lastMonth))) / 100;
    }
    const withheld = (v: unknown) => typeof v === 'object' && v !== null;
    if (!lines.some((l) => withheld(suppressBudgetLine(l).forecast))) openForecast.add(result);
    return result;
  },
  /**
   * The committee: the forecast's months after m are withheld when a line's forecast is (it rests on
   * fewer than 5 children); its month m is the spend to date, shown as in the budget table. At D =
   * 31 December m is December and its point is the forecast itself (lines without December's spend
   * forecast it), withheld like the rest unless it is the spend to date.
   */
  suppress(value: SpendCurve): SpendCurve {
    if (openForecast.has(value) || !value.forecast) return value;
    const year = String(
      Math.max(
        ...Object.keys(value)
          .filter((k) => /^\d{4}$/.test(k))
          .map(Number),
      ),
    );
    const first = value.forecast.findIndex((v) => v !== null);
    const spent = (i: number) => i === first && value.forecast[i] === value[year]?.[i];
    return { ...value, forecast: value.forecast.map((v, i) => (v === null || spent(i) ? v : SUPPRESSED)) };
  },
});
