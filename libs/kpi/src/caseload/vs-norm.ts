import { DEFAULT_SETTINGS } from '../settings';
import { defineKpi, type KpiContext } from '../types';
import { caseload } from './responsible';

/**
 * caseload.vs_norm — per caseworker: Σ over case areas of (children with an open case in the
 * area / the area's norm). Light (KPI metadata): green ≤ 1.0, yellow ≤ 1.15, red above.
 */
export const caseloadVsNorm = defineKpi({
  id: 'caseload.vs_norm',
  title: 'Sagsbelastning i forhold til normen',
  unit: 'ratio',
  shape: 'per-caseworker',
  higherIsBetter: false,
  roles: ['teamleder', 'chef', 'admin'],
  light: (settings) => settings['caseload.light'],
  async compute(ctx: KpiContext) {
    const norms = (ctx.settings ?? DEFAULT_SETTINGS)['caseload.norms'];
    const rows = await caseload(ctx, 'areas');
    const result: Record<string, number> = {};
    for (const r of rows) {
      result[r.worker_id] = (result[r.worker_id] ?? 0) + (r.area && norms[r.area] ? (r.children ?? 0) / norms[r.area] : 0);
    }
    return result;
  },
});
