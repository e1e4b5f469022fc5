import type { ClientBase } from 'pg';
import { MAX_SHRINK_SHARE_DEFAULT, SHRINK_SETTING } from '@bu/domain';
import { ImportFailure } from '../issues';
import { EntityName, entityDef, scopeColumns } from './entities';
import type { MergeCounts } from './merge';
import type { PartitionBuild } from './partition';

// A broken export job delivers a header-only or truncated file; as a full snapshot it would remove
// nearly all of a municipality's data. What an import would remove is measured inside its
// transaction, before commit, against a per-municipality share (setting import.max_shrink_share):
// above it, the import fails as a whole and nothing changes, unless forced (allowShrink).

export { SHRINK_SETTING };

/** What one import would remove of one thing a municipality has from the source. */
export interface Shrinkage {
  municipality: number;
  /** What is counted, in Danish ("åbne sager"). */
  what: string;
  /** The file the rows come from, for the message. */
  file: string;
  before: number;
  removed: number;
}

/** Fails the import (F020) when it would remove more than the municipality's share of anything counted. */
export async function refuseShrink(
  client: ClientBase,
  source: string,
  shrinkage: readonly Shrinkage[] | undefined,
  allowShrink: boolean | undefined,
): Promise<void> {
  const counted = (shrinkage ?? []).filter((s) => s.before > 0 && s.removed > 0);
  if (allowShrink || counted.length === 0) return;
  const { rows } = await client.query<{ municipality_code: number; value: number }>(
    `SELECT municipality_code, value FROM setting WHERE key = $1 AND municipality_code = ANY($2::smallint[])`,
    [SHRINK_SETTING, [0, ...counted.map((s) => s.municipality)]],
  );
  // The settings' one precedence rule: the municipality's own, else the product-wide, else the default.
  const limitFor = (m: number) =>
    (rows.find((r) => r.municipality_code === m) ?? rows.find((r) => r.municipality_code === 0))?.value ?? MAX_SHRINK_SHARE_DEFAULT;
  const over = counted.map((s) => ({ ...s, limit: limitFor(s.municipality) })).filter((s) => s.removed > s.limit * s.before);
  if (over.length === 0) return;
  const pct = (n: number) => `${Math.round(n * 1000) / 10} %`.replace('.', ',');
  const parts = over.map(
    (s) => `kommune ${s.municipality}: ${s.removed} af ${s.before} ${s.what} (${pct(s.removed / s.before)}, grænsen er ${pct(s.limit)})`,
  );
  throw new ImportFailure(
    'SNAPSHOT_SHRINK',
    over[0].file,
    `Udtrækket fra ${source} ville fjerne for meget: ${parts.join('; ')}. Filen ${over[0].file} er måske kun delvist leveret. ` +
      `Intet er indlæst. Er udtrækket korrekt, så indlæs det igen med --allow-shrink (ved upload: »Tillad at data fjernes«) eller hæv indstillingen ${SHRINK_SETTING}.`,
  );
}

/**
 * A case-system snapshot's shrinkage, from the built partitions (before they are placed): the
 * municipality's open cases of this source the new snapshot no longer has, and the rows of the
 * entities that refer to a case (the activity: assignments, measures, ...) of those open cases.
 * Counted only when the merge removed some; a first import (no current partition) removes nothing.
 */
export async function caseSnapshotShrinkage(
  client: ClientBase,
  municipality: number,
  source: string,
  builds: ReadonlyMap<string, PartitionBuild>,
  merged: Partial<Record<string, MergeCounts>>,
  files: { cases: string; activity: { entity: EntityName; file: string; caseRef: string }[] },
): Promise<Shrinkage[]> {
  const cases = builds.get('cases');
  if (!cases?.current || !cases.built) return [];
  const openCase = (ref: string) =>
    `EXISTS (SELECT 1 FROM public.${cases.current} c WHERE c.source = $1 AND c.case_id = o.${ref} AND c.closed IS NULL)`;
  const gone = (entity: EntityName, built: string) => {
    const def = entityDef(entity);
    const match = [...scopeColumns(def), ...def.key].map((k) => `n.${k} = o.${k}`).join(' AND ');
    return `NOT EXISTS (SELECT 1 FROM ${built} n WHERE ${match})`;
  };
  const result: Shrinkage[] = [];
  if ((merged.cases?.removed ?? 0) > 0) {
    const { rows } = await client.query(
      `SELECT count(*)::int AS before, count(*) FILTER (WHERE ${gone('cases', cases.built)})::int AS removed
       FROM public.${cases.current} o WHERE o.source = $1 AND o.closed IS NULL`,
      [source],
    );
    result.push({ municipality, what: 'åbne sager', file: files.cases, ...rows[0] });
  }
  const activity = files.activity.filter((a) => builds.get(a.entity)?.current && builds.get(a.entity)?.built);
  if (activity.some((a) => (merged[a.entity]?.removed ?? 0) > 0)) {
    let before = 0;
    let removed = 0;
    let file = activity[0].file;
    let most = -1;
    for (const a of activity) {
      const b = builds.get(a.entity)!;
      const { rows } = await client.query(
        `SELECT count(*)::int AS before, count(*) FILTER (WHERE ${gone(a.entity, b.built!)})::int AS removed
         FROM public.${b.current} o WHERE o.source = $1 AND ${openCase(a.caseRef)}`,
        [source],
      );
      before += rows[0].before;
      removed += rows[0].removed;
      if (rows[0].removed > most) [most, file] = [rows[0].removed, a.file];
    }
    result.push({ municipality, what: 'rækker om åbne sager (sagsansvar, underretninger, indsatser m.m.)', file, before, removed });
  }
  return result;
}

/** Economy: per municipality in the file, its budget lines the file's years would remove, of all it has. */
export async function budgetShrinkage(client: ClientBase, staging: string, file: string): Promise<Shrinkage[]> {
  const { rows } = await client.query(
    `SELECT t.municipality_code::int AS municipality, count(*)::int AS before,
            count(*) FILTER (WHERE t.year IN (SELECT s.year FROM ${staging} s WHERE s.municipality_code = t.municipality_code)
              AND NOT EXISTS (SELECT 1 FROM ${staging} s WHERE (s.municipality_code, s.year, s.month, s.function_code) = (t.municipality_code, t.year, t.month, t.function_code)))::int AS removed
     FROM budget_line t WHERE t.municipality_code IN (SELECT municipality_code FROM ${staging}) GROUP BY t.municipality_code`,
  );
  return rows.map((r) => ({ ...r, what: 'budgetlinjer', file }));
}
