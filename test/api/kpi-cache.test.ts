import type { INestApplication } from '@nestjs/common';
import { join } from 'path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { KpiCache } from '../../apps/api/src/kpi/kpi-cache.service';
import { seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { FIXTURES } from '../support/fixtures';

// The API keeps computed figures until the data version moves: an import, a setting, a goal or a
// comparison group. A change made behind its back (plain SQL) shows only after such a change.
describe('KPI cache, invalidated by imports and by settings', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let token = '';
  const openCases = async () =>
    (await request(app.getHttpServer()).get('/api/v1/kpis?ids=caseload.open_cases').set('Authorization', `Bearer ${token}`).expect(200))
      .body.kpis['caseload.open_cases'];
  const fixture = () => importDubu(db.pool, join(FIXTURES, 'dubu-deadlines'), { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' });
  const dbVersion = async () => (await db.pool.query('SELECT version::text AS v FROM data_version')).rows[0].v as string;
  /** A change committed by another connection reaches the API by NOTIFY: wait (up to 5 s) until it has. */
  const caughtUp = async () => {
    const cache = app.get(KpiCache);
    const target = await dbVersion();
    for (let i = 0; i < 500 && cache.current !== target; i++) await new Promise((r) => setTimeout(r, 10));
    expect(cache.current).toBe(target);
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    await fixture();
    await seedUsers(db, 461, 'Team Nord');
    app = await startTestApi(db);
    token = await tokenFor(app, 'chef');
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('answers a repeated question from the cache and recomputes after a setting or an import', async () => {
    const cache = app.get(KpiCache);
    // AA 4, BB 1 (Team Nord), CC 2 (Team Syd): libs/kpi/src/caseload/open-cases.spec.ts works these out.
    expect(await openCases()).toEqual({ AA: 4, BB: 1, CC: 2 });
    const hits = cache.hits;
    expect(await openCases()).toEqual({ AA: 4, BB: 1, CC: 2 });
    // The user's municipalities and the whole answer.
    expect(cache.hits).toBe(hits + 2);

    // Behind the API's back: BB's case handed to CC. No version change, so the cached answer stands.
    await db.pool.query(`UPDATE assignment SET worker_id = 'CC' WHERE municipality_code = 461 AND worker_id = 'BB'`);
    expect(await openCases()).toEqual({ AA: 4, BB: 1, CC: 2 });

    // A setting changes: every cached figure is dropped and the change shows.
    await db.pool.query(
      `INSERT INTO setting (municipality_code, key, value) VALUES (461, 'caseload.norms', '{"Udsatte": 30, "Handicap": 55}')`,
    );
    await caughtUp();
    expect(await openCases()).toEqual({ AA: 4, CC: 3 });

    // Importing the export again restores the snapshot, and the figure follows as soon as the API hears of it.
    const result = await fixture();
    expect(result.status).toBe('succeeded');
    await caughtUp();
    expect(await openCases()).toEqual({ AA: 4, BB: 1, CC: 2 });
  });

  it('writes every answer with case rows to the audit log, cached or not, also twenty at once', async () => {
    await db.pool.query('DELETE FROM audit_log');
    const ask = () =>
      request(app.getHttpServer()).get('/api/v1/kpis?ids=caseload.unassigned').set('Authorization', `Bearer ${token}`).expect(200);
    await ask();
    await Promise.all(Array.from({ length: 20 }, ask));
    const { rows } = await db.pool.query(
      `SELECT count(*)::int AS n, count(DISTINCT case_ids)::int AS lists, min(case_ids::text) AS cases FROM audit_access WHERE username = 'chef'`,
    );
    expect(rows[0]).toEqual({ n: 21, lists: 1, cases: '{C5,C6,C8}' });
    // The set of cases is stored once, however many times it was seen.
    const sets = await db.pool.query(
      `SELECT count(DISTINCT case_set_id)::int AS n, count(*) FILTER (WHERE case_ids IS NOT NULL)::int AS inline FROM audit_log`,
    );
    expect(sets.rows[0]).toEqual({ n: 1, inline: 0 });
  });

  it('sends a large answer gzip-compressed to a client that takes it, the same JSON either way', async () => {
    const ask = (encoding: string) =>
      request(app.getHttpServer()).get('/api/v1/kpis').set('Authorization', `Bearer ${token}`).set('Accept-Encoding', encoding).expect(200);
    const plain = await ask('identity');
    const zipped = await ask('gzip, deflate');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(Number(zipped.headers['content-length'])).toBeLessThan(Number(plain.headers['content-length']));
    expect(zipped.body).toEqual(plain.body);
    expect(Object.keys(plain.body.kpis).length).toBeGreaterThan(40);
  });

  it('computes the recently asked answers again after an import, before anyone asks', async () => {
    const cache = app.get(KpiCache);
    const ask = () =>
      request(app.getHttpServer())
        .get('/api/v1/kpis?ids=caseload.open_cases,caseload.unassigned')
        .set('Authorization', `Bearer ${token}`)
        .expect(200);
    const before = (await ask()).body;
    expect((await fixture()).status).toBe('succeeded');
    // The API hears of the change (NOTIFY) and re-warms in the background.
    await caughtUp();
    await cache.warming;
    const misses = cache.misses;
    const after = (await ask()).body;
    expect(cache.misses).toBe(misses);
    expect(after).toEqual(before);
  });

  it('learns of changes by LISTEN: a warm request reads nothing from the database; without the listener it reads per request', async () => {
    const cache = app.get(KpiCache);
    const ask = () =>
      request(app.getHttpServer()).get('/api/v1/kpis?ids=caseload.open_cases').set('Authorization', `Bearer ${token}`).expect(200);
    await ask();
    expect(cache.listens).toBe(true);
    const reads = cache.reads;
    await Promise.all(Array.from({ length: 10 }, ask));
    expect(cache.reads).toBe(reads);

    // The listening connection is cut (a database restart, a network blip): each request reads the
    // version again, so no change can be missed, and the cache listens again after a second.
    await db.pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'boerneblik-kpi-cache' AND datname = current_database()`,
    );
    for (let i = 0; i < 300 && cache.listens; i++) await new Promise((r) => setTimeout(r, 10));
    expect(cache.listens).toBe(false);
    const before = cache.reads;
    await ask();
    expect(cache.reads).toBe(before + 1);
    for (let i = 0; i < 500 && !cache.listens; i++) await new Promise((r) => setTimeout(r, 10));
    expect(cache.listens).toBe(true);
    // Listening again, it hears the next change.
    await db.pool.query(
      `INSERT INTO setting (municipality_code, key, value) VALUES (461, 'intake_team', '"Modtagelsen"') ON CONFLICT DO NOTHING`,
    );
    await caughtUp();
  });

  it('moves the data version with a failed import too, and with goals and comparison groups', async () => {
    const version = async () => (await db.pool.query('SELECT version::int AS v FROM data_version')).rows[0].v as number;
    let v = await version();
    await db.pool.query(
      `INSERT INTO political_goal (municipality_code, kpi_id, title, direction, target, tolerance) VALUES (461, 'activity.placed_children', 'Højst 5', '<=', 5, 1)`,
    );
    expect(await version()).toBe(v + 1);
    v = await version();
    await db.pool.query(`INSERT INTO comparison_group (municipality_code, name, members) VALUES (461, 'Naboer', '{461,101}')`);
    expect(await version()).toBe(v + 1);
    v = await version();
    await importDubu(db.pool, join(FIXTURES, 'does-not-exist'), { pseudonymSecret: TEST_SECRET });
    expect(await version()).toBeGreaterThan(v);
  });
});
