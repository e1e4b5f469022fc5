import type { JobsOptions, JobType } from 'bullmq';
import { createQueue, ETL_QUEUE, type Job, type Queue, type QueueConfig } from '@bu/queue';
import { ETL_JOB_OPTIONS, type EtlJobData, type JobName, type JobPayloads } from './contract';

/** The 'etl' queue itself (BullMQ), for the worker's own bookkeeping and for tests. Producers use JobQueue. */
export function etlQueue(config: QueueConfig): Queue<EtlJobData> {
  return createQueue<EtlJobData>(config, ETL_QUEUE, { defaultJobOptions: ETL_JOB_OPTIONS });
}

/** What a producer needs (the API, the scripts): a job of the contract, with that job's payload. */
export interface JobProducer {
  enqueue<N extends JobName>(name: N, data: JobPayloads[N], options?: JobsOptions): Promise<Job<EtlJobData>>;
}

/**
 * The typed producer: `enqueue` takes a job name of the contract and only that job's payload, so
 * the API and the scripts queue jobs without knowing the ETL. It also reads jobs back (state,
 * result) for the import status endpoints.
 */
export class JobQueue implements JobProducer {
  constructor(readonly queue: Queue<EtlJobData>) {}

  enqueue<N extends JobName>(name: N, data: JobPayloads[N], options?: JobsOptions): Promise<Job<EtlJobData>> {
    // The queue's data type is the import's: the scheduled jobs' empty payloads fit it.
    return this.queue.add(name, data as EtlJobData, options);
  }

  getJob(id: string): Promise<Job<EtlJobData> | undefined> {
    return this.queue.getJob(id);
  }

  getJobState(id: string) {
    return this.queue.getJobState(id);
  }

  getJobs(types: JobType[], start?: number, end?: number): Promise<Job<EtlJobData>[]> {
    return this.queue.getJobs(types, start, end);
  }

  /** For the health check: a query that needs the queue's backend. */
  getJobCounts(...types: JobType[]): Promise<Record<string, number>> {
    return this.queue.getJobCounts(...types);
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

export function jobQueue(config: QueueConfig): JobQueue {
  return new JobQueue(etlQueue(config));
}
