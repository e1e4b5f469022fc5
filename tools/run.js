#!/usr/bin/env node
// Runs a TypeScript entry point with swc (decorator metadata for NestJS and TypeORM, tsconfig path aliases).
const path = require('path');
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || path.join(__dirname, '..', 'tsconfig.json');
require('@swc-node/register');
const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node tools/run.js <file.ts> [args...]');
  process.exit(2);
}
process.argv = [process.argv[0], path.resolve(entry), ...rest];
require(path.resolve(entry));
