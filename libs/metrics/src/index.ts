// @bu/metrics: the process's metrics for the operators' Prometheus (ADR 0094), for the API and the
// ETL worker alike, and their sum over the processes of `npm run serve` (ADR 0095).
export * from './registry';
export * from './cluster';
export * from './pools';
export * from './page';
