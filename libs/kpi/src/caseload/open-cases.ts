import { defineKpi, type KpiContext } from '../types';
import { caseload } from './responsible';

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
    const rows = await caseload(ctx, 'children');
    return Object.fromEntries(rows.map((r) => [r.worker_id, r.children ?? 0]));
  },
});
