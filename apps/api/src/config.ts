// The configuration lives in @bu/config (one schema for the API, the worker and the ETL); the
// API's modules keep importing it from here.
export { configFromEnv, parseTrustedProxies, type AppConfig } from '@bu/config';

export const APP_CONFIG = Symbol('APP_CONFIG');
