import { createHash } from 'crypto';
import { existsSync } from 'fs';
import { chmod, lstat, mkdir, readdir, realpath, rename, rm, utimes } from 'fs/promises';
import { basename, dirname, join, resolve } from 'path';
import type { Pool } from 'pg';
import type { Queue } from '@bu/queue';
import { checksum, SourceKind } from '../import-run';
import { PULL_JOB, type EtlJobData } from '@bu/jobs';
import { maskCprInText } from '../pseudonym';

export const DONE_MARKER = '.done';
export { PULL_JOB } from '@bu/jobs';

/**
 * A drop folder's own subfolders (0700, the worker's only): a taken delivery waits and is imported
 * in `processing/<time>/`. Imported, its files (full CPR numbers) are deleted and the empty
 * `processed/<time>/` is left as a receipt; refused or failed, it lies in `failed/<time>/` with its
 * marker for diagnosis. None is read again; the retention purge (purgeDeliveries) removes what is
 * left in any of them after the product-wide retention.upload_days.
 */
export const DELIVERY_STATES = ['processing', 'processed', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

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

/** Not allowed to change another account's file or folder: the private folder around it still keeps it private. */
const notOwner = (error: unknown) => {
  if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
};

/** A folder of the worker's only (0700), whatever the umask; one made looser (an older version, by hand) is tightened. */
async function privateFolder(path: string, made: boolean): Promise<void> {
  if (made || ((await lstat(path)).mode & 0o777) !== 0o700) await chmod(path, 0o700).catch(notOwner);
}

/**
 * A state subfolder of the drop folder, made (0700) when missing; refused when it is anything but
 * a real folder.
 */
async function stateFolder(root: string, state: DeliveryState): Promise<string> {
  const path = join(root, state);
  const stat = await lstat(path).catch(() => null);
  if (!stat) await mkdir(path, { mode: 0o700 });
  else if (stat.isSymbolicLink() || !stat.isDirectory())
    throw new Error(`${path} er ikke en almindelig mappe; afleveringer flyttes ikke derhen.`);
  await privateFolder(path, !stat);
  return path;
}

/**
 * A moved delivery's folder 0700 and its files 0600 (they keep the delivering account's mode
 * otherwise). Only a regular file with one link is changed: chmod follows a symbolic link, and a
 * hard link's file is also somewhere else; neither is the delivery's to change (a refused delivery
 * may hold them). Nobody but the worker can put anything in the folder meanwhile.
 */
async function privateDelivery(dir: string): Promise<void> {
  await privateFolder(dir, true);
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    const stat = await lstat(path);
    if (stat.isFile() && stat.nlink === 1 && (stat.mode & 0o777) !== 0o600) await chmod(path, 0o600).catch(notOwner);
  }
}

/** Moves the delivery's entries (links as links, never followed) into `<state>/<time>/` (0700, files 0600). */
async function moveDelivery(root: string, names: string[], state: DeliveryState): Promise<string> {
  const parent = await stateFolder(root, state);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  let target = join(parent, stamp);
  for (let n = 2; existsSync(target); n++) target = join(parent, `${stamp}-${n}`);
  await mkdir(target, { mode: 0o700 });
  for (const name of names) await rename(join(root, name), join(target, name));
  await privateDelivery(target);
  return target;
}

/**
 * Ends a taken delivery (the import job, when it is done for good). Imported: its import has
 * committed (the database holds what it said, pseudonymised), so its files are deleted and the
 * empty folder moves to `processed/<time>/` as a receipt. Failed: `processing/<time>/` becomes
 * `failed/<time>/`, kept for diagnosis until the retention purge; its time is reset so that the
 * retention counts from now.
 */
export async function settleDelivery(dir: string, state: 'processed' | 'failed'): Promise<string> {
  const root = dirname(dirname(dir));
  if (state === 'processed') {
    // rm never follows a link: a link is removed, not what it points at.
    for (const name of await readdir(dir)) await rm(join(dir, name), { recursive: true, force: true });
  }
  const target = join(await stateFolder(root, state), basename(dir));
  await rename(dir, target);
  await privateDelivery(target);
  const now = new Date();
  await utimes(target, now, now).catch(notOwner);
  return target;
}

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
        if (inUse?.has(path)) continue;
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
 * on.
 */
export async function pullDropFolders(pool: Pool, queue: Queue<EtlJobData>): Promise<Record<string, PullOutcome>> {
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
        const dir = await moveDelivery(root, names, 'processing');
        // The job id makes one delivery queue once, also if this check runs again before it is moved.
        await queue.add(
          'import',
          { source: folder.source, dir, municipality: folder.municipality ?? undefined, requestedBy, delivery: true },
          { jobId: `drop-${folder.id}-${basename(dir)}` },
        );
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
