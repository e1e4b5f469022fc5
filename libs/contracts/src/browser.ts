// The dashboard's entry to the contracts (its bundler's alias for @bu/contracts, ADR 0080): every
// export of index.ts, but the zod schemas as types only. The dashboard validates nothing with them,
// and building them at start-up cost its first screen time; its type checks still read index.ts.
export * from './core';
export * from './format';
export * from './budget';
export * from './imported-by';
export * from './units';
export * from './review-values';
export * from './kpi-catalogue';
export type * from './requests';
export type * from './responses';
export type * from './reviews';
