import { defineKpi, type KpiContext } from '../types';
import { caseload } from './responsible';

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
    const rows = await caseload(ctx, 'weighted');
    return Object.fromEntries(rows.map((r) => [r.worker_id, Number(r.weighted)]));
  },
});
