import { Counter, Histogram } from 'prom-client';
import { METRICS } from '@bu/metrics';

// The API's own metrics for the operators (ADR 0094), in the process registry (@bu/metrics).
// Aggregates only: no case, no person, at most a municipality's code.

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
