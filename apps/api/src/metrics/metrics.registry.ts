import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

// The process's metrics for the operators (ADR 0094): one registry per process, made once, so that
// the counters go on across the app instances a test makes. Aggregates only: no case, no person,
// at most a municipality's code.

export const METRICS = new Registry();
let withDefaults = false;

/** The process registry, with prom-client's process metrics from the first scrape on (not in a process never scraped). */
export function processMetrics(): Registry {
  if (!withDefaults) collectDefaultMetrics({ register: METRICS });
  withDefaults = true;
  return METRICS;
}

/** GET /kpis answers, by where they came from (the X-Kpi-Cache header). */
export const KPI_ANSWERS = new Counter({
  name: 'boerneblik_kpi_answers_total',
  help: 'KPI answers sent, by cache: hit (this process had it) or miss (computed for this request or one beside it).',
  labelNames: ['cache'] as const,
  registers: [METRICS],
});

/** The time from the request's arrival to its answer being ready, by cache. */
export const KPI_ANSWER_SECONDS = new Histogram({
  name: 'boerneblik_kpi_answer_seconds',
  help: 'Seconds until a GET /kpis answer was ready (before compression and sending), by cache.',
  labelNames: ['cache'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
  registers: [METRICS],
});
