import { defineKpi, type KpiContext } from '../types';
import { LISTED_WORKERS, openCasesWithResponsible } from './responsible';

/**
 * caseload.open_cases — per caseworker: distinct children whose case is open at D and whose
 * responsible caseworker at D is that worker. Keyed by the caseworker's id in the source.
 */
export const openCases = defineKpi({
  id: 'caseload.open_cases',
  title: 'Sager pr. rådgiver',
  unit: 'count',
  shape: 'per-caseworker',
  higherIsBetter: null,
  roles: ['teamleder', 'chef', 'admin'],
  async compute(ctx: KpiContext) {
    const rows = await ctx.query<{ worker_id: string; children: number }>(
      `WITH ${openCasesWithResponsible(ctx)}, ${LISTED_WORKERS}
       SELECT l.worker_id, count(DISTINCT ocw.person_id)::int AS children
       FROM listed l LEFT JOIN open_case_worker ocw ON ocw.worker_id = l.worker_id
       WHERE $3::text[] IS NULL OR l.team = ANY($3::text[])
       GROUP BY l.worker_id ORDER BY l.worker_id`,
      [ctx.municipality, ctx.asOf, ctx.teams ?? null],
    );
    return Object.fromEntries(rows.map((r) => [r.worker_id, r.children]));
  },
});
