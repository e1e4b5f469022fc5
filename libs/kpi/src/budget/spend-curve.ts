import { defineKpi, type KpiContext } from '../types';
import { endedMonth } from './budget';

/**
 * budget.spend_curve — spend to date month by month, this year (D's year) against last year, summed
 * over the functions of budget.function (main function 5.28 and 5.57.72): per year twelve
 * cumulative amounts in kr., the amount at the end of month 1..12. Null after the newest month of
 * D's year that has ended by D, and for every month of a year with no booked lines at all; a month without lines in a year
 * with lines adds nothing.
 */
export const spendCurve = defineKpi({
  id: 'budget.spend_curve',
  title: 'Forbrug år til dato, i år og sidste år',
  unit: 'kr',
  shape: 'series',
  higherIsBetter: null,
  roles: ['udvalg', 'chef', 'admin'],
  async compute(ctx: KpiContext): Promise<Record<string, (number | null)[]>> {
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
        // Summed in øre: kroner with decimals must not drift as floats.
        sum += Math.round(Number(months.find((r) => r.month === i + 1)?.spend ?? 0) * 100);
        return sum / 100;
      });
    }
    return result;
  },
});
