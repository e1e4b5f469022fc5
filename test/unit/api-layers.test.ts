import { readdirSync, readFileSync, statSync } from 'fs';
import { join, relative, resolve } from 'path';
import { describe, expect, it } from 'vitest';

// The API's layers (docs/adr/0030-api-layers.md): controllers route and validate, services hold
// the rules, repositories hold the SQL. Checked on the sources, so a query added in the wrong
// place fails here rather than in review.
const ROOT = resolve(__dirname, '../..');
const API = join(ROOT, 'apps/api/src');

function files(dir: string, suffix: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path, suffix);
    return name.endsWith(suffix) ? [path] : [];
  });
}

/** Reaches the database itself: imports TypeORM or pg, or sends a query. */
const touchesDatabase = (text: string) => /from '(typeorm|pg)'|\.query\(/.test(text);

/**
 * Services that still run SQL themselves, each for a reason; a new service belongs with a
 * repository instead.
 */
const SERVICES_WITH_SQL: Record<string, string> = {
  'audit/audit.service.ts': 'the batched audit writer; tests build it on a bare connection',
  'kpi/kpi-cache.service.ts': 'reads and LISTENs for the data version on its own connection',
};

describe('API layers', () => {
  it('controllers hold no SQL and no database access', () => {
    const offending = files(API, '.controller.ts').filter((f) => touchesDatabase(readFileSync(f, 'utf8')));
    expect(offending.map((f) => relative(API, f))).toEqual([]);
  });

  it('services hold no SQL (but for the listed ones)', () => {
    const offending = files(API, '.service.ts')
      .map((f) => relative(API, f))
      .filter((f) => !(f in SERVICES_WITH_SQL) && touchesDatabase(readFileSync(join(API, f), 'utf8')));
    expect(offending).toEqual([]);
  });

  it('every controller handler is one service call: no handler reaches a repository', () => {
    const offending = files(API, '.controller.ts').filter((f) => /from '\.\/[\w.-]+\.repository'/.test(readFileSync(f, 'utf8')));
    expect(offending.map((f) => relative(API, f))).toEqual([]);
  });
});
