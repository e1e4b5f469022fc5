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

/**
 * A statement's rows from a read model of the days caseload_day holds (ADR 0100) when the read
 * models are current and hold D, else from the facts. The read model's statement returns no row
 * when D is not held, and at least one when it is: a row of its sentinel (the held day's row of
 * caseload_day, left-joined) where D has none, which `present` leaves out.
 */
export async function heldDayRows<T>(
  ctx: { readModels?: boolean; query: Query },
  statement: { readModel: string; facts: string },
  params: unknown[],
  present: (row: T) => boolean,
): Promise<T[]> {
  if (ctx.readModels) {
    const held = await ctx.query<T>(statement.readModel, params);
    if (held.length > 0) return held.filter(present);
  }
  return ctx.query<T>(statement.facts, params);
}
