export * from './types';
export * from './registry';
export * from './dimensions';
export * from './settings';
export * from './suppression';
export { goalLight, goalValueShown } from './goal/status';
export type { GoalStatus } from './goal/status';
export * from './benchmark/neighbours';
export * from './list-page';
