import { createHash } from 'crypto';
import { existsSync, readdirSync, statSync } from 'fs';
import { join } from 'path';
import type { Pool } from 'pg';
import type { Queue } from '@bu/queue';
import { checksum, SourceKind } from '../import-run';
import type { EtlJobData } from './etl-job';
import { maskCprInText } from '../pseudonym';

export const DONE_MARKER = '.done';
export const PULL_JOB = 'pull-drop-folders';

export interface DropFolder {
  id: number;
  municipality: number | null;
  source: SourceKind;
  path: string;
}

export type PullOutcome = 'queued' | 'unchanged' | 'incomplete' | 'empty' | 'error';

/** One checksum over the export files of a folder (names and contents), the marker excluded. */
async function folderChecksum(path: string): Promise<string | null> {
  const files = readdirSync(path).filter((f) => /\.(csv|txt)$/i.test(f) && statSync(join(path, f)).isFile()).sort();
  if (files.length === 0) return null;
  const hash = createHash('sha256');
  for (const f of files) hash.update(`${f}:${(await checksum(join(path, f))).sha256}\n`);
  return hash.digest('hex');
}

/**
 * Checks every drop folder once. A delivery is complete when a `.done` marker is there, or when
 * its checksum is the same as on the previous check; a complete delivery not imported before is
 * queued as an import job, once. A folder that cannot be read is recorded as a failed import.
 */
export async function pullDropFolders(pool: Pool, queue: Queue<EtlJobData>): Promise<Record<string, PullOutcome>> {
  const { rows } = await pool.query(`SELECT id, municipality_code AS municipality, source, path, seen_checksum, imported_checksum FROM drop_folder ORDER BY id`);
  const outcomes: Record<string, PullOutcome> = {};
  for (const folder of rows) {
    try {
      if (!existsSync(folder.path)) throw new Error(`Mappen ${folder.path} findes ikke.`);
      const sum = await folderChecksum(folder.path);
      if (sum === null) {
        outcomes[folder.path] = 'empty';
      } else if (sum === folder.imported_checksum) {
        outcomes[folder.path] = 'unchanged';
      } else if (existsSync(join(folder.path, DONE_MARKER)) || sum === folder.seen_checksum) {
        // The job id makes the same delivery queue once, however often it is checked.
        await queue.add('import', { source: folder.source, dir: folder.path, municipality: folder.municipality ?? undefined, requestedBy: `drop-folder:${folder.id}` }, { jobId: `drop-${folder.id}-${sum.slice(0, 16)}` });
        await pool.query(`UPDATE drop_folder SET imported_checksum = $2 WHERE id = $1`, [folder.id, sum]);
        outcomes[folder.path] = 'queued';
      } else {
        outcomes[folder.path] = 'incomplete';
      }
      await pool.query(`UPDATE drop_folder SET seen_checksum = $2, checked_at = now(), last_error = NULL WHERE id = $1`, [folder.id, sum]);
    } catch (error) {
      const message = maskCprInText(`Hentning fra ${folder.path} fejlede: ${(error as Error).message}`);
      outcomes[folder.path] = 'error';
      await pool.query(`UPDATE drop_folder SET checked_at = now(), last_error = $2 WHERE id = $1`, [folder.id, message]);
      await pool.query(
        `INSERT INTO import_run (municipality_code, source, status, requested_by, finished_at, error) VALUES ($1, $2, 'failed', $3, now(), $4)`,
        [folder.municipality, folder.source, `drop-folder:${folder.id}`, message],
      );
    }
  }
  return outcomes;
}

/** The schedule: one repeatable job on the 'etl' queue (BullMQ job scheduler). */
export async function scheduleDropFolderPull(queue: Queue<EtlJobData>, everyMs: number): Promise<void> {
  await queue.upsertJobScheduler(PULL_JOB, { every: everyMs }, { name: PULL_JOB, data: {} as EtlJobData });
}
