import type { Pool } from 'pg';
import { buildReadModels, STALE_READ_MODELS } from '@bu/db/read-models';
import { READ_MODELS_JOB, type EtlJobData } from '@bu/jobs';
import type { Queue } from '@bu/queue';

export { READ_MODELS_JOB } from '@bu/jobs';

/** How often the worker looks for read models not built from the data in force. */
export const READ_MODELS_REFRESH_EVERY_MS = 5 * 60_000;

/** How long one run builds before it leaves the rest to the next run, so imports queued meanwhile get their turn. */
export const READ_MODELS_REFRESH_BUDGET_MS = 60_000;

/** The schedule: one repeatable job on the 'etl' queue (BullMQ job scheduler), the first at once. */
export async function scheduleReadModelRefresh(queue: Queue<EtlJobData>, everyMs = READ_MODELS_REFRESH_EVERY_MS): Promise<void> {
  await queue.upsertJobScheduler(READ_MODELS_JOB, { every: everyMs }, { name: READ_MODELS_JOB, data: {} as EtlJobData });
}

/**
 * Builds the read models (ADR 0074) of the municipalities whose were not built from their
 * case-system import in force, one after the other, in code order, until `budgetMs` has passed
 * (at least one each run). Without it, a migration that adds a read model (which empties
 * read_model_state) would leave every municipality's KPIs on the facts, correct but slow, until its
 * next import; and a build that failed after an import would wait for the next one too.
 */
export async function refreshStaleReadModels(
  pool: Pool,
  { budgetMs = READ_MODELS_REFRESH_BUDGET_MS, now = () => Date.now() }: { budgetMs?: number; now?: () => number } = {},
): Promise<{ built: number[]; left: number }> {
  const started = now();
  const { rows } = await pool.query<{ municipality: number }>(STALE_READ_MODELS);
  const built: number[] = [];
  for (const { municipality } of rows) {
    if (built.length > 0 && now() - started >= budgetMs) break;
    // A municipality with no case-system data left builds nothing (null): not stale either.
    await buildReadModels(pool, municipality);
    built.push(municipality);
  }
  return { built, left: rows.length - built.length };
}
