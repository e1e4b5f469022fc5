import type { Server } from 'http';
import { exitOnConfigError } from '@bu/config';
import { logger, stopOnSignals } from '@bu/logger';
import { createApp } from './app';
import { AppConfig, configFromEnv } from './config';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Something that runs beside the API in the same process and stops with it (the ETL worker). */
export interface Companion {
  close(): Promise<void>;
}

export interface ServeOptions {
  /**
   * Started once the API listens, and closed with it. The API does not know the ETL: the scripts
   * that run both in one process (`npm start`, `npm run serve`) pass the ETL's worker here.
   */
  companion?: () => Companion;
  /**
   * One of several API processes sharing a port (`npm run serve` with API_PROCESSES): every answer
   * says which in `x-api-process`, for the operator reading a proxy's log and for the tests.
   */
  processTag?: string;
}

/**
 * Starts the API (and a companion such as the ETL worker, when given). `close` stops in order: no
 * new connections; requests in flight and the companion's running job get config.shutdownGraceMs
 * (side by side) to finish; then the database connections close.
 */
export async function serve(config: AppConfig, options: ServeOptions = {}): Promise<RunningServer> {
  const app = await createApp(config);
  const tag = options.processTag;
  // Before Express sees the request, so every answer has it, errors included.
  if (tag !== undefined) (app.getHttpServer() as Server).prependListener('request', (_req, res) => res.setHeader('x-api-process', tag));
  await app.listen(config.port, config.host);
  const companion = options.companion?.();
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
        await Promise.all([drained.finally(() => (clearInterval(idle), clearTimeout(late))), companion?.close()]);
        await app.close();
      })()),
  };
}

// The API alone (no worker: that is apps/worker, or scripts/serve.ts for both in one process).
if (require.main === module) {
  serve(exitOnConfigError(() => configFromEnv(undefined, { runWorker: false }))).then(
    (server) => {
      stopOnSignals(() => server.close());
      logger().info(`Børneblik API on ${server.url}`);
    },
    (error: Error) => {
      logger().fatal({ err: error }, error.message);
      process.exit(1);
    },
  );
}
