import { logger } from './logger';

// Beside the logger because every entry point (the API, the worker, `npm start`, `npm run serve`)
// stops the same way and says so in its log.

/** The message `npm run serve`'s supervisor sends a child process to stop it (ADR 0072). */
export const STOP_MESSAGE = 'bu:stop';

/**
 * SIGTERM / SIGINT: `stop` (the graceful close), then exit 0; 1 if it failed. A second signal
 * while stopping exits at once (1). A child of `npm run serve`'s supervisor also stops on its
 * STOP_MESSAGE; that message is not a signal: a terminal's Ctrl-C reaches the supervisor and its
 * children alike, and the child then still finishes its requests and job before it exits.
 */
export function stopOnSignals(stop: () => Promise<void>): void {
  let stopping = false;
  let signalled = false;
  const begin = (why: string) => {
    stopping = true;
    logger().info(`${why}: stopping (requests in flight and a running job are finished first).`);
    stop().then(
      () => process.exit(0),
      (error: Error) => {
        logger().error({ err: error }, `Could not stop cleanly: ${error.message}`);
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger().error(`${signal} again: stopping now.`);
      process.exit(1);
    }
    signalled = true;
    if (!stopping) begin(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  if (process.send)
    process.on('message', (message) => {
      if (message === STOP_MESSAGE && !stopping) begin('Stopped by npm run serve');
    });
}
