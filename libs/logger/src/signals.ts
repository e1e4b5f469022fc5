import { logger } from './logger';

// Beside the logger because every entry point (the API, the worker, `npm start`, `npm run serve`)
// stops the same way and says so in its log.

/**
 * SIGTERM / SIGINT: `stop` (the graceful close), then exit 0; 1 if it failed. A second signal
 * while stopping exits at once (1).
 */
export function stopOnSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger().error(`${signal} again: stopping now.`);
      process.exit(1);
    }
    stopping = true;
    logger().info(`${signal}: stopping (requests in flight and a running job are finished first).`);
    stop().then(
      () => process.exit(0),
      (error: Error) => {
        logger().error({ err: error }, `Could not stop cleanly: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
