import { COUNT_AT } from '../activity/shared';
import { ACTIVE_AT } from '@bu/rules';
import { heldDayRows } from '../read-models';
import { defineKpi, shared, type KpiContext, type KpiListValue } from '../types';

/** cost.annualised_per_placed_child — (sum of monthly cost of placements active at D) × 12 / placed children. */
export const annualisedCostPerPlacedChild = defineKpi({
  id: 'cost.annualised_per_placed_child',
  title: 'Årlig udgift pr. anbragt barn (kr.)',
  unit: 'kr',
  shape: 'number',
  higherIsBetter: null,
  roles: ['chef', 'admin'],
  async compute(ctx): Promise<number | null> {
    const r = await placedCost(ctx);
    return r.children === 0 ? null : (Number(r.cost ?? 0) * 12) / r.children;
  },
  // The placed children the amount rests on (the committee sees a goal on it only from 5 on).
  children: async (ctx) => (await placedCost(ctx)).children,
});

/** The cost and the children together, asked once per answer by the value and by its children. */
function placedCost(ctx: KpiContext): Promise<{ cost: string | null; children: number }> {
  return shared(ctx, 'cost.placed', () => queryPlacedCost(ctx));
}

async function queryPlacedCost(ctx: KpiContext): Promise<{ cost: string | null; children: number }> {
  const [r] = await heldDayRows<{ cost: string | null; children: number }>(
    ctx,
    {
      // At a held day, the sum of measure_type_day's sums over the types, and activity.placed_children's
      // count, which is this one's (ADR 0108).
      readModel: `SELECT (SELECT sum(t.placed_cost) FROM measure_type_day t WHERE t.municipality_code = $1 AND t.day = $2::date)::text AS cost,
          ${COUNT_AT('placed_children', '$2::date')}::int AS children
        FROM caseload_day h WHERE h.municipality_code = $1 AND h.day = $2::date`,
      facts: `SELECT sum(m.monthly_cost)::text AS cost, count(DISTINCT c.person_id)::int AS children FROM measure m
        JOIN child_case c ON c.municipality_code = m.municipality_code AND c.source = m.source AND c.case_id = m.case_id
        WHERE m.municipality_code = $1 AND m.family = 'placement' AND ${ACTIVE_AT('m')}`,
    },
    [ctx.municipality, ctx.asOf],
    () => true,
  );
  return r;
}

export interface TopCaseRow {
  case: string;
  annualisedCost: number;
  measures: number;
  measureTypes: string[];
}

/** cost.top_cases — the 20 cases with the highest annualised cost of measures active at D (ties by case number). */
export const topCases = defineKpi({
  id: 'cost.top_cases',
  title: 'De 20 dyreste sager',
  unit: 'list',
  shape: 'list',
  fields: ['case', 'annualisedCost', 'measures', 'measureTypes'],
  higherIsBetter: null,
  roles: ['chef', 'admin'],
  async compute(ctx): Promise<KpiListValue<TopCaseRow>> {
    // The measure types of the 20 cases only, not of every case with an active measure (a sorted
    // distinct aggregate per case was most of the statement's time for a large municipality).
    const rows = await heldDayRows<{ case: string; cost: string; measures: number; types: string[] }>(
      ctx,
      {
        // At a held day, top_case_day's 20 (ADR 0108).
        readModel: `SELECT t.case_id AS "case", (t.total * 12)::text AS cost, t.measures, t.measure_types AS types
          FROM caseload_day h LEFT JOIN top_case_day t ON t.municipality_code = h.municipality_code AND t.day = h.day
          WHERE h.municipality_code = $1 AND h.day = $2::date ORDER BY t.rank`,
        facts: `WITH top AS (
            SELECT m.case_id, sum(coalesce(m.monthly_cost, 0)) AS total, count(*)::int AS measures
            FROM measure m WHERE m.municipality_code = $1 AND ${ACTIVE_AT('m')}
            GROUP BY m.case_id ORDER BY total DESC, m.case_id LIMIT 20
          )
          SELECT t.case_id AS "case", (t.total * 12)::text AS cost, t.measures,
            (SELECT array_agg(DISTINCT m.measure_type ORDER BY m.measure_type) FROM measure m
             WHERE m.municipality_code = $1 AND m.case_id = t.case_id AND ${ACTIVE_AT('m')}) AS types
          FROM top t ORDER BY t.total DESC, t.case_id`,
      },
      [ctx.municipality, ctx.asOf],
      (r) => r.case !== null,
    );
    return {
      count: rows.length,
      rows: rows.map((r) => ({ case: r.case, annualisedCost: Number(r.cost), measures: r.measures, measureTypes: r.types })),
    };
  },
});
