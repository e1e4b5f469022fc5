import { DEFAULT_SETTINGS } from '../settings';
import { defineKpi, type KpiContext } from '../types';
import { LISTED_WORKERS, openCasesWithResponsible } from './responsible';

/**
 * caseload.weighted — per caseworker: the sum over their children of the highest weight that
 * applies at D: placement active 1.5, open investigation 1.2, preventive measure active 1.0,
 * none of these 0.5. What counts is what is on the child's cases this caseworker holds at D
 * (economic benefits and "ukendt" are not measures here).
 */
export const weightedCaseload = defineKpi({
  id: 'caseload.weighted',
  title: 'Vægtet sagsbelastning pr. rådgiver',
  unit: 'ratio',
  shape: 'per-caseworker',
  higherIsBetter: null,
  roles: ['teamleder', 'chef', 'admin'],
  async compute(ctx: KpiContext) {
    const w = (ctx.settings ?? DEFAULT_SETTINGS)['caseload.weights'];
    const rows = await ctx.query<{ worker_id: string; weighted: string }>(
      `WITH ${openCasesWithResponsible(ctx)}, ${LISTED_WORKERS},
       per_case AS (
         SELECT ocw.worker_id, ocw.person_id,
           GREATEST(
             CASE WHEN EXISTS (SELECT 1 FROM measure m WHERE m.municipality_code = $1 AND m.source = ocw.source AND m.case_id = ocw.case_id
                               AND m.family = 'placement' AND m.started <= $2::date AND (m.ended IS NULL OR m.ended >= $2::date)) THEN $4::numeric END,
             CASE WHEN EXISTS (SELECT 1 FROM investigation i WHERE i.municipality_code = $1 AND i.source = ocw.source AND i.case_id = ocw.case_id
                               AND i.started <= $2::date AND (i.completed IS NULL OR i.completed >= $2::date)) THEN $5::numeric END,
             CASE WHEN EXISTS (SELECT 1 FROM measure m WHERE m.municipality_code = $1 AND m.source = ocw.source AND m.case_id = ocw.case_id
                               AND m.family = 'preventive' AND m.started <= $2::date AND (m.ended IS NULL OR m.ended >= $2::date)) THEN $6::numeric END,
             $7::numeric) AS weight
         FROM open_case_worker ocw WHERE ocw.worker_id IS NOT NULL
       ),
       per_child AS (SELECT worker_id, person_id, max(weight) AS weight FROM per_case GROUP BY worker_id, person_id)
       SELECT l.worker_id, coalesce(sum(pc.weight), 0)::text AS weighted
       FROM listed l LEFT JOIN per_child pc ON pc.worker_id = l.worker_id
       WHERE $3::text[] IS NULL OR l.team = ANY($3::text[])
       GROUP BY l.worker_id ORDER BY l.worker_id`,
      [ctx.municipality, ctx.asOf, ctx.teams ?? null, w.placement, w.investigation, w.preventive, w.none],
    );
    return Object.fromEntries(rows.map((r) => [r.worker_id, Number(r.weighted)]));
  },
});
