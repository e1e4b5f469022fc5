import { createPostgresBackend, Job, Queue, QueueOptions, withBackend, Worker, WorkerOptions } from 'bullmq';
import IORedis from 'ioredis';

// One code path for jobs: BullMQ on Redis when REDIS_URL is set, otherwise BullMQ's
// PostgreSQL backend in the product's own database (schema "bullmq"), for the embedded default.

export interface QueueConfig {
  databaseUrl: string;
  redisUrl?: string;
  /** Redis key prefix (default "bull"): several deployments or test runs can share one Redis. */
  queuePrefix?: string;
}

export type QueueBackendKind = 'redis' | 'postgres';

export const ETL_QUEUE = 'etl';

export function queueBackendKind(config: QueueConfig): QueueBackendKind {
  return config.redisUrl ? 'redis' : 'postgres';
}

type Classes = { Queue: typeof Queue; Worker: typeof Worker };

function classesFor(config: QueueConfig): { classes: Classes; connection: () => unknown } {
  if (config.redisUrl) {
    const url = config.redisUrl;
    // BullMQ workers need maxRetriesPerRequest null on their blocking connection.
    return { classes: { Queue, Worker }, connection: () => new IORedis(url, { maxRetriesPerRequest: null }) };
  }
  const bound = withBackend(createPostgresBackend) as unknown as Classes;
  return { classes: bound, connection: () => ({ connectionString: config.databaseUrl, schema: 'bullmq', migrate: true }) };
}

/** The prefix is a Redis notion; the PostgreSQL backend namespaces by schema in its own database. */
const prefix = (config: QueueConfig) => (config.redisUrl && config.queuePrefix ? { prefix: config.queuePrefix } : {});

// The queue's connection failing (Redis or PostgreSQL restarting) is reported as an 'error' event;
// with no listener that event ends the process. BullMQ reconnects by itself: log once per second at most.
function reportErrors<E extends { on(event: 'error', listener: (error: Error) => void): unknown }>(emitter: E, what: string): E {
  let last = 0;
  emitter.on('error', (error: Error) => {
    if (Date.now() - last < 1000) return;
    last = Date.now();
    console.error(`${what}: ${error.message}`);
  });
  return emitter;
}

export function createQueue<T = unknown>(config: QueueConfig, name: string, opts: Partial<QueueOptions> = {}): Queue<T> {
  const { classes, connection } = classesFor(config);
  return reportErrors(new classes.Queue(name, { ...opts, ...prefix(config), connection: connection() as QueueOptions['connection'] }) as Queue<T>, `Queue ${name}`);
}

export function createWorker<T = unknown, R = unknown>(
  config: QueueConfig,
  name: string,
  processor: (job: Job<T, R>) => Promise<R>,
  opts: Partial<WorkerOptions> = {},
): Worker<T, R> {
  const { classes, connection } = classesFor(config);
  return reportErrors(
    new classes.Worker(name, processor as never, { ...opts, ...prefix(config), connection: connection() as WorkerOptions['connection'] }) as Worker<T, R>,
    `Queue worker ${name}`,
  );
}

export type { Job, Queue, Worker };
