export * from './data-source';
export * from './query-logger';
export * from './entities/case-facts';
export * from './entities/reference';
export * from './entities/system';
export * from './audit-chain';
export * from './api-login';
export * from './read-models';
