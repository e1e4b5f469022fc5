import { readdirSync, readFileSync, statSync } from 'fs';
import { join, relative, resolve } from 'path';
import { describe, expect, it } from 'vitest';

// The layering nx-examples enforces with tags, checked on the import lines themselves:
// the web app cannot reach the database or the ETL; the ETL and the libraries cannot import apps.
const ROOT = resolve(__dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    // Tests are not the layers: a test (.test.ts) or a spec beside the code (.spec.ts) may load fixtures.
    return /\.(ts|tsx)$/.test(name) && !/\.(test|spec)\.ts$/.test(name) ? [path] : [];
  });
}

function imports(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]);
}

const RULES: { project: string; forbidden: RegExp; why: string }[] = [
  {
    project: 'apps/web/src',
    forbidden: /^@bu\/(db|etl|kpi|queue|config)$|^(typeorm|pg|bullmq|ioredis)$|\.\.\/\.\.\/\.\./,
    why: 'the dashboard talks to the API only',
  },
  { project: 'etl/src', forbidden: /apps\/|^@bu\/kpi$/, why: 'the ETL does not import the API' },
  { project: 'libs', forbidden: /apps\/|^@bu\/etl$/, why: 'libraries do not depend on apps or the ETL' },
  { project: 'libs/contracts/src', forbidden: /^@bu\/(db|etl|kpi|queue|config)$/, why: 'contracts are shared with the browser' },
  { project: 'dashboards/src', forbidden: /^@bu\/(db|etl|kpi|queue)$/, why: 'dashboard definitions are data for the browser' },
];

describe('module boundaries', () => {
  for (const rule of RULES) {
    it(`${rule.project}: ${rule.why}`, () => {
      const offending = sources(join(ROOT, rule.project)).flatMap((file) =>
        imports(file)
          .filter((i) => rule.forbidden.test(i))
          .map((i) => `${relative(ROOT, file)} imports ${i}`),
      );
      expect(offending).toEqual([]);
    });
  }
});
