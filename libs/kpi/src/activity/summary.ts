import { Suppressed, suppressCount } from '../suppression';
import { defineKpi, type KpiContext } from '../types';
import { notifications } from './notifications';
import { placedChildren, placementsStarted, preventiveChildren } from './placements';

export interface YearActivity<N = number> {
  notifications: N;
  placementsStarted: N;
  placedChildren: N;
  preventiveChildren: N;
}

/**
 * activity.summary — per year for D's year and the three before: notifications received and
 * placements started in the year; children placed and with preventive measures at 31 December
 * (at D for D's year). For the committee, counts 1..4 are suppressed.
 */
export const activitySummary = defineKpi({
  id: 'activity.summary',
  title: 'Aktivitet de seneste fire år',
  unit: 'count',
  shape: 'years',
  higherIsBetter: null,
  roles: ['udvalg', 'chef', 'admin'],
  async compute(ctx: KpiContext): Promise<Record<string, YearActivity<number | null | Suppressed>>> {
    const year = Number(ctx.asOf.slice(0, 4));
    const result: Record<string, YearActivity> = {};
    for (let y = year - 3; y <= year; y++) {
      const at = y === year ? ctx.asOf : `${y}-12-31`;
      const yearCtx = { ...ctx, asOf: at, period: { from: `${y}-01-01`, to: at } };
      result[String(y)] = {
        notifications: await notifications.compute(yearCtx),
        placementsStarted: await placementsStarted.compute(yearCtx),
        placedChildren: await placedChildren.compute(yearCtx),
        preventiveChildren: await preventiveChildren.compute(yearCtx),
      };
    }
    return result;
  },
  suppress: (value) =>
    Object.fromEntries(
      Object.entries(value).map(([y, a]) => [y, Object.fromEntries(Object.entries(a).map(([k, n]) => [k, suppressCount(n as number)]))]),
    ) as never,
});
