// @bu/jobs: the contract between whoever queues a job (the API, the scripts) and the ETL worker
// that runs it. No ETL code here: the API depends on this library, never on @bu/etl.
export * from './contract';
export * from './deliveries';
export * from './handlers';
export * from './producer';
export * from './reports';
export * from './schedulers';
export * from './send-results';
export * from './upload-zip';
