import { UnrecoverableError } from 'bullmq';
import { maskCprLike } from '@bu/domain';
import { runWithLogContext } from '@bu/logger';
import type { Job } from '@bu/queue';
import { JOB_NAMES, type JobName, type JobPayloads } from './contract';
import { REPORT_JOB_NAMES, type ReportJobPayloads } from './reports';

/** One handler per job name of a queue's contract `P` (its payloads by name). */
export type HandlersFor<P, R = unknown> = { [N in keyof P]: (job: Job<P[N], R>) => Promise<R> };

export type JobHandler<N extends JobName, R = unknown> = (job: Job<JobPayloads[N], R>) => Promise<R>;

/** One handler per job name: a name without one is a type error, and (if forced through) a start-up error. */
export type JobHandlers<R = unknown> = HandlersFor<JobPayloads, R>;

/** The 'reports' queue's handlers (apps/worker). */
export type ReportJobHandlers<R = unknown> = HandlersFor<ReportJobPayloads, R>;

export class MissingJobHandler extends Error {}

/**
 * A worker's processor for a queue's contract: checks at start-up that every job name has a
 * handler (fail fast, as Immich's job service does, rather than failing the first such job hours
 * later), then routes each job to its handler by name. A job of a name outside the contract is not
 * retried. Every line logged while a job runs carries its id (`job`), as a request's carry the
 * request id.
 */
export function routerFor<P, R>(names: readonly (keyof P & string)[], handlers: HandlersFor<P, R>): (job: Job<unknown, R>) => Promise<R> {
  const missing = names.filter((name) => typeof (handlers as Partial<HandlersFor<P, R>>)[name] !== 'function');
  if (missing.length > 0) throw new MissingJobHandler(`No handler for job ${missing.map((n) => `"${n}"`).join(', ')}.`);
  return (job) => {
    const handler = Object.hasOwn(handlers, job.name) ? (handlers[job.name as keyof P] as (job: Job<unknown, R>) => Promise<R>) : undefined;
    if (!handler) throw new UnrecoverableError(`Unknown job "${job.name}".`);
    return runWithLogContext({ job: String(job.id) }, () => handler(job)).catch((error: unknown) => {
      throw maskedFailure(error);
    });
  };
}

/**
 * A job's error as the queue keeps it (its failedReason and stack trace, and the event stream):
 * message and stack CPR-masked, in place, so that BullMQ still sees its class (UnrecoverableError,
 * DelayedError). An error from unpacking an upload may name an entry of the zip, which is the
 * municipality's file name and may hold a CPR number.
 */
export function maskedFailure(error: unknown): unknown {
  if (error instanceof Error) {
    error.message = maskCprLike(error.message);
    if (error.stack) error.stack = maskCprLike(error.stack);
  }
  return error;
}

/** The 'etl' queue's processor (see routerFor). */
export function jobRouter<R>(handlers: JobHandlers<R>): (job: Job<unknown, R>) => Promise<R> {
  return routerFor<JobPayloads, R>(JOB_NAMES, handlers);
}

/** The 'reports' queue's processor (see routerFor). */
export function reportJobRouter<R>(handlers: ReportJobHandlers<R>): (job: Job<unknown, R>) => Promise<R> {
  return routerFor<ReportJobPayloads, R>(REPORT_JOB_NAMES, handlers);
}
