// @bu/logger: one pino logger for the API, the worker, the ETL and the libraries.
export * from './context';
export * from './logger';
export { prettyLine } from './pretty';
export * from './signals';
