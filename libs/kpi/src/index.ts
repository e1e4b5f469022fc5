export * from './types';
export * from './registry';
export * from './dimensions';
export * from './settings';
export * from './committee/suppression';
export { goalLight, goalValueShown } from './committee/goals';
export type { GoalStatus } from './committee/goals';
export * from './benchmark/neighbours';
export * from './list-page';
