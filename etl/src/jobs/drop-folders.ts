import { createHash } from 'crypto';
import { existsSync } from 'fs';
import { lstat, mkdir, readdir, realpath, rename, rm } from 'fs/promises';
import { basename, dirname, join, resolve } from 'path';
import type { Pool } from 'pg';
import { APPLICATION_NAME } from '@bu/config';
import type { Queue } from '@bu/queue';
import { checksum, SourceKind } from '../import-run';
import { DELIVERY_STATES, privateDelivery, PULL_JOB, stateFolder, type DeliveryState, type EtlJobData } from '@bu/jobs';
import { maskCprInText } from '../pseudonym';
import { withSessionLock } from './session-lock';

export const DONE_MARKER = '.done';
export { DELIVERY_STATES, PULL_JOB, settleDelivery, type DeliveryState } from '@bu/jobs';

export interface DropFolder {
  id: number;
  municipality: number | null;
  source: SourceKind;
  path: string;
}

export type PullOutcome = 'queued' | 'incomplete' | 'empty' | 'refused' | 'error';

/** A delivery that is never read: a link, something other than a file, or a path outside the folder. */
export class DeliveryRefused extends Error {}

/** The drop folder itself, as configured: a real directory, reached through no symbolic link. */
async function folderRoot(path: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`Mappen ${path} findes ikke.`);
    throw error;
  }
  if (real !== resolve(path)) throw new Error(`Mappen ${path} går gennem en symbolsk henvisning (${real}); angiv den rigtige sti.`);
  if (!(await lstat(real)).isDirectory()) throw new Error(`${path} er ikke en mappe.`);
  return real;
}

/**
 * The entries of a delivery (the folder's top level, its state subfolders aside), each checked
 * with lstat before anything reads it: a regular file with one link, whose real path is in the
 * folder. A symbolic link (to a file or a folder), a subfolder, a device or a hard link (its
 * content may be a file elsewhere) refuses the whole delivery.
 */
export async function deliveryEntries(root: string, skip: readonly string[] = DELIVERY_STATES): Promise<string[]> {
  const names = (await readdir(root)).filter((name) => !skip.includes(name)).sort();
  for (const name of names) {
    const path = join(root, name);
    const stat = await lstat(path);
    if (stat.isSymbolicLink()) throw new DeliveryRefused(`${name} er en symbolsk henvisning; den følges ikke.`);
    if (!stat.isFile()) throw new DeliveryRefused(`${name} er ikke en almindelig fil.`);
    if (stat.nlink > 1)
      throw new DeliveryRefused(`${name} har flere hårde henvisninger; indholdet kan høre til en fil uden for afleveringsmappen.`);
    if (dirname(await realpath(path)) !== root) throw new DeliveryRefused(`${name} ligger uden for afleveringsmappen.`);
  }
  return names;
}

/** Where a delivery taken now goes: `<state>/<time>/`, not there yet. */
async function deliveryTarget(root: string, state: DeliveryState): Promise<string> {
  const parent = await stateFolder(root, state);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  let target = join(parent, stamp);
  for (let n = 2; existsSync(target) || existsSync(partial(target)); n++) target = join(parent, `${stamp}-${n}`);
  return target;
}

/** The folder a delivery is moved into before it takes its name: the name appears with every file in it. */
export const partial = (target: string) => join(dirname(target), `.${basename(target)}.partial`);

/**
 * Puts the files of a move that was cut off back into the drop folder (a file of the same name
 * that came meanwhile is kept, and the moved one with it in `failed/`), so the delivery is taken
 * again whole at a later check. The folder that held them goes. What went where.
 */
export async function restoreDelivery(filling: string, root: string): Promise<{ restored: string[]; failed: string | null }> {
  const restored: string[] = [];
  const kept: string[] = [];
  for (const name of await readdir(filling)) {
    if (existsSync(join(root, name))) kept.push(name);
    else {
      await rename(join(filling, name), join(root, name));
      restored.push(name);
    }
  }
  if (kept.length === 0) {
    await rm(filling, { recursive: true, force: true });
    return { restored, failed: null };
  }
  const target = await deliveryTarget(root, 'failed');
  await rename(filling, target);
  return { restored, failed: target };
}

/**
 * Moves the delivery's entries (links as links, never followed) into `<state>/<time>/` (0700, files
 * 0600): into a folder of another name first, renamed when all are in, so that a job that reads it
 * finds the whole delivery or none.
 */
async function moveDelivery(root: string, names: string[], state: DeliveryState, to?: string): Promise<string> {
  const target = to ?? (await deliveryTarget(root, state));
  const filling = partial(target);
  await mkdir(filling, { mode: 0o700 });
  try {
    for (const name of names) await rename(join(root, name), join(filling, name));
    await privateDelivery(filling);
    await rename(filling, target);
  } catch (error) {
    // Half moved: back where they were, for the next check (a process killed here: the job does it).
    await restoreDelivery(filling, root).catch(() => undefined);
    throw error;
  }
  return target;
}

/** How long a delivery's job waits for its files to be moved before it runs anyway (promoted as soon as they are). */
export const DELIVERY_MOVE_MS = 60_000;

/** How long a delivery's job waits again when it finds its files still being moved (a slow mount). */
export const DELIVERY_MOVING_DELAY_MS = 10_000;
/** After this long from its queueing, a check still running is taken as stuck: the move as cut off. */
export const DELIVERY_MOVING_MAX_MS = 3_600_000;

/** A delivery's job that found no folder: its files were never moved (the worker stopped in between). */
export const DELIVERY_NOT_MOVED = (dir: string): string =>
  `Leverancen blev ikke flyttet til ${dir}, før dens import skulle begynde; filerne ligger stadig i afleveringsmappen og hentes ved næste kontrol. Intet er indlæst.`;

/** What purgeDeliveries removed from one drop folder. */
export interface PurgedDeliveries {
  municipality: number | null;
  removed: number;
}

/**
 * The retention purge of the drop folders (called by purgeExpired): every `<state>/<time>/` whose
 * time (its folder's modification time: when it was taken, or settled) is before `cutoff` is
 * removed, with everything in it: a failed or refused delivery kept for diagnosis, a receipt in
 * `processed/`, a delivery left in `processing/` (a cancelled job, a lost queue, a move that
 * failed). In `processing/` only with `inUse` (the dirs unfinished jobs name) known, and never
 * one of those. A folder that cannot be reached is skipped (the pull records it); a state
 * subfolder that is not a real folder is never entered, and nothing is followed through a link.
 */
export async function purgeDeliveries(pool: Pool, cutoff: number, inUse?: ReadonlySet<string>): Promise<PurgedDeliveries[]> {
  const { rows } = await pool.query(`SELECT municipality_code AS municipality, path FROM drop_folder ORDER BY id`);
  const purged: PurgedDeliveries[] = [];
  for (const folder of rows) {
    let root: string;
    try {
      root = await folderRoot(folder.path);
    } catch {
      continue;
    }
    let removed = 0;
    for (const state of DELIVERY_STATES) {
      if (state === 'processing' && !inUse) continue;
      const parent = join(root, state);
      const stat = await lstat(parent).catch(() => null);
      if (!stat?.isDirectory()) continue;
      for (const name of await readdir(parent)) {
        const path = join(parent, name);
        // A job's delivery, and the hidden folder its files are still being moved into.
        const moving = /^\.(.+)\.partial$/.exec(name);
        if (inUse?.has(path) || (moving && inUse?.has(join(parent, moving[1])))) continue;
        const entry = await lstat(path).catch(() => null); // removed meanwhile
        if (!entry || entry.mtimeMs >= cutoff) continue;
        await rm(path, { recursive: true, force: true });
        removed++;
      }
    }
    if (removed > 0) purged.push({ municipality: folder.municipality, removed });
  }
  return purged;
}

/** One checksum over a delivery's files (names and contents), the marker excluded. */
async function deliveryChecksum(root: string, names: string[]): Promise<string | null> {
  const files = names.filter((name) => name !== DONE_MARKER);
  if (files.length === 0) return null;
  const hash = createHash('sha256');
  for (const name of files) hash.update(`${name}:${(await checksum(join(root, name))).sha256}\n`);
  return hash.digest('hex');
}

/**
 * Checks every drop folder once. A delivery is complete when a `.done` marker is there, or when its
 * checksum is the same as on the previous check; a complete delivery is moved, marker and all, to
 * `processing/<time>/` and queued as an import job from there, so that it is never taken again. A
 * delivery with a link or anything but plain files is moved to `failed/<time>/` unread. A folder
 * that cannot be read, or a refused delivery, is recorded as a failed import; the other folders go
 * on. While another check runs (on any worker), this one does nothing and says nothing ({}).
 */
export async function pullDropFolders(pool: Pool, queue: Queue<EtlJobData>): Promise<Record<string, PullOutcome>> {
  // One check at a time over every worker (a check that outlasts the schedule's interval, a stalled
  // one run again): two would take the same delivery twice, or split its files.
  return withSessionLock(pool, PULL_LOCK, async (got) => (got ? pullEach(pool, queue) : {}));
}

/** Held by the running drop-folder check, on a connection of its own: it ends with the check, or with its process. */
const PULL_LOCK = { name: 'pull-drop-folders', key: 0, application: APPLICATION_NAME.etl };

/**
 * Runs `run` while no drop-folder check can start or run (on any worker), or returns null when one is
 * running: a delivery's hidden folder is then possibly a move in progress, not one cut off. A check
 * that would start meanwhile skips its turn (it says nothing, and the next one runs).
 */
export function whileNoCheckRuns<R>(pool: Pool, run: () => Promise<R>): Promise<{ value: R } | null> {
  return withSessionLock(pool, PULL_LOCK, async (got) => (got ? { value: await run() } : null));
}

async function pullEach(pool: Pool, queue: Queue<EtlJobData>): Promise<Record<string, PullOutcome>> {
  const { rows } = await pool.query(
    `SELECT id, municipality_code AS municipality, source, path, seen_checksum FROM drop_folder ORDER BY id`,
  );
  const outcomes: Record<string, PullOutcome> = {};
  for (const folder of rows) {
    const requestedBy = `drop-folder:${folder.id}`;
    const fail = async (message: string) => {
      const masked = maskCprInText(message);
      await pool.query(`UPDATE drop_folder SET checked_at = now(), last_error = $2 WHERE id = $1`, [folder.id, masked]);
      await pool.query(
        `INSERT INTO import_run (municipality_code, source, status, requested_by, finished_at, error) VALUES ($1, $2, 'failed', $3, now(), $4)`,
        [folder.municipality, folder.source, requestedBy, masked],
      );
    };
    try {
      const root = await folderRoot(folder.path);
      let names: string[];
      try {
        names = await deliveryEntries(root);
      } catch (error) {
        if (!(error instanceof DeliveryRefused)) throw error;
        const moved = await moveDelivery(
          root,
          await readdir(root).then((all) => all.filter((n) => !(DELIVERY_STATES as readonly string[]).includes(n))),
          'failed',
        );
        outcomes[folder.path] = 'refused';
        await fail(`Leverancen i ${folder.path} er afvist og flyttet ulæst til ${moved}: ${error.message} Intet er indlæst.`);
        await pool.query(`UPDATE drop_folder SET seen_checksum = NULL WHERE id = $1`, [folder.id]);
        continue;
      }
      const sum = await deliveryChecksum(root, names);
      let seen: string | null = sum;
      if (sum === null && names.includes(DONE_MARKER)) {
        // A marker without files would make the next delivery look complete at its first file.
        const moved = await moveDelivery(root, names, 'failed');
        outcomes[folder.path] = 'refused';
        await fail(
          `Leverancen i ${folder.path} har en ${DONE_MARKER}-markør, men ingen filer; markøren er flyttet til ${moved}. Intet er indlæst.`,
        );
        seen = null;
      } else if (sum === null) {
        outcomes[folder.path] = 'empty';
      } else if (names.includes(DONE_MARKER) || sum === folder.seen_checksum) {
        // Queued before the files move, to start once they have: a queue that cannot take the job
        // (Redis or PostgreSQL failing at that moment) leaves the delivery where it is, for the
        // next check, instead of moved away with no job to import it. The job id makes one
        // delivery queue once.
        const dir = await deliveryTarget(root, 'processing');
        const job = await queue.add(
          'import',
          { source: folder.source, dir, municipality: folder.municipality ?? undefined, requestedBy, delivery: true },
          { jobId: `drop-${folder.id}-${basename(dir)}`, delay: DELIVERY_MOVE_MS },
        );
        await moveDelivery(root, names, 'processing', dir);
        // Now rather than after the delay; if the queue cannot be told, the delay ends it.
        await job.promote().catch(() => undefined);
        await pool.query(`UPDATE drop_folder SET imported_checksum = $2 WHERE id = $1`, [folder.id, sum]);
        outcomes[folder.path] = 'queued';
        seen = null;
      } else {
        outcomes[folder.path] = 'incomplete';
      }
      await pool.query(`UPDATE drop_folder SET seen_checksum = $2, checked_at = now(), last_error = NULL WHERE id = $1`, [folder.id, seen]);
    } catch (error) {
      outcomes[folder.path] = 'error';
      await fail(`Hentning fra ${folder.path} fejlede: ${(error as Error).message}`);
    }
  }
  return outcomes;
}

/** The schedule: one repeatable job on the 'etl' queue (BullMQ job scheduler). */
export async function scheduleDropFolderPull(queue: Queue<EtlJobData>, everyMs: number): Promise<void> {
  await queue.upsertJobScheduler(PULL_JOB, { every: everyMs }, { name: PULL_JOB, data: {} as EtlJobData });
}
