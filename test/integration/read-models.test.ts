import { join } from 'path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReadModels, READ_MODELS_BUILD } from '@bu/db';
import { importDubu, startEtlWorker } from '@bu/etl';
import { readModelsCurrent, type Query } from '@bu/kpi';
import type { QueueConfig } from '@bu/queue';
import { importViaQueue } from '../../scripts/lib/import-via-queue';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { seedUsers, startTestApi, tokenFor } from '../support/api';
import { DUBU_SMALL, DUBU_SMALL_D, FIXTURES } from '../support/fixtures';

/** GET /api/v1/kpis for `ids` at `asOf` with P from `from`, as the holder of `token`: the answers by id. */
async function kpisOf(app: Awaited<ReturnType<typeof startTestApi>>, token: string, ids: string[], asOf: string, from: string) {
  const { body } = await request(app.getHttpServer())
    .get(`/api/v1/kpis?ids=${ids.join(',')}&asOf=${asOf}&from=${from}`)
    .set('authorization', `Bearer ${token}`)
    .expect(200);
  return body.kpis as Record<string, unknown>;
}

// ADR 0074: the worker builds a municipality's read models right after its case-system import, and
// the KPIs read them only while they were built from the import in force.
describe('read models', () => {
  let db: TestDatabase;
  let config: QueueConfig;
  let worker: ReturnType<typeof startEtlWorker>;
  const query: Query = async (sql, params) => (await db.pool.query(sql, params)).rows;
  const state = async () => (await db.pool.query('SELECT municipality_code AS m, import_id::int AS id FROM read_model_state')).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    config = { databaseUrl: db.url, queuePrefix: `test-${db.url.split('/').pop()}` };
    worker = startEtlWorker(config, db.pool, TEST_SECRET);
  });
  afterAll(async () => {
    await worker?.close();
    await db?.drop();
  });

  it('are built by the import job, and current only until the next import', async () => {
    expect(await readModelsCurrent(query, 461)).toBe(false);
    const result = await importViaQueue(config, { source: 'dubu', dir: DUBU_SMALL, exportDate: DUBU_SMALL_D, requestedBy: 'test' });
    expect(result.status).toBe('succeeded');
    expect(await state()).toEqual([{ m: 461, id: Number(result.importId) }]);
    expect(await readModelsCurrent(query, 461)).toBe(true);
    const spans = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM case_team_span WHERE municipality_code = 461');
    expect(spans.rows[0].n).toBeGreaterThan(0);

    // The same export again through the job: skipped as unchanged (ADR 0073), the import in force
    // stays, and so do the read models built from it — not built again (the state row is untouched).
    const built = async () => (await db.pool.query('SELECT xmin::text AS x FROM read_model_state WHERE municipality_code = 461')).rows;
    const before = await built();
    const same = await importViaQueue(config, { source: 'dubu', dir: DUBU_SMALL, exportDate: DUBU_SMALL_D, requestedBy: 'test' });
    expect(same.sameAs).toBe(result.importId);
    expect(await built()).toEqual(before);
    expect(await readModelsCurrent(query, 461)).toBe(true);

    // The same export once more, its read models now made by other builds (a worker of another
    // version, ADR 0107): still not staged, but the read models are built again by this code's.
    await db.pool.query(`UPDATE read_model_state SET build = 'other builds' WHERE municipality_code = 461`);
    expect(await readModelsCurrent(query, 461)).toBe(false);
    const sameOther = await importViaQueue(config, { source: 'dubu', dir: DUBU_SMALL, exportDate: DUBU_SMALL_D, requestedBy: 'test' });
    expect(sameOther.sameAs).toBe(result.importId);
    expect(await readModelsCurrent(query, 461)).toBe(true);
    expect((await db.pool.query('SELECT build FROM read_model_state WHERE municipality_code = 461')).rows).toEqual([
      { build: READ_MODELS_BUILD },
    ]);

    // An import outside the worker (no build after it), staged anew (an unchanged export is otherwise
    // skipped and its snapshot stays in force, ADR 0073): the read models are of the import before.
    const again = await importDubu(db.pool, DUBU_SMALL, { pseudonymSecret: TEST_SECRET, exportDate: DUBU_SMALL_D, restage: true });
    expect(again.status).toBe('succeeded');
    expect(await readModelsCurrent(query, 461)).toBe(false);
    expect(await buildReadModels(db.pool, 461)).toBe(Number(again.importId));
    expect(await readModelsCurrent(query, 461)).toBe(true);
    // A municipality without case-system data gets none, and nothing reads as current.
    expect(await buildReadModels(db.pool, 101)).toBeNull();
    expect(await readModelsCurrent(query, 101)).toBe(false);
  });

  it('are what the API reads while they are current, and not after an import the worker has not built them for', async () => {
    // Another export of 461 (other cases): its import removes the first's cases, as asked.
    const deadlines = join(FIXTURES, 'dubu-deadlines');
    const D = '2024-04-30';
    const first = await importViaQueue(config, { source: 'dubu', dir: deadlines, exportDate: D, requestedBy: 'test', allowShrink: true });
    expect(first.status).toBe('succeeded');
    await seedUsers(db, 461, 'Team Nord');
    const app = await startTestApi(db);
    try {
      const token = await tokenFor(app, 'teamleder');
      // Each asked with another period (a list at D does not depend on it), so never from the cache.
      const lists = ['deadline.notification_overdue', 'deadline.followup_due_soon'];
      const counts = async (from: string) => {
        const kpis = await kpisOf(app, token, lists, D, from);
        return lists.map((id) => (kpis[id] as { count: number }).count);
      };
      const live = await counts('2024-01-01');
      expect(live.every((n) => n > 0)).toBe(true);
      // Read models that say every case is another team's (the spans, and the lists' rows at the
      // held days, ADRs 0104 and 0106): the team leader's lists empty.
      await db.pool.query(`UPDATE case_team_span SET team = 'Intet team'`);
      await db.pool.query(`UPDATE unassessed_notification_day SET team = 'Intet team' WHERE team IS NOT NULL`);
      await db.pool.query(`UPDATE measure_deadline_day SET team = 'Intet team'`);
      expect(await counts('2024-01-02')).toEqual([0, 0]);
      // A new import, not followed by a build: the facts are read again.
      await importDubu(db.pool, deadlines, { pseudonymSecret: TEST_SECRET, exportDate: D, allowShrink: true, restage: true });
      expect(await counts('2024-01-03')).toEqual(live);
    } finally {
      await app.close();
    }
  });

  it('give effect.change each child’s span holding D, which the API reads while current (ADR 0078)', async () => {
    // The chief's fixture has effect measurements: child1 and child3 two dates each, child7 three,
    // child9 one. A span from each date but a child's first: 1 + 1 + 2 rows.
    const D = '2024-04-30';
    const chief = await importViaQueue(config, {
      source: 'dubu',
      dir: join(FIXTURES, 'dubu-chief'),
      exportDate: D,
      requestedBy: 'test',
      allowShrink: true,
    });
    expect(chief.status).toBe('succeeded');
    const spans = await db.pool.query('SELECT person_id, valid_from::text AS f, valid_to::text AS t FROM effect_child_span ORDER BY 1, 2');
    expect(spans.rows.map((r: { f: string; t: string | null }) => [r.f, r.t]).sort()).toEqual([
      ['2024-03-01', '2024-05-09'],
      ['2024-04-01', null],
      ['2024-04-15', null],
      ['2024-05-10', null],
    ]);
    // Users from the test before.
    const app = await startTestApi(db);
    try {
      const token = await tokenFor(app, 'chef');
      const effect = async (asOf: string, from: string) =>
        (await kpisOf(app, token, ['effect.change'], asOf, from))['effect.change'] as { children: number; unchanged: number };
      expect(await effect(D, '2024-01-01')).toMatchObject({ children: 3, unchanged: 1 / 3 });
      // A read model that says nobody's total moved: every child unchanged, at a day the held days'
      // sums (ADR 0103) do not cover (the same three children's spans hold it).
      await db.pool.query('UPDATE effect_child_span SET latest_total = first_total');
      expect(await effect('2024-04-29', '2024-01-02')).toMatchObject({ children: 3, unchanged: 1 });
      // At the export date, a held day, the held day's sums are read: without them, nobody.
      await db.pool.query('DELETE FROM effect_change_day');
      expect(await effect(D, '2024-01-02')).toMatchObject({ children: 0 });

      // The active measures' figures at a held day (ADR 0108): what the read models say, not the facts.
      const active = async (from: string) => {
        const kpis = await kpisOf(app, token, ['cost.top_cases', 'activity.placed_children_by_type'], D, from);
        const top = kpis['cost.top_cases'] as { rows: { case: string }[] };
        return [top.rows[0].case, kpis['activity.placed_children_by_type'] as Record<string, number>] as const;
      };
      const [topCase, byType] = await active('2024-01-03');
      expect(byType['Døgninstitution']).toBe(1);
      await db.pool.query(`UPDATE top_case_day SET case_id = 'fra læsemodellen' WHERE rank = 1`);
      await db.pool.query(`UPDATE measure_type_day SET placed_children = 7 WHERE placed_children > 0`);
      expect(await active('2024-01-04')).toEqual(['fra læsemodellen', Object.fromEntries(Object.keys(byType).map((t) => [t, 7]))]);
      expect(topCase).not.toBe('fra læsemodellen');

      // The two-visits share at a held day (ADR 0110): with a thousand children the read model
      // made up, all with two visits, the share is theirs.
      const twoVisits = async (from: string) =>
        (await kpisOf(app, token, ['supervision.two_visits_share'], D, from))['supervision.two_visits_share'] as number | null;
      expect(await twoVisits('2024-01-05')).not.toBeGreaterThan(0.99);
      await db.pool.query(
        `INSERT INTO two_visits_day (municipality_code, day, teams, met, children) VALUES (461, $1, '{Læsemodellen}', true, 1000)`,
        [D],
      );
      expect(await twoVisits('2024-01-06')).toBeGreaterThan(0.99);
    } finally {
      await app.close();
    }
  });
});
