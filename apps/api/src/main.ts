import type { Server } from 'http';
import { Pool } from 'pg';
import { ensurePrivateDir, etlQueue, scheduleDropFolderPull, scheduleRetentionPurge, startEtlWorker, sweepUploadOrphans } from '@bu/etl';
import { createApp } from './app';
import { exitOnConfigError, type WorkerConfig } from '@bu/config';
import { AppConfig, configFromEnv } from './config';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/**
 * Starts the API (and, unless disabled, the ETL worker in the same process). `close` stops in
 * order: no new connections; requests in flight and the worker's running job get
 * config.shutdownGraceMs (side by side) to finish; then the database connections close.
 */
export async function serve(config: AppConfig): Promise<RunningServer> {
  const app = await createApp(config);
  await app.listen(config.port, '0.0.0.0');
  const worker = config.runWorker ? startWorker(config) : undefined;
  const http = app.getHttpServer() as Server;
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://localhost:${port}`,
    close: () =>
      (closing ??= (async () => {
        const drained = new Promise<void>((r) => http.close(() => r()));
        // Keep-alive connections with no request in flight go now; the others after their answer.
        http.closeIdleConnections();
        const idle = setInterval(() => http.closeIdleConnections(), 100);
        const late = setTimeout(() => http.closeAllConnections(), config.shutdownGraceMs);
        await Promise.all([drained.finally(() => (clearInterval(idle), clearTimeout(late))), worker?.close()]);
        await app.close();
      })()),
  };
}

/**
 * SIGTERM / SIGINT: `stop` (the graceful close), then exit 0; 1 if it failed. A second signal
 * while stopping exits at once (1).
 */
export function stopOnSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      console.error(`${signal} again: stopping now.`);
      process.exit(1);
    }
    stopping = true;
    console.log(`${signal}: stopping (requests in flight and a running job are finished first).`);
    stop().then(
      () => process.exit(0),
      (error: Error) => {
        console.error(`Could not stop cleanly: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** `swept`: the start-up sweep of orphaned uploads is done (the names it removed). */
export function startWorker(config: WorkerConfig): { close(): Promise<void>; swept: Promise<string[]> } {
  ensurePrivateDir(config.uploadDir);
  const pool = new Pool({
    connectionString: config.databaseUrl,
    max: 4,
    connectionTimeoutMillis: config.dbConnectTimeoutMs,
    keepAlive: true,
  });
  guardPool(pool);
  const worker = startEtlWorker(config, pool, config.pseudonymSecret, {
    lockDurationMs: config.etlLockDurationMs,
    uploadDir: config.uploadDir,
  });
  worker.on('failed', (job, error) => console.error(`ETL job ${job?.id} failed: ${error.message}`));
  const queue = etlQueue(config);
  // Raw uploads a crash or a lost job left behind are removed at start-up (see sweepUploadOrphans).
  const swept = sweepUploadOrphans(config.uploadDir, queue).catch((e) => {
    console.error(`Could not sweep the upload folder: ${e.message}`);
    return [] as string[];
  });
  // Drop folders are checked on a schedule (default every 15 minutes; 0 turns it off).
  const every = config.dropFolderIntervalMs;
  // The retention purge runs daily (etl/src/jobs/retention.ts).
  void Promise.all([
    swept,
    every > 0
      ? scheduleDropFolderPull(queue, every).catch((e) => console.error(`Could not schedule the drop-folder check: ${e.message}`))
      : undefined,
    scheduleRetentionPurge(queue).catch((e) => console.error(`Could not schedule the retention purge: ${e.message}`)),
  ]).finally(() => void queue.close());
  let closing: Promise<void> | undefined;
  return {
    swept,
    close: () =>
      (closing ??= (async () => {
        // The running job gets the grace period to finish; after it the worker lets go without
        // waiting: the job's lock is no longer renewed, so it goes back to the queue (stalled) and
        // another worker, or this one restarted, runs it again (the import is all or nothing).
        const finished = await Promise.race([worker.close().then(() => true), sleep(config.shutdownGraceMs).then(() => false)]);
        if (!finished) {
          // No further wait: the process ends next, its connections with it, and the import's
          // transaction rolls back (an import that committed in this instant is run again: imports
          // are idempotent).
          console.error('The running ETL job did not finish in time: it goes back to the queue.');
          return;
        }
        await Promise.race([pool.end(), sleep(10_000)]);
      })()),
  };
}

/** Pool 'error' handlers: an idle or lent connection that the server drops must not end the process. */
export function guardPool(pool: Pool): Pool {
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

if (require.main === module) {
  serve(exitOnConfigError(() => configFromEnv())).then(
    (server) => {
      stopOnSignals(() => server.close());
      console.log(`Børneblik API on ${server.url}`);
    },
    (error) => {
      console.error(error.message);
      process.exit(1);
    },
  );
}
