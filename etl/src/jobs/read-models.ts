import type { Pool } from 'pg';
import { buildReadModels, STALE_READ_MODELS } from '@bu/db/read-models';
import { READ_MODELS_JOB, type EtlJobData } from '@bu/jobs';
import { logger } from '@bu/logger';
import type { Queue } from '@bu/queue';

export { READ_MODELS_JOB } from '@bu/jobs';

/** How often the worker looks for read models not built from the data in force. */
export const READ_MODELS_REFRESH_EVERY_MS = 5 * 60_000;

/**
 * How long one run starts builds for (the build under way then ends) before it leaves the rest to
 * the next run, so that imports queued meanwhile get their turn.
 */
export const READ_MODELS_REFRESH_BUDGET_MS = 60_000;

/**
 * The schedule: one repeatable job on the 'etl' queue (BullMQ job scheduler); the first run when
 * the schedule is made, later ones every `everyMs` (a worker's restart keeps the time of the next).
 * Its finished runs are not kept: they would take the places of the imports' results in the
 * queue's history (ETL_JOB_OPTIONS.removeOnComplete).
 */
export async function scheduleReadModelRefresh(queue: Queue<EtlJobData>, everyMs = READ_MODELS_REFRESH_EVERY_MS): Promise<void> {
  await queue.upsertJobScheduler(
    READ_MODELS_JOB,
    { every: everyMs },
    { name: READ_MODELS_JOB, data: {} as EtlJobData, opts: { attempts: 1, removeOnComplete: true, removeOnFail: 100 } },
  );
}

/** What one run did: the municipalities built, those whose build failed, and how many are left for the next run. */
export interface ReadModelRefresh {
  built: number[];
  failed: number[];
  left: number;
}

/**
 * Builds the read models (ADR 0074) of the municipalities whose were not built from their
 * case-system import in force by these builds (ADR 0107), one after the other, in code order,
 * starting builds until `budgetMs` has passed (at least one each run). Without it, a migration that
 * adds a read model (which empties read_model_state) would leave every municipality's KPIs on the
 * facts, correct but slow, until its next import; and a build that failed after an import would
 * wait for the next one too. A build that fails is logged and the others go on: one municipality's
 * fault must not hold back the rest.
 */
export async function refreshStaleReadModels(
  pool: Pool,
  { budgetMs = READ_MODELS_REFRESH_BUDGET_MS, now = () => Date.now() }: { budgetMs?: number; now?: () => number } = {},
): Promise<ReadModelRefresh> {
  const started = now();
  const { rows } = await pool.query<{ municipality: number }>(STALE_READ_MODELS);
  const result: ReadModelRefresh = { built: [], failed: [], left: 0 };
  let tried = 0;
  for (const { municipality } of rows) {
    if (tried > 0 && now() - started >= budgetMs) break;
    tried++;
    try {
      // null: the municipality's case-system data is gone meanwhile; nothing to build.
      if ((await buildReadModels(pool, municipality)) !== null) result.built.push(municipality);
    } catch (e) {
      result.failed.push(municipality);
      logger().warn({ municipality, err: e }, `Read models of municipality ${municipality} not built: ${(e as Error).message}`);
    }
  }
  result.left = rows.length - tried;
  return result;
}
