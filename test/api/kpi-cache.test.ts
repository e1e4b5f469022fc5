import type { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Client } from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCsc, importDubu, importEconomy, importStatistics } from '@bu/etl';
import { KpiCache, LISTENER_ANSWER_MS } from '../../apps/api/src/kpi/kpi-cache.service';
import { dubuToCsc } from '../../scripts/demo/dubu-to-csc';
import { caughtUp as apiCaughtUp, seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { copyFixture, editFile, FIXTURES, dubuAs } from '../support/fixtures';

// The API keeps computed figures until the data version of what they read moves (ADR 0070): a
// municipality's import, setting, goal, comment or comparison group moves its own version, a
// statistics import the national one. A change made behind its back (plain SQL) shows only after
// such a change. Each answer says where it came from (x-kpi-cache: hit or miss).
describe('KPI cache, invalidated by imports and by settings', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let token = '';
  /** The same export as municipality 101 (København): a second municipality with the same figures. */
  let copenhagen = '';
  const ask = (path: string, as = token) => request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${as}`).expect(200);
  const openCases = async () => (await ask('/api/v1/kpis?ids=caseload.open_cases')).body.kpis['caseload.open_cases'];
  const fixture = () => importDubu(db.pool, join(FIXTURES, 'dubu-deadlines'), { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' });
  const fixture101 = () => importDubu(db.pool, copenhagen, { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' });
  const dbVersion = async (scope: string) =>
    ((await db.pool.query('SELECT version::text AS v FROM data_version WHERE scope = $1', [scope])).rows[0]?.v as string) ?? '0';
  /** A change committed by another connection reaches the API by NOTIFY: wait (up to 5 s) until it has. */
  const caughtUp = (scope = '461') => apiCaughtUp(app, db.pool, scope);
  /** Waits up to 5 s for the cache's listening connection to be up. */
  const listening = async (cache: KpiCache) => {
    for (let i = 0; i < 500 && !cache.listens; i++) await new Promise((r) => setTimeout(r, 10));
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    copenhagen = dubuAs(join(FIXTURES, 'dubu-deadlines'), 101);
    await fixture();
    await fixture101();
    await seedUsers(db, 461, 'Team Nord');
    app = await startTestApi(db, {}, { versionsFromListener: true });
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
    await caughtUp('461');
    expect(await openCases()).toEqual({ AA: 4, CC: 3 });

    // Importing the export again, staged anew (an unchanged export is otherwise skipped, ADR 0073), restores
    // the snapshot, and the figure follows as soon as the API hears of it.
    const result = await importDubu(db.pool, join(FIXTURES, 'dubu-deadlines'), {
      pseudonymSecret: TEST_SECRET,
      exportDate: '2024-04-30',
      restage: true,
    });
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

  it("after an import of one municipality, the other municipality's answers are still hits and its own are misses", async () => {
    const cache = app.get(KpiCache);
    const kbh = await tokenFor(app, 'chef-kbh');
    const path = '/api/v1/kpis?ids=caseload.open_cases,caseload.unassigned';
    const odense = () => ask(path);
    const copenhagenAsked = () => ask(path, kbh);
    await odense();
    await copenhagenAsked();
    expect((await odense()).headers['x-kpi-cache']).toBe('hit');
    const before = await copenhagenAsked();
    expect(before.headers['x-kpi-cache']).toBe('hit');
    // The same export, so the same figures (AA 4, BB 1, CC 2: libs/kpi/src/caseload/open-cases.spec.ts).
    expect(before.body.kpis['caseload.open_cases']).toEqual({ AA: 4, BB: 1, CC: 2 });

    const kbhVersion = await dbVersion('101');
    expect((await fixture()).status).toBe('succeeded');
    await caughtUp('461');
    // Only Odense's version moved.
    expect(await dbVersion('101')).toBe(kbhVersion);
    const after = await copenhagenAsked();
    expect(after.headers['x-kpi-cache']).toBe('hit');
    expect(after.body).toEqual(before.body);
    await cache.warming;
    // Re-warmed in the background: Odense's recent answer is there before anyone asks again...
    expect((await odense()).headers['x-kpi-cache']).toBe('hit');

    // ...and with re-warming off, a cached answer is a miss after a change of its municipality (a
    // setting), and the other municipality's a hit.
    cache.setRewarm(0);
    const unassigned = '/api/v1/kpis?ids=caseload.unassigned';
    for (const as of [token, kbh]) await ask(unassigned, as);
    for (const as of [token, kbh]) expect((await ask(unassigned, as)).headers['x-kpi-cache']).toBe('hit');
    // A series says it too: a hit when every point came from the cache.
    const series = '/api/v1/kpis/flow.cases_opened/series?by=year';
    for (const as of [token, kbh]) expect((await ask(series, as)).headers['x-kpi-cache']).toBe('miss');
    for (const as of [token, kbh]) expect((await ask(series, as)).headers['x-kpi-cache']).toBe('hit');
    await db.pool.query(`INSERT INTO setting (municipality_code, key, value) VALUES (461, 'data.max_age_days', '40')`);
    await caughtUp('461');
    expect((await ask(unassigned)).headers['x-kpi-cache']).toBe('miss');
    expect((await ask(unassigned)).headers['x-kpi-cache']).toBe('hit');
    expect((await ask(unassigned, kbh)).headers['x-kpi-cache']).toBe('hit');
    expect((await ask(series)).headers['x-kpi-cache']).toBe('miss');
    expect((await ask(series, kbh)).headers['x-kpi-cache']).toBe('hit');

    // The same with an import of A (Odense): B's (København's) cached answers hit, A's miss.
    for (const as of [token, kbh]) for (const p of [unassigned, series]) expect((await ask(p, as)).headers['x-kpi-cache']).toBe('hit');
    expect((await fixture()).status).toBe('succeeded');
    await caughtUp('461');
    expect(await dbVersion('101')).toBe(kbhVersion);
    for (const p of [unassigned, series]) {
      expect((await ask(p)).headers['x-kpi-cache'], p).toBe('miss');
      expect((await ask(p, kbh)).headers['x-kpi-cache'], p).toBe('hit');
    }
    cache.setRewarm(50);
  });

  it("re-warms only the moved municipality's recent answers", async () => {
    const cache = app.get(KpiCache);
    const kbh = await tokenFor(app, 'chef-kbh');
    await ask('/api/v1/kpis?ids=flow.cases_opened');
    await ask('/api/v1/kpis?ids=flow.cases_opened', kbh);
    await cache.warming;
    const before = { ...cache.rewarmed };
    expect((await fixture101()).status).toBe('succeeded');
    await caughtUp('101');
    await cache.warming;
    expect(cache.rewarmed['101']).toBeGreaterThan(before['101'] ?? 0);
    expect(cache.rewarmed['461'] ?? 0).toBe(before['461'] ?? 0);
    expect((await ask('/api/v1/kpis?ids=flow.cases_opened', kbh)).headers['x-kpi-cache']).toBe('hit');
  });

  it('a statistics import: answers that read the statistics miss, the others hit', async () => {
    // Re-warming off: it would compute the recent answers again before they are asked.
    app.get(KpiCache).setRewarm(0);
    const benchmark = 'benchmark.activity.notifications_per_1000';
    const rate = 'activity.notifications_per_1000';
    const own = 'caseload.open_cases';
    for (const id of [benchmark, rate, own]) await ask(`/api/v1/kpis?ids=${id}`);
    for (const id of [benchmark, rate, own]) expect((await ask(`/api/v1/kpis?ids=${id}`)).headers['x-kpi-cache']).toBe('hit');
    const emptyBefore = (await ask(`/api/v1/kpis?ids=${benchmark}`)).body.kpis[benchmark];
    expect(emptyBefore.own).toBeNull();

    const odense = await dbVersion('461');
    expect((await importStatistics(db.pool, join(FIXTURES, 'statistics-small'), { pseudonymSecret: TEST_SECRET })).status).toBe(
      'succeeded',
    );
    await caughtUp('national');
    expect(await dbVersion('461')).toBe(odense);
    const benchmarkAfter = await ask(`/api/v1/kpis?ids=${benchmark}`);
    expect(benchmarkAfter.headers['x-kpi-cache']).toBe('miss');
    // statistics-small: Odense 4,400 notifications in 2024 and 40,100 children aged 0-17: 4400 × 1000 / 40100.
    expect(benchmarkAfter.body.kpis[benchmark].own).toBeCloseTo((4400 * 1000) / 40100, 9);
    expect((await ask(`/api/v1/kpis?ids=${rate}`)).headers['x-kpi-cache']).toBe('miss');
    expect((await ask(`/api/v1/kpis?ids=${own}`)).headers['x-kpi-cache']).toBe('hit');
    app.get(KpiCache).setRewarm(50);
  });

  it("an economy file of two municipalities moves both, so both municipalities' cached budget answers miss; of one, that one", async () => {
    // Re-warming off: it would compute the recent answers again before they are asked.
    const cache = app.get(KpiCache);
    cache.setRewarm(0);
    const kbh = await tokenFor(app, 'chef-kbh');
    const budget = 'budget.function';
    /** oekonomi.csv with function 5.28.20 in January-March 2024 for Odense (461) and København (101). */
    const economy = (spend: string, municipalities = [461, 101]) => {
      const dir = copyFixture(join(FIXTURES, 'economy-small'));
      const header = 'Kommunenr;År;Måned;Funktion;Funktionsnavn;Oprindeligt budget;Korrigeret budget;Forbrug';
      const lines = municipalities.flatMap((m) =>
        [1, 2, 3].map((month) => `${m};2024;${month};5.28.20;Opholdssteder;60.000.000;60.000.000;${spend}`),
      );
      editFile(dir, 'oekonomi.csv', () => [header, ...lines].join('\r\n') + '\r\n');
      return importEconomy(db.pool, dir, { pseudonymSecret: TEST_SECRET });
    };
    const first = await economy('1.000.000');
    expect(first.status).toBe('succeeded');
    // A file of several municipalities is logged with none (etl/src/economy/import.ts).
    expect(first.municipality).toBeNull();
    await caughtUp('461');
    await caughtUp('101');
    for (const as of [token, kbh]) await ask(`/api/v1/kpis?ids=${budget}`, as);
    for (const as of [token, kbh]) expect((await ask(`/api/v1/kpis?ids=${budget}`, as)).headers['x-kpi-cache']).toBe('hit');

    const versions = { odense: await dbVersion('461'), kbh: await dbVersion('101') };
    expect((await economy('2.000.000')).status).toBe('succeeded');
    expect(await dbVersion('461')).not.toBe(versions.odense);
    expect(await dbVersion('101')).not.toBe(versions.kbh);
    await caughtUp('461');
    await caughtUp('101');
    for (const as of [token, kbh]) {
      const after = await ask(`/api/v1/kpis?ids=${budget}`, as);
      expect(after.headers['x-kpi-cache']).toBe('miss');
      // D 30.04.2024 (dubu-deadlines): January-March ended, 3 × 2,000,000 spent.
      expect(after.body.kpis[budget]['5.28.20'].spent).toBe(3 * 2_000_000);
    }

    // A file of Odense alone moves Odense alone: its answer misses, København's still hits.
    const kbhBefore = await dbVersion('101');
    const odenseOnly = await economy('3.000.000', [461]);
    expect(odenseOnly.status).toBe('succeeded');
    expect(odenseOnly.municipality).toBe(461);
    await caughtUp('461');
    expect(await dbVersion('101')).toBe(kbhBefore);
    const odense = await ask(`/api/v1/kpis?ids=${budget}`);
    expect(odense.headers['x-kpi-cache']).toBe('miss');
    expect(odense.body.kpis[budget]['5.28.20'].spent).toBe(3 * 3_000_000);
    const copenhagenAfter = await ask(`/api/v1/kpis?ids=${budget}`, kbh);
    expect(copenhagenAfter.headers['x-kpi-cache']).toBe('hit');
    expect(copenhagenAfter.body.kpis[budget]['5.28.20'].spent).toBe(3 * 2_000_000);
    cache.setRewarm(50);
  });

  it("bu_api's own writes move the version, but bu_api cannot move a version by calling the function", async () => {
    /** Runs the SQL as the API's role (bu_api) in Odense's scope, in one transaction. */
    const asApi = async (sql: string) => {
      const client = await db.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SET LOCAL ROLE bu_api');
        await client.query(`SELECT set_config('bu.municipalities', '461', true)`);
        await client.query(sql);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK');
        throw e;
      } finally {
        client.release();
      }
    };
    const odense = Number(await dbVersion('461'));
    await asApi(
      `INSERT INTO political_goal (municipality_code, kpi_id, title, direction, target, tolerance) VALUES (461, 'activity.placed_children', 'Højst 6', '<=', 6, 1)`,
    );
    await asApi(
      `INSERT INTO setting (municipality_code, key, value) VALUES (461, 'data.max_age_days', '42') ON CONFLICT (municipality_code, key) DO UPDATE SET value = '42'`,
    );
    // A delete too (and the goal is gone again for the tests after this one).
    await asApi(`DELETE FROM political_goal WHERE title = 'Højst 6'`);
    expect(Number(await dbVersion('461'))).toBe(odense + 3);

    const all = await dbVersion('*');
    await expect(asApi(`SELECT move_data_version('*')`)).rejects.toThrow(/permission denied for function move_data_version/);
    await expect(asApi(`SELECT data_version_scope_of('setting', '{}'::jsonb)`)).rejects.toThrow(/permission denied/);
    expect(await dbVersion('*')).toBe(all);
    const { rows } = await db.pool.query(
      `SELECT has_function_privilege('bu_api', 'move_data_version(text)', 'EXECUTE') AS api,
              has_function_privilege('public', 'move_data_version(text)', 'EXECUTE') AS anyone`,
    );
    expect(rows[0]).toEqual({ api: false, anyone: false });
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
    // Read with each request, a change still moves only its municipality's answers.
    const kbh = await tokenFor(app, 'chef-kbh');
    const path = '/api/v1/kpis?ids=caseload.open_cases';
    await request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${kbh}`).expect(200);
    await db.pool.query(
      `INSERT INTO setting (municipality_code, key, value) VALUES (461, 'data.max_age_days', '41') ON CONFLICT (municipality_code, key) DO UPDATE SET value = '41'`,
    );
    expect((await request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${token}`).expect(200)).headers['x-kpi-cache']).toBe(
      'miss',
    );
    expect((await request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${kbh}`).expect(200)).headers['x-kpi-cache']).toBe(
      'hit',
    );
    await listening(cache);
    expect(cache.listens).toBe(true);
    // Listening again, it hears the next change.
    await db.pool.query(
      `INSERT INTO setting (municipality_code, key, value) VALUES (461, 'intake_team', '"Modtagelsen"') ON CONFLICT DO NOTHING`,
    );
    await caughtUp();
  });

  it('gives no answer from before a change once it has heard of it: a request waits for the notified read', async () => {
    const cache = app.get(KpiCache);
    await listening(cache);
    expect(cache.listens).toBe(true);
    const before = await openCases();
    expect(before).toEqual({ AA: 4, BB: 1, CC: 2 });
    expect((await ask('/api/v1/kpis?ids=caseload.open_cases')).headers['x-kpi-cache']).toBe('hit');

    // The read a notification starts is held back (a busy database): it has heard of the change, not yet read it.
    let release = () => undefined as void;
    const held = new Promise<void>((r) => (release = r));
    let heard = () => undefined as void;
    const notified = new Promise<void>((r) => (heard = r));
    const read = cache.read.bind(cache);
    cache.read = async (scope, on) => {
      if (on) {
        heard();
        await held;
      }
      return read(scope, on);
    };
    try {
      // A case handed over behind the API's back, then a setting that moves the municipality's version.
      await db.pool.query(`UPDATE assignment SET worker_id = 'CC' WHERE municipality_code = 461 AND worker_id = 'BB'`);
      await db.pool.query(
        `INSERT INTO setting (municipality_code, key, value) VALUES (461, 'data.max_age_days', '42') ON CONFLICT (municipality_code, key) DO UPDATE SET value = '42'`,
      );
      await notified;
      let answered = false;
      const asked = ask('/api/v1/kpis?ids=caseload.open_cases').then((res) => ((answered = true), res));
      await new Promise((r) => setTimeout(r, 300));
      expect(answered).toBe(false);
      release();
      const res = await asked;
      expect(res.headers['x-kpi-cache']).toBe('miss');
      expect(res.body.kpis['caseload.open_cases']).toEqual({ AA: 4, CC: 3 });
    } finally {
      release();
      cache.read = read;
    }
  });

  it('reads for itself when the notified read does not answer, and listens anew (a connection gone without a word)', async () => {
    const cache = app.get(KpiCache);
    await listening(cache);
    expect(cache.listens).toBe(true);
    const before = await openCases();
    expect((await ask('/api/v1/kpis?ids=caseload.open_cases')).headers['x-kpi-cache']).toBe('hit');
    // The read a notification starts never answers: the listening connection is gone silently.
    let heard = () => undefined as void;
    const notified = new Promise<void>((r) => (heard = r));
    const read = cache.read.bind(cache);
    cache.read = async (scope, on) => {
      if (on) {
        heard();
        return new Promise<never>(() => undefined);
      }
      return read(scope, on);
    };
    try {
      await db.pool.query(`UPDATE assignment SET worker_id = 'BB' WHERE municipality_code = 461 AND worker_id = 'AA'`);
      await db.pool.query(
        `INSERT INTO setting (municipality_code, key, value) VALUES (461, 'data.max_age_days', '43') ON CONFLICT (municipality_code, key) DO UPDATE SET value = '43'`,
      );
      await notified;
      const started = Date.now();
      const res = await ask('/api/v1/kpis?ids=caseload.open_cases');
      const waited = Date.now() - started;
      // Not the figure from before the change, and not a wait without end: LISTENER_ANSWER_MS, then its own read.
      expect(res.headers['x-kpi-cache']).toBe('miss');
      // Every case of AA is now BB's.
      const { AA: moved, ...rest } = before as Record<string, number>;
      expect(moved).toBeGreaterThan(0);
      expect(res.body.kpis['caseload.open_cases']).toEqual({ ...rest, AA: 0, BB: (rest.BB ?? 0) + moved });
      expect(waited).toBeGreaterThanOrEqual(LISTENER_ANSWER_MS - 50);
      expect(cache.listens).toBe(false);
    } finally {
      cache.read = read;
    }
    // A new listening connection a second later.
    await listening(cache);
    expect(cache.listens).toBe(true);
  });

  it('listens anew when the listening connection does not answer the periodic check', async () => {
    const cache = app.get(KpiCache);
    await listening(cache);
    const internals = cache as unknown as { listener: Client };
    const silent = internals.listener;
    silent.query = (() => new Promise(() => undefined)) as unknown as Client['query'];
    await cache.checkListener();
    expect(cache.listens).toBe(false);
    await listening(cache);
    expect(cache.listens).toBe(true);
    expect(internals.listener).not.toBe(silent);
    // And it hears changes again: with no request asking, only the new listener can bring this version.
    await db.pool.query(
      `INSERT INTO setting (municipality_code, key, value) VALUES (461, 'data.max_age_days', '44') ON CONFLICT (municipality_code, key) DO UPDATE SET value = '44'`,
    );
    await caughtUp('461');
    expect(cache.listens).toBe(true);
  });

  it('moves the version of the changed municipality (payload: its scope), of the statistics, or of everything', async () => {
    const listener = new Client({ connectionString: db.url });
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (n) => heard.push(n.payload ?? ''));
    await listener.query('LISTEN data_version');
    const versions = async () =>
      Object.fromEntries(
        (await db.pool.query('SELECT scope, version::int AS v FROM data_version')).rows.map((r) => [r.scope, r.v as number]),
      ) as Record<string, number>;
    /** Runs a change and returns the scopes whose version it moved, by how much. */
    const moves = async (change: () => Promise<unknown>) => {
      const before = await versions();
      await change();
      const after = await versions();
      return Object.fromEntries(Object.entries(after).flatMap(([k, v]) => (v !== (before[k] ?? 0) ? [[k, v - (before[k] ?? 0)]] : [])));
    };
    expect(
      await moves(() =>
        db.pool.query(
          `INSERT INTO political_goal (municipality_code, kpi_id, title, direction, target, tolerance) VALUES (461, 'activity.placed_children', 'Højst 5', '<=', 5, 1)`,
        ),
      ),
    ).toEqual({ '461': 1 });
    expect(
      await moves(() =>
        db.pool.query(`INSERT INTO comparison_group (municipality_code, name, members) VALUES (101, 'Naboer', '{461,101}')`),
      ),
    ).toEqual({ '101': 1 });
    expect(
      await moves(() =>
        db.pool.query(
          `INSERT INTO admin_comment (municipality_code, subject_type, subject_key, period, text, author) VALUES (461, 'goal', '1', '2024', 'Tekst', 'chef')`,
        ),
      ),
    ).toEqual({ '461': 1 });
    // Two goals in one statement: one move per row; a goal moved to another municipality moves both.
    expect(await moves(() => db.pool.query(`UPDATE political_goal SET municipality_code = 101`))).toEqual({ '461': 1, '101': 1 });
    // A product-wide setting (municipality 0) moves everything.
    expect(
      await moves(() => db.pool.query(`INSERT INTO setting (municipality_code, key, value) VALUES (0, 'data.max_age_days', '35')`)),
    ).toEqual({ '*': 1 });
    // A failed import of a known municipality moves it; one that never learnt its municipality moves nothing (no KPI reads it).
    const broken = copyFixture(join(FIXTURES, 'dubu-deadlines'));
    editFile(broken, 'sager.csv', (text) => text.replace('Sagsnummer;CPR', 'Sagsnr;CPR'));
    expect(await moves(() => importDubu(db.pool, broken, { pseudonymSecret: TEST_SECRET, municipality: 101 }))).toEqual({ '101': 1 });
    expect(await moves(() => importDubu(db.pool, join(FIXTURES, 'does-not-exist'), { pseudonymSecret: TEST_SECRET }))).toEqual({});
    // A statistics import moves the statistics' version only.
    expect(await moves(() => importStatistics(db.pool, join(FIXTURES, 'statistics-benchmark'), { pseudonymSecret: TEST_SECRET }))).toEqual({
      national: 1,
    });
    // An import of a municipality moves its version once, at its commit (a running import moves nothing yet).
    expect(await moves(fixture)).toEqual({ '461': 1 });
    // So does the other case system's (CSC Social): København's export as CSC's event log.
    const csc = mkdtempSync(join(tmpdir(), 'csc-'));
    await dubuToCsc(copenhagen, csc);
    const cscImport = () => importCsc(db.pool, csc, { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30', municipality: 101 });
    expect(await moves(async () => expect((await cscImport()).status).toBe('succeeded'))).toEqual({ '101': 1 });
    rmSync(csc, { recursive: true, force: true });
    for (let i = 0; i < 100 && !heard.includes('national'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(new Set(heard)).toEqual(new Set(['461', '101', '*', 'national']));
    await listener.end();
  });
});
