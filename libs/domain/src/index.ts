export * from './dates';
export * from './municipalities';
export * from './measures';
export * from './roles';
export * from './legal-basis';
export * from './retention';
export * from './import-limits';
export * from './import-rules';
