export * from './types';
export * from './registry';
export * from './dimensions';
export * from './settings';
