import { Pool } from 'pg';
import { ensurePrivateDir, etlQueue, scheduleDropFolderPull, scheduleRetentionPurge, startEtlWorker, sweepUploadOrphans } from '@bu/etl';
import { createApp } from './app';
import { exitOnConfigError, type WorkerConfig } from '@bu/config';
import { AppConfig, configFromEnv } from './config';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Starts the API (and, unless disabled, the ETL worker in the same process). */
export async function serve(config: AppConfig): Promise<RunningServer> {
  const app = await createApp(config);
  await app.listen(config.port, '0.0.0.0');
  const worker = config.runWorker ? startWorker(config) : undefined;
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return {
    url: `http://localhost:${port}`,
    async close() {
      await worker?.close();
      await app.close();
    },
  };
}

/** `swept`: the start-up sweep of orphaned uploads is done (the names it removed). */
export function startWorker(config: WorkerConfig): { close(): Promise<void>; swept: Promise<string[]> } {
  ensurePrivateDir(config.uploadDir);
  const pool = new Pool({ connectionString: config.databaseUrl, max: 4 });
  const worker = startEtlWorker(config, pool, config.pseudonymSecret, { lockDurationMs: config.etlLockDurationMs, uploadDir: config.uploadDir });
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
    every > 0 ? scheduleDropFolderPull(queue, every).catch((e) => console.error(`Could not schedule the drop-folder check: ${e.message}`)) : undefined,
    scheduleRetentionPurge(queue).catch((e) => console.error(`Could not schedule the retention purge: ${e.message}`)),
  ]).finally(() => void queue.close());
  return {
    swept,
    async close() {
      await worker.close();
      await pool.end();
    },
  };
}

if (require.main === module) {
  serve(exitOnConfigError(() => configFromEnv())).then(
    (server) => console.log(`Børneblik API on ${server.url}`),
    (error) => {
      console.error(error.message);
      process.exit(1);
    },
  );
}
