import { createPostgresBackend, Job, Queue, QueueOptions, withBackend, Worker, WorkerOptions } from 'bullmq';
import { readFileSync } from 'fs';
import IORedis from 'ioredis';
import { hostname } from 'os';
import { APPLICATION_NAME, CONNECTIONS, settings } from '@bu/config';
import { logger } from '@bu/logger';

// One code path for jobs: BullMQ on Redis when REDIS_URL is set, otherwise BullMQ's
// PostgreSQL backend in the product's own database (schema "bullmq"), for the embedded default.

export interface QueueConfig {
  databaseUrl: string;
  redisUrl?: string;
  /** PEM file of the CA that issued the Redis server's certificate, for a rediss:// URL (ADR 0093). */
  redisTlsCaFile?: string;
  /** Redis key prefix (default "bull"): several deployments or test runs can share one Redis. */
  queuePrefix?: string;
  /** Longest wait (ms) for a connection on the PostgreSQL backend; DB_CONNECT_TIMEOUT_MS when absent. */
  dbConnectTimeoutMs?: number;
}

export type QueueBackendKind = 'redis' | 'postgres';

export const ETL_QUEUE = 'etl';
/** The committee's reports and the weekly e-mail (apps/worker; they need the KPIs, which the ETL may not import). */
export const REPORTS_QUEUE = 'reports';

export function queueBackendKind(config: QueueConfig): QueueBackendKind {
  return config.redisUrl ? 'redis' : 'postgres';
}

type Classes = { Queue: typeof Queue; Worker: typeof Worker };

/**
 * Reports a connection's, queue's or worker's errors instead of leaving them unhandled: a Redis
 * (or queue database) outage must not end the API or the worker. ioredis reconnects by itself
 * (with maxRetriesPerRequest null its commands wait meanwhile) and BullMQ resumes; a job whose lock
 * lapsed during the outage is taken up again by the stalled-job check. One line per 30 s, not one
 * per reconnect attempt.
 */
export function reportErrors(
  emitter: { on(event: 'error', listener: (error: Error) => void): unknown },
  what: string,
  log: (line: string) => void = (line) => logger().warn(line),
): void {
  let last = 0;
  emitter.on('error', (error: Error) => {
    if (Date.now() - last < 30_000) return;
    last = Date.now();
    log(`${what}: ${error.message} (retrying)`);
  });
}

function classesFor(config: QueueConfig): { classes: Classes; connection: () => unknown } {
  if (config.redisUrl) {
    const url = config.redisUrl;
    // rediss://: TLS, the server's certificate checked against this CA (else the system's) and its
    // name against the host. Only then: a tls option would turn TLS on for a redis:// URL too.
    const tls = /^rediss:\/\//i.test(url) && config.redisTlsCaFile ? { tls: { ca: readFileSync(config.redisTlsCaFile, 'utf8') } } : {};
    // BullMQ workers need maxRetriesPerRequest null on their blocking connection.
    const connection = () => {
      const redis = new IORedis(url, { maxRetriesPerRequest: null, ...tls });
      reportErrors(redis, 'Redis connection');
      return redis;
    };
    return { classes: { Queue, Worker }, connection };
  }
  const bound = withBackend(createPostgresBackend) as unknown as Classes;
  // Its pools bounded and named as the service's other connections (ADR 0097); pg's default is 10.
  const connection = () => ({
    connectionString: config.databaseUrl,
    schema: 'bullmq',
    migrate: true,
    max: CONNECTIONS.queuePool,
    application_name: APPLICATION_NAME.queue,
    // Bounded as the product's own pools: without it a call waits for ever for a connection (a
    // database restarting, the pool's two taken), and a job whose progress call waits holds its
    // worker and its lock with it.
    connectionTimeoutMillis: config.dbConnectTimeoutMs ?? settings().DB_CONNECT_TIMEOUT_MS,
    // A connection that drops silently is noticed in seconds, as BullMQ's own LISTEN client does.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  return { classes: bound, connection };
}

/** The prefix is a Redis notion; the PostgreSQL backend namespaces by schema in its own database. */
const prefix = (config: QueueConfig) => (config.redisUrl && config.queuePrefix ? { prefix: config.queuePrefix } : {});

export function createQueue<T = unknown>(config: QueueConfig, name: string, opts: Partial<QueueOptions> = {}): Queue<T> {
  const { classes, connection } = classesFor(config);
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- names the job type bullmq infers as any
  const queue = new classes.Queue(name, { ...opts, ...prefix(config), connection: connection() as QueueOptions['connection'] }) as Queue<T>;
  reportErrors(queue, `Queue ${name}`);
  return queue;
}

export function createWorker<T = unknown, R = unknown>(
  config: QueueConfig,
  name: string,
  processor: (job: Job<T, R>) => Promise<R>,
  opts: Partial<WorkerOptions> = {},
): Worker<T, R> {
  const { classes, connection } = classesFor(config);
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- as for the queue above
  const worker = new classes.Worker(name, processor as never, {
    // Which process ran a job (its processedBy; Queue.getWorkers): several worker processes share a queue.
    name: `${hostname()}:${process.pid}`,
    ...opts,
    ...prefix(config),
    connection: connection() as WorkerOptions['connection'],
  }) as Worker<T, R>;
  reportErrors(worker, `Worker ${name}`);
  return worker;
}

export type { Job, Queue, Worker };
