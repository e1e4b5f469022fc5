import type { JobSchedulerTemplateOptions } from 'bullmq';
import type { Queue } from '@bu/queue';

/** When a scheduler makes its jobs: a cron pattern (in a time zone) or a fixed interval. */
export type SchedulerRepeat = { pattern: string; tz?: string } | { every: number };

/** The job a scheduler makes each time. */
export interface SchedulerTemplate<T> {
  name: string;
  data: T;
  opts?: JobSchedulerTemplateOptions;
}

/** JSON with sorted keys: the same value stored and read back compares equal whatever its key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * Registers a job scheduler unless the queue already has it as given, and says whether it did.
 *
 * Every start of a worker registers its schedules. BullMQ's upsertJobScheduler of a cron pattern
 * removes the scheduler's job when it is still delayed or waiting and queues the slot after now:
 * a report that is due but waits behind others in a one-at-a-time worker (every municipality's on
 * the 5th at 06:00) would be dropped by a deploy, until next month. So an unchanged scheduler
 * (pattern, time zone, interval, job name, data and options) whose next job is still there is
 * left alone; a changed one, or one whose job is gone, is registered anew.
 *
 * The options compared are the ones BullMQ stores: the queue's default job options with the
 * template's over them (Queue.upsertJobScheduler merges them so); the template's alone never equal
 * them on a queue with defaults (reportQueue, etlQueue), and every start would register anew.
 */
export async function ensureJobScheduler<T>(
  queue: Queue<T>,
  key: string,
  repeat: SchedulerRepeat,
  template: SchedulerTemplate<T>,
): Promise<boolean> {
  const existing = await queue.getJobScheduler(key);
  const same =
    existing &&
    existing.name === template.name &&
    existing.pattern === ('pattern' in repeat ? repeat.pattern : undefined) &&
    existing.tz === ('pattern' in repeat ? repeat.tz : undefined) &&
    existing.every === ('every' in repeat ? repeat.every : undefined) &&
    // BullMQ keeps no data for an empty payload.
    canonical(existing.template?.data ?? {}) === canonical(template.data ?? {}) &&
    canonical(existing.template?.opts ?? {}) === canonical({ ...queue.defaultJobOptions, ...template.opts });
  // The job of the next slot, not yet finished, is what keeps the scheduler going.
  const next = same && existing.next != null ? await queue.getJob(`repeat:${key}:${existing.next}`) : undefined;
  const state = next && (await next.getState());
  if (state && state !== 'completed' && state !== 'failed' && state !== 'unknown') return false;
  // Queue<unknown>: a job name of this generic T is any string to the compiler.
  await (queue as Queue<unknown>).upsertJobScheduler(key, repeat, template);
  return true;
}
