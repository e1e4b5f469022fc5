import { collectDefaultMetrics, Registry } from 'prom-client';

// One registry per process, made once, so that the counters go on across the app instances a test
// makes, and so that an API and an ETL worker in one process (`npm start`) are scraped together.
// Aggregates only: no case, no person, at most a municipality's code.

export const METRICS = new Registry();
let withDefaults = false;

/** The process registry, with prom-client's process metrics from the first use on (not in a process never scraped). */
export function processMetrics(): Registry {
  if (!withDefaults) collectDefaultMetrics({ register: METRICS });
  withDefaults = true;
  return METRICS;
}
