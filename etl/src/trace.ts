import { readFileSync } from 'fs';
import type { ClientBase } from 'pg';
import { settings } from '@bu/config';
import { logger } from '@bu/logger';

// ETL_TRACE=1 (benchmarking): what the import's connections do and when.

/** Milliseconds since the process started, to line up the trace lines of the import's connections. */
export const traceClock = (): string => `+${Math.round(performance.now())}ms`;

/**
 * ETL_TRACE=1: prints every statement of the import that takes over 20 ms (ETL_TRACE_MS) (for benchmarking), with
 * the server process's CPU time for it when the server runs on this machine (a shared, busy
 * machine makes wall-clock times noisy; CPU time much less so).
 */
export function traceQueries(client: ClientBase, label: string): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const pid = (client as unknown as { processID?: number }).processID;
  const cpu = (): number | null => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      return null; // the server is not on this machine: wall-clock time only
    }
  };
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const started = Date.now();
    const cpuStarted = cpu();
    const result = query(...args);
    if (result instanceof Promise) {
      void result.then(
        () => {
          const ms = Date.now() - started;
          const cpuEnded = cpu();
          const server = cpuStarted !== null && cpuEnded !== null ? ` (server cpu ${cpuEnded - cpuStarted} ms)` : '';
          if (ms > settings().ETL_TRACE_MS)
            logger().info(
              `[etl ${traceClock()} ${label}] ${ms} ms${server} ${String((args[0] as { text?: string }).text ?? args[0])
                .replace(/\s+/g, ' ')
                .slice(0, 140)}`,
            );
        },
        () => undefined, // the caller handles the query's failure; the trace only times successes
      );
    }
    return result;
  };
}
