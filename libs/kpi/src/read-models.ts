import { READ_MODELS_CURRENT } from '@bu/db/read-models';
import type { Query } from './types';

/**
 * Whether a municipality's read models (ADR 0074) were built from its case-system import in force,
 * by the builds of this code (ADR 0107): only then may a KPI read them (KpiContext.readModels).
 * Between an import's commit and the end of the build that follows it, when a build failed, and
 * when other builds made them, the answer is false and the KPIs read the facts themselves.
 */
export async function readModelsCurrent(query: Query, municipality: number): Promise<boolean> {
  const [r] = await query<{ current: boolean }>(READ_MODELS_CURRENT, [municipality]);
  return r.current;
}
