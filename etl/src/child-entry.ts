import { join } from 'path';

const RUN = join(__dirname, '..', '..', 'tools', 'run.js');
// Compiled by `npm run build:server`, this module is a .js file in dist/server, beside compiled entries.
const COMPILED = __filename.endsWith('.js');

/**
 * How to start one of the ETL's own entry points in a worker thread or a child process. `entry` is
 * its path without the extension. From the sources the .ts file runs through tools/run.js, as every
 * entry point does; compiled (the production image, which holds neither TypeScript nor swc) the
 * .js file beside it runs as it is.
 */
export function childEntry(entry: string): { file: string; argv: string[] } {
  return COMPILED ? { file: `${entry}.js`, argv: [] } : { file: RUN, argv: [`${entry}.ts`] };
}
