import { kpiById, type KpiContext } from '@bu/kpi';
import type { TestDatabase } from './database';

/**
 * A KPI's value on a test database for municipality 461 at D with P = 1 January of D's year .. D,
 * unless `over` says otherwise. The database is read when called (after beforeAll has set it up).
 */
export function kpiValue(database: () => TestDatabase, asOf: string, from = `${asOf.slice(0, 4)}-01-01`) {
  return (id: string, over: Partial<KpiContext> = {}) => {
    const kpi = kpiById(id);
    if (!kpi) throw new Error(`No KPI ${id}`);
    return kpi.compute({
      query: async (sql, params) => (await database().pool.query(sql, params)).rows,
      municipality: 461,
      asOf,
      period: { from, to: asOf },
      ...over,
    });
  };
}
