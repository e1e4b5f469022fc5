import { fork } from 'child_process';
import { constants, setPriority } from 'os';
import { lstat, readdir, rm } from 'fs/promises';
import { join, resolve } from 'path';
import { UploadError, type EtlJobData } from '@bu/jobs';
import type { Queue } from '@bu/queue';
import { childEntry } from '../child-entry';

// The zip checks live in @bu/jobs (the API checks an upload with them before queueing it); the
// worker's side of an upload is here: the unpacking in a child process and the orphan sweep.
export { ensurePrivateDir, inspectUploadZip, unpackDirFor, unpackUploadZip, UPLOAD_ZIP_LIMITS, UploadError } from '@bu/jobs';

const UNPACK_ENTRY = childEntry(join(__dirname, 'unpack-child-entry'));

/**
 * unpackUploadZip in a child process at the lowest CPU priority. The worker may share its process
 * (and the machine's cores) with the API: inflating hundreds of megabytes there made every
 * dashboard request wait its turn (test/api/upload-latency.test.ts measures it).
 */
export function unpackUploadZipApart(path: string, target: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = fork(UNPACK_ENTRY.file, [...UNPACK_ENTRY.argv, path, target], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    try {
      setPriority(child.pid!, constants.priority.PRIORITY_LOW);
    } catch {
      // Not allowed here: it still runs apart from the API's event loop.
    }
    let answer: { type: 'done'; files: string[] } | { type: 'refused' | 'error'; message: string } | undefined;
    child.on('message', (message: typeof answer) => (answer = message));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (answer?.type === 'done') resolve(answer.files);
      else if (answer?.type === 'refused') reject(new UploadError(answer.message));
      else reject(new Error(answer?.message ?? `unpacking ${path} stopped (exit code ${code})`));
    });
  });
}

/** How long an upload may sit with no job before the start-up sweep takes it for an orphan. */
export const ORPHAN_AGE_MS = 60 * 60_000;

/**
 * Removes what a crash or a lost job left in the upload folder: zips and unpacked folders not
 * touched for `olderThanMs` that no unfinished job refers to. The age spares an upload still being
 * received (its file grows) or just received and being queued; a job being retried touches its
 * zip at every attempt. Jobs are read waiting before active, so one moving on is not missed.
 */
export async function sweepUploadOrphans(
  uploadDir: string,
  queue: Queue<EtlJobData>,
  options: { olderThanMs?: number; now?: number } = {},
): Promise<string[]> {
  const cutoff = (options.now ?? Date.now()) - (options.olderThanMs ?? ORPHAN_AGE_MS);
  uploadDir = resolve(uploadDir);
  const names = await readdir(uploadDir).catch(() => [] as string[]); // no upload folder yet: nothing to sweep
  const inUse = new Set<string>();
  for (const states of [['delayed', 'prioritized', 'waiting', 'waiting-children'], ['active']] as const) {
    for (const job of await queue.getJobs([...states], 0, -1)) {
      if (job?.data?.zip) inUse.add(job.data.zip).add(job.data.dir);
    }
  }
  const removed: string[] = [];
  for (const name of names) {
    const path = join(uploadDir, name);
    const stat = await lstat(path).catch(() => null); // removed meanwhile (its job ended)
    if (!stat || stat.mtimeMs > cutoff || inUse.has(path)) continue;
    await rm(path, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
