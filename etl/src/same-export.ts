import { createHash } from 'crypto';
import { statSync } from 'fs';
import { basename } from 'path';
import type { ClientBase, PoolClient } from 'pg';
import { lockCaseSnapshot } from './case-snapshot';
import { listRules } from './rules';

// Cheap re-imports (ADR 0073). A case-system export whose every file has the checksum of the files
// that made the municipality's snapshot in force, imported under the same conditions, would give
// the same snapshot again: it is not staged. The run is recorded as "uændret" (`same_as`), with the
// earlier import's rejected rows and warnings, which still describe the data in force.

/**
 * Bumped when the staging of a file changes what it makes of the same bytes without a rule
 * changing (a mapper's fix): every snapshot loaded before is then staged again on its next import.
 */
const SNAPSHOT_FORMAT = 1;

/** The rule catalogue and the snapshot format: a run loaded under other rules is not the same snapshot. */
export const RULES_FINGERPRINT = createHash('sha256')
  .update(JSON.stringify({ format: SNAPSHOT_FORMAT, rules: listRules() }))
  .digest('hex')
  .slice(0, 16);

/** What besides its files made a snapshot what it is (import_run.reuse). */
export interface ReuseRecord {
  /** The export date as given at import (--export-date), null when the default was used. */
  exportDate: string | null;
  /** The pseudonym key's id: other person ids under another key. */
  keyId: string;
  rules: string;
  /**
   * Without a given export date: the first day on which the same files give another default export
   * date (the earliest event that happened after the day of the import), null when none.
   */
  until: string | null;
}

/** A file as import_run.files records it. */
interface RecordedFile {
  file: string;
  bytes: number;
  sha256: string | null;
}

/** The earlier import whose snapshot an export matches, and what the new run takes over from it. */
export interface SameExport {
  importId: string;
  municipality: number;
  exportDate: string;
  files: RecordedFile[];
  loaded: Record<string, number>;
  unchanged: Record<string, number>;
  rejectedCount: number;
  warningCount: number;
}

/**
 * The import that loaded the snapshot in force that `paths` would make again, or null. Sizes are
 * compared first: the files are read (their SHA-256) only when some snapshot has the same names and
 * sizes, and the reading stops at the first file that differs.
 */
export async function findSameExport(
  db: Pick<ClientBase, 'query'>,
  source: string,
  paths: string[],
  conditions: { municipality: number | null; exportDate: string | null; keyId: string; today: string },
  checksum: (path: string) => Promise<{ sha256: string }>,
): Promise<SameExport | null> {
  const { rows } = await db.query(
    `SELECT r.id::text AS "importId", s.municipality_code AS municipality, to_char(s.export_date, 'YYYY-MM-DD') AS "exportDate",
            r.files, r.loaded, r.unchanged, r.rejected_count AS "rejectedCount", r.warning_count AS "warningCount", r.reuse
     FROM source_snapshot s JOIN import_run r ON r.id = s.import_id
     WHERE s.source = $1 AND r.status = 'succeeded' AND r.reuse IS NOT NULL AND ($2::smallint IS NULL OR s.municipality_code = $2)`,
    [source, conditions.municipality],
  );
  const sizes = paths.map((path) => ({ path, file: basename(path), bytes: statSync(path).size }));
  let candidates = (rows as (SameExport & { reuse: ReuseRecord })[]).filter(
    (row) =>
      sameConditions(row.reuse, conditions) &&
      row.files.length === sizes.length &&
      sizes.every((f) => row.files.some((r) => r.file === f.file && r.bytes === f.bytes && r.sha256 !== null)),
  );
  for (const f of sizes) {
    if (candidates.length === 0) return null;
    const { sha256 } = await checksum(f.path);
    candidates = candidates.filter((row) => row.files.some((r) => r.file === f.file && r.sha256 === sha256));
  }
  if (candidates.length === 0) return null;
  const { reuse: _reuse, ...same } = candidates[0];
  return same;
}

/** Whether a snapshot loaded under `reuse` is what the import would make now under `now`. */
export function sameConditions(reuse: ReuseRecord, now: { exportDate: string | null; keyId: string; today: string }): boolean {
  if (reuse.rules !== RULES_FINGERPRINT || reuse.keyId !== now.keyId || reuse.exportDate !== now.exportDate) return false;
  // A given export date decides the date rule; the default one is the newest event not after today.
  return now.exportDate !== null || reuse.until === null || now.today < reuse.until;
}

/**
 * Records the run of an export that matched `same` (import_run `importId`, still 'running'), in
 * one transaction: succeeded, the earlier import's counts as unchanged rows, its issues copied (the
 * data-quality page reads the newest run's). Under the municipality's snapshot lock, and only while
 * that import's snapshot is still the one in force: false (nothing written) when another import
 * replaced it meanwhile.
 */
export async function recordSameExport(client: PoolClient, source: string, importId: string, same: SameExport): Promise<boolean> {
  await client.query('BEGIN');
  try {
    await lockCaseSnapshot(client, same.municipality);
    const { rows } = await client.query(`SELECT 1 FROM source_snapshot WHERE municipality_code = $1 AND source = $2 AND import_id = $3`, [
      same.municipality,
      source,
      same.importId,
    ]);
    if (rows.length === 0) {
      await client.query('ROLLBACK');
      return false;
    }
    // The issues in their order (the id), the new run's after every earlier one.
    await client.query(
      `INSERT INTO import_issue (import_id, municipality_code, severity, file, line, rule, value, message)
       SELECT $1, municipality_code, severity, file, line, rule, value, message FROM import_issue WHERE import_id = $2 ORDER BY id`,
      [importId, same.importId],
    );
    const inForce: Record<string, number> = {};
    for (const counts of [same.loaded, same.unchanged])
      for (const [entity, n] of Object.entries(counts)) inForce[entity] = (inForce[entity] ?? 0) + n;
    await client.query(
      `UPDATE import_run SET status = 'succeeded', error = NULL, finished_at = now(), municipality_code = $2, export_date = $3, loaded = '{}', unchanged = $4,
         removed = '{}', rejected_count = $5, warning_count = $6, files = $7, same_as = $8 WHERE id = $1`,
      [
        importId,
        same.municipality,
        same.exportDate,
        inForce,
        same.rejectedCount,
        same.warningCount,
        JSON.stringify(same.files),
        same.importId,
      ],
    );
    await client.query('COMMIT');
    return true;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
