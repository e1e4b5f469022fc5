import { endedMonth } from '../budget/budget';
import { fractionKpi, type KpiContext } from '../types';

/** The account functions of the children's measures whose spend the preventive share divides by (5.28.20 – 5.28.25). */
export const MEASURE_FUNCTIONS = ['5.28.20', '5.28.21', '5.28.22', '5.28.23', '5.28.24', '5.28.25'];

/**
 * cost.preventive_share — spend to date in D's year on 5.28.21 (forebyggende foranstaltninger) /
 * spend to date on 5.28.20 – 5.28.25 together, both through month m as in budget.function (the
 * newest month of D's year that has ended by D; a month with no row adds nothing); null when the
 * latter is 0. The numerator and denominator are amounts in kr. from the accounts, not counts of
 * children: the committee sees the accounts whole in budget.function, so nothing is suppressed.
 */
export const preventiveShare = fractionKpi({
  id: 'cost.preventive_share',
  title: 'Forebyggelsens andel af udgifterne',
  unit: 'share',
  shape: 'fraction',
  higherIsBetter: true,
  roles: ['udvalg', 'chef', 'admin'],
  // A share of two amounts from the published accounts (money, as budget.function's lines): the
  // committee sees it whole. Declared, so that every committee KPI says how it is suppressed.
  suppress: (value) => value,
  async fraction(ctx: KpiContext) {
    const [r] = await ctx.query<{ preventive: string; total: string }>(
      `SELECT coalesce(sum(spend) FILTER (WHERE function_code = '5.28.21'), 0)::text AS preventive,
              coalesce(sum(spend), 0)::text AS total
       FROM budget_line
       WHERE municipality_code = $1 AND year = extract(year FROM $2::date) AND month <= $3 AND function_code = ANY($4::text[])`,
      [ctx.municipality, ctx.asOf, endedMonth(ctx.asOf), MEASURE_FUNCTIONS],
    );
    return { numerator: Number(r.preventive), denominator: Number(r.total) };
  },
});
