export * from './import-run';
export * from './dubu/import';
export * from './rules';
export * from './pseudonym';
export * from './issues';
export { ENTITY_NAMES } from './load/entities';
export type { EntityName } from './load/entities';
export * from './jobs/etl-job';
