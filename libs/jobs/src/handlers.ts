import { UnrecoverableError } from 'bullmq';
import { runWithLogContext } from '@bu/logger';
import type { Job } from '@bu/queue';
import { JOB_NAMES, type JobName, type JobPayloads } from './contract';

export type JobHandler<N extends JobName, R = unknown> = (job: Job<JobPayloads[N], R>) => Promise<R>;

/** One handler per job name: a name without one is a type error, and (if forced through) a start-up error. */
export type JobHandlers<R = unknown> = { [N in JobName]: JobHandler<N, R> };

export class MissingJobHandler extends Error {}

/**
 * The worker's processor: checks at start-up that every job of the contract has a handler (fail
 * fast, as Immich's job service does, rather than failing the first such job hours later), then
 * routes each job to its handler by name. A job of a name outside the contract is not retried.
 * Every line logged while a job runs carries its id (`job`), as a request's carry the request id.
 */
export function jobRouter<R>(handlers: JobHandlers<R>): (job: Job<unknown, R>) => Promise<R> {
  const missing = JOB_NAMES.filter((name) => typeof (handlers as Partial<JobHandlers<R>>)[name] !== 'function');
  if (missing.length > 0) throw new MissingJobHandler(`No handler for job ${missing.map((n) => `"${n}"`).join(', ')}.`);
  return (job) => {
    const handler = Object.hasOwn(handlers, job.name) ? (handlers[job.name as JobName] as JobHandler<JobName, R>) : undefined;
    if (!handler) throw new UnrecoverableError(`Unknown job "${job.name}".`);
    return runWithLogContext({ job: String(job.id) }, () => handler(job as Job<never, R>));
  };
}
