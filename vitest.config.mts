import { readFileSync } from 'fs';
import { resolve } from 'path';
import { fileURLToPath } from 'url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The @bu/* aliases, from tsconfig.base.json's `paths` (where a new library is declared, once). Each
 * matches its name exactly (so '@bu/db' does not catch '@bu/db/schema-version'); a `name/*` path
 * maps the rest of the import.
 */
function aliasesFromTsconfig(): { find: RegExp; replacement: string }[] {
  const { compilerOptions } = JSON.parse(readFileSync(resolve(root, 'tsconfig.base.json'), 'utf8')) as {
    compilerOptions: { paths: Record<string, string[]> };
  };
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return Object.entries(compilerOptions.paths).map(([name, [target]]) =>
    name.endsWith('/*')
      ? { find: new RegExp(`^${escape(name.slice(0, -1))}(.*)$`), replacement: resolve(root, target.replace('*', '$1')) }
      : { find: new RegExp(`^${escape(name)}$`), replacement: resolve(root, target) },
  );
}

// swc instead of esbuild: NestJS and TypeORM need decorator metadata.
export default defineConfig({
  plugins: [
    swc.vite({
      module: { type: 'es6' },
      jsc: {
        target: 'es2022',
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
      },
    }),
  ],
  resolve: { alias: aliasesFromTsconfig() },
  test: {
    include: [
      'test/**/*.test.ts',
      'libs/**/*.test.ts',
      'libs/**/*.spec.ts',
      'dashboards/**/*.spec.ts',
      'etl/**/*.test.ts',
      'apps/**/*.test.ts',
      'apps/**/*.spec.ts',
      'dashboards/**/*.test.ts',
    ],
    environment: 'node',
    // Browser tests take 10-30 s on a quiet 2-core machine and three times that on a busy one.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
    env: { TZ: 'Europe/Copenhagen' },
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
