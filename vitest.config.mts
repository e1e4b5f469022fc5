import { resolve } from 'path';
import { fileURLToPath } from 'url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const r = (p: string) => resolve(root, p);

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
  resolve: {
    alias: {
      '@bu/domain': r('libs/domain/src/index.ts'),
      '@bu/config': r('libs/config/src/index.ts'),
      // Before '@bu/db', which would also match it as a prefix.
      '@bu/db/schema-version': r('libs/db/src/schema-version.ts'),
      '@bu/db': r('libs/db/src/index.ts'),
      '@bu/kpi': r('libs/kpi/src/index.ts'),
      '@bu/contracts': r('libs/contracts/src/index.ts'),
      '@bu/queue': r('libs/queue/src/index.ts'),
      '@bu/jobs': r('libs/jobs/src/index.ts'),
      '@bu/logger': r('libs/logger/src/index.ts'),
      '@bu/etl': r('etl/src/index.ts'),
      '@bu/dashboards': r('dashboards/src/index.ts'),
    },
  },
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
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
    env: { TZ: 'Europe/Copenhagen' },
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
