import type { Pool } from 'pg';
import { buildReadModels } from '@bu/db/read-models';
import { CASE_SOURCES, type SourceKind } from '@bu/domain';
import { lockCaseSnapshot } from './case-snapshot';
import { ENTITIES, scopeColumns } from './load/entities';

/**
 * The case-system facts a municipality's import carries from one source: the loadable entities
 * scoped by source (its partitions hold the rows of every source: a municipality that changed case
 * system keeps the other system's rows, etl/src/load/partition.ts).
 */
export const CASE_FACT_TABLES: readonly string[] = Object.values(ENTITIES)
  .filter((def) => scopeColumns(def).includes('source'))
  .map((def) => def.table);

export interface RemovedSource {
  /** Rows removed per table (only tables that had some). */
  removed: Record<string, number>;
  /** The import log's row of the removal. */
  importId: number;
}

/**
 * Removes a case system's data from a municipality: after a change of case system the old
 * system's rows would otherwise be carried forward by every import for ever (its children's
 * data kept past any need). In one transaction, holding the municipality's snapshot lock (no
 * import of it commits meanwhile): the source's rows of every fact table, its snapshot record and
 * the municipality's read models, which the API then answers without until they are rebuilt
 * here; the import log gets a purge row (which moves the municipality's data version).
 */
export async function removeCaseSource(pool: Pool, municipality: number, source: SourceKind, requestedBy: string): Promise<RemovedSource> {
  if (!(CASE_SOURCES as readonly string[]).includes(source))
    throw new Error(`Kun et sagssystems data kan fjernes (dubu eller csc), ikke ${source}`);
  const client = await pool.connect();
  let result: RemovedSource;
  try {
    await client.query('BEGIN');
    await lockCaseSnapshot(client, municipality);
    const { rowCount: known } = await client.query(`DELETE FROM source_snapshot WHERE municipality_code = $1 AND source = $2`, [
      municipality,
      source,
    ]);
    if (!known) throw new Error(`Kommune ${municipality} har ingen data fra ${source}`);
    const removed: Record<string, number> = {};
    for (const table of CASE_FACT_TABLES) {
      const { rowCount } = await client.query(`DELETE FROM ${table} WHERE municipality_code = $1 AND source = $2`, [municipality, source]);
      if (rowCount) removed[table] = rowCount;
    }
    await client.query(`DELETE FROM read_model_state WHERE municipality_code = $1`, [municipality]);
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO import_run (municipality_code, source, status, requested_by, started_at, finished_at, removed)
       VALUES ($1, 'purge', 'succeeded', $2, now(), now(), $3) RETURNING id`,
      [municipality, requestedBy, JSON.stringify({ source, ...removed })],
    );
    await client.query('COMMIT');
    result = { removed, importId: Number(rows[0].id) };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  // From the data left (none: nothing to build).
  await buildReadModels(pool, municipality);
  return result;
}
