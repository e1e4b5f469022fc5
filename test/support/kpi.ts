import { join } from 'path';
import { afterAll, beforeAll, expect } from 'vitest';
import { buildReadModels } from '@bu/db';
import { importDubu, importStatistics } from '@bu/etl';
import { answerMemo, kpiById, type KpiContext } from '@bu/kpi';
import { createTestDatabase, TEST_SECRET, type TestDatabase } from './database';
import { FIXTURES } from './fixtures';

/**
 * The context on a test database for municipality 461 at D with P = 1 January of D's year .. D,
 * unless `over` says otherwise. The database is read when called (after beforeAll has set it up).
 */
export function kpiContext(database: () => TestDatabase, asOf: string, from = `${asOf.slice(0, 4)}-01-01`) {
  return (over: Partial<KpiContext> = {}): KpiContext => ({
    query: async (sql, params) => (await database().pool.query(sql, params)).rows,
    municipality: 461,
    asOf,
    period: { from, to: asOf },
    ...over,
  });
}

/** The days caseload_day holds for the municipality (the read models' held days, ADR 0100), as YYYY-MM-DD. */
export async function heldDays(pool: TestDatabase['pool'], municipality = 461): Promise<string[]> {
  const { rows } = await pool.query<{ day: string }>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day FROM caseload_day WHERE municipality_code = $1 ORDER BY day`,
    [municipality],
  );
  return rows.map((r) => r.day);
}

/**
 * A KPI's value in that context, computed on both paths (ADR 0074): from the facts, and from the
 * read models built from the same facts just before (a spec may have changed them), which must
 * give the same answer, to the unit. The second goes through an answer's memo (ADR 0075), as the
 * API computes it. A spec that names `readModels` gets that path only.
 */
export function kpiValue(database: () => TestDatabase, asOf: string, from?: string) {
  const ctx = kpiContext(database, asOf, from);
  return async (id: string, over: Partial<KpiContext> = {}) => {
    const kpi = kpiById(id);
    if (!kpi) throw new Error(`No KPI ${id}`);
    if (over.readModels !== undefined) return kpi.compute(ctx(over));
    const live = await kpi.compute(ctx({ ...over, readModels: false }));
    const context = ctx({ ...over, readModels: true, shared: answerMemo() });
    // Without case-system data nothing is built, and the API would not read the read models either.
    if ((await buildReadModels(database().pool, context.municipality)) !== null)
      expect(await kpi.compute(context), `${id} from the read models`).toEqual(live);
    return live;
  };
}

/**
 * What `values` gives on both paths (ADR 0074) in the context `over`: from the facts, and from the
 * read models with an answer's memo (as the API computes) and without; and how many statements of
 * each read-model run named a table `reads` matches and returned rows (a held day's read model
 * answers with none when D is not held, and the facts are read).
 */
export async function onBothPaths<V>(
  ctx: (over?: Partial<KpiContext>) => KpiContext,
  over: Partial<KpiContext>,
  values: (context: KpiContext) => Promise<V>,
  reads: RegExp,
): Promise<{ facts: V; withMemo: V; alone: V; readWithMemo: number; readAlone: number }> {
  let read = 0;
  const models = (memo: boolean): KpiContext => ({
    ...ctx({ ...over, readModels: true, shared: memo ? answerMemo() : undefined }),
    query: async <T>(sql: string, params?: unknown[]) => {
      const rows = await ctx().query<T>(sql, params);
      if (reads.test(sql) && rows.length > 0) read++;
      return rows;
    },
  });
  const facts = await values(ctx({ ...over, readModels: false }));
  const withMemo = await values(models(true));
  const readWithMemo = read;
  read = 0;
  const alone = await values(models(false));
  return { facts, withMemo, alone, readWithMemo, readAlone: read };
}

/** Both read-model runs (with the answer's memo and without) gave the facts' answer; `label` names the day or scope. */
export function expectFactsOnBothPaths<V>(both: { facts: V; withMemo: V; alone: V }, label?: string): void {
  expect(both.withMemo, label).toEqual(both.facts);
  expect(both.alone, label).toEqual(both.facts);
}

/** A spec's fixture database: made before its tests, dropped after, and the KPIs' values on it. */
export interface KpiFixture {
  /** The database (set once beforeAll has run). */
  db: () => TestDatabase;
  /** The context for municipality 461 at D with P = 1 January of D's year .. D, unless `over` says otherwise. */
  ctx: (over?: Partial<KpiContext>) => KpiContext;
  value: (id: string, over?: Partial<KpiContext>) => Promise<unknown>;
}

function kpiFixture(asOf: string, load: (db: TestDatabase) => Promise<void>): KpiFixture {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await load(db);
  });
  afterAll(async () => db?.drop());
  return { db: () => db, ctx: kpiContext(() => db, asOf), value: kpiValue(() => db, asOf) };
}

/** The team leader's fixture: test/fixtures/dubu-deadlines (every row valid) exported at D. */
export const deadlinesFixture = (asOf: string): KpiFixture =>
  kpiFixture(asOf, async (db) => {
    const result = await importDubu(db.pool, join(FIXTURES, 'dubu-deadlines'), { pseudonymSecret: TEST_SECRET, exportDate: asOf });
    expect(result.rejected).toEqual([]);
  });

/** The chief's fixture: test/fixtures/dubu-chief (every row valid) exported at D, with statistics-small's population. */
export const chiefFixture = (asOf: string): KpiFixture =>
  kpiFixture(asOf, async (db) => {
    const result = await importDubu(db.pool, join(FIXTURES, 'dubu-chief'), { pseudonymSecret: TEST_SECRET, exportDate: asOf });
    expect(result.rejected).toEqual([]);
    await importStatistics(db.pool, join(FIXTURES, 'statistics-small'), { pseudonymSecret: TEST_SECRET });
  });
