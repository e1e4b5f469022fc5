import type { Query } from './types';

/**
 * Whether a municipality's read models (ADR 0074) were built from its case-system import in force:
 * only then may a KPI read them (KpiContext.readModels). Between an import's commit and the end of
 * the build that follows it, and when a build failed, the answer is false and the KPIs read the
 * facts themselves. The import in force is read as buildReadModels in libs/db records it.
 */
export async function readModelsCurrent(query: Query, municipality: number): Promise<boolean> {
  const [r] = await query<{ current: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM read_model_state r
       WHERE r.municipality_code = $1
         AND r.import_id = (SELECT max(s.import_id) FROM source_snapshot s WHERE s.municipality_code = $1 AND s.source IN ('dubu', 'csc'))
     ) AS current`,
    [municipality],
  );
  return r.current;
}
