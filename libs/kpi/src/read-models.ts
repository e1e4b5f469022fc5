import { READ_MODELS_CURRENT } from '@bu/db/read-models';
import type { Query } from './types';

/**
 * Whether a municipality's read models (ADR 0074) were built from its case-system import in force:
 * only then may a KPI read them (KpiContext.readModels). Between an import's commit and the end of
 * the build that follows it, and when a build failed, the answer is false and the KPIs read the
 * facts themselves. The import in force is the one buildReadModels in libs/db records.
 */
export async function readModelsCurrent(query: Query, municipality: number): Promise<boolean> {
  const [r] = await query<{ current: boolean }>(READ_MODELS_CURRENT, [municipality]);
  return r.current;
}
