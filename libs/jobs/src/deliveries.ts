// A drop folder's delivery states, shared by the worker (which takes, imports and settles a
// delivery: etl/src/jobs/drop-folders.ts) and the API (which settles a cancelled one).
import { chmod, lstat, mkdir, readdir, rename, rm, utimes } from 'fs/promises';
import { basename, dirname, join } from 'path';

/**
 * A drop folder's own subfolders (0700, the worker's only): a taken delivery waits and is imported
 * in `processing/<time>/`. Imported, its files (full CPR numbers) are deleted and the empty
 * `processed/<time>/` is left as a receipt; refused or failed, it lies in `failed/<time>/` with its
 * marker for diagnosis. None is read again; the retention purge (purgeDeliveries) removes what is
 * left in any of them after the product-wide retention.upload_days.
 */
export const DELIVERY_STATES = ['processing', 'processed', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

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
export async function stateFolder(root: string, state: DeliveryState): Promise<string> {
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
export async function privateDelivery(dir: string): Promise<void> {
  await privateFolder(dir, true);
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    const stat = await lstat(path);
    if (stat.isFile() && stat.nlink === 1 && (stat.mode & 0o777) !== 0o600) await chmod(path, 0o600).catch(notOwner);
  }
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
