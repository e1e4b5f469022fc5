import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { runInScope } from '../../apps/api/src/database/request-scope';
import { scopedPg } from '../../apps/api/src/database/scoped-pg';
import { KpiCache } from '../../apps/api/src/kpi/kpi-cache.service';
import { seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { DUBU_SMALL, DUBU_SMALL_D, dubuAs } from '../support/fixtures';

// Issue 12, point 3, defence in depth: the API's connections run as bu_api under row-level
// security, in the request's municipality. A query that forgets its WHERE still sees only the
// caller's municipality; the owner (ETL, migrations) sees everything.

const codes = (rows: { m: number }[]) => rows.map((r) => r.m);

describe('row-level security for the API role', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let ds: DataSource;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, DUBU_SMALL, { pseudonymSecret: TEST_SECRET, exportDate: DUBU_SMALL_D });
    // The same export as Copenhagen's (101).
    const copenhagen = dubuAs(DUBU_SMALL, 101);
    const imported = await importDubu(db.pool, copenhagen, { pseudonymSecret: TEST_SECRET, exportDate: DUBU_SMALL_D });
    expect(imported.municipality).toBe(101);
    for (const m of [461, 101]) {
      await db.pool.query(
        `INSERT INTO political_goal (municipality_code, kpi_id, title, direction, target, created_by) VALUES ($1, 'activity.family_care_share', 'Mål', '>=', 0.6, 'x')`,
        [m],
      );
      await db.pool.query(
        `INSERT INTO comparison_group (municipality_code, name, members, created_by) VALUES ($1, 'Naboer', '{410}', 'x')`,
        [m],
      );
      await db.pool.query(`INSERT INTO setting (municipality_code, key, value) VALUES ($1, 'intake_team', '"Team Syd"')`, [m]);
    }
    await db.pool.query(`INSERT INTO setting (municipality_code, key, value) VALUES (0, 'intake_team', '"Modtagelsen"')`);
    await seedUsers(db, 461, 'Team Syd');
    app = await startTestApi(db);
    ds = app.get(DataSource);
    for (const u of ['chef', 'chef-kbh', 'admin']) tokens[u] = await tokenFor(app, u);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it("answers a deliberately unscoped query with the request municipality's rows only", async () => {
    const owner = await db.pool.query('SELECT municipality_code AS m, count(*)::int AS n FROM child_case GROUP BY 1 ORDER BY 1');
    expect(owner.rows).toEqual([
      { m: 101, n: 11 },
      { m: 461, n: 11 },
    ]);
    expect(await runInScope('461', () => ds.query('SELECT municipality_code AS m, count(*)::int AS n FROM child_case GROUP BY 1'))).toEqual(
      [{ m: 461, n: 11 }],
    );
    expect(await runInScope('101', () => ds.query('SELECT DISTINCT municipality_code AS m FROM caseworker'))).toEqual([{ m: 101 }]);
    for (const table of [
      'child_case',
      'person',
      'assignment',
      'caseworker',
      'import_run',
      'import_issue',
      'source_snapshot',
      'political_goal',
      'comparison_group',
    ]) {
      expect(codes(await runInScope('461', () => ds.query(`SELECT DISTINCT municipality_code AS m FROM ${table}`))), table).toEqual([461]);
    }
    // Settings: the municipality's own and the product-wide ones (0).
    expect(codes(await runInScope('461', () => ds.query('SELECT municipality_code AS m FROM setting ORDER BY 1')))).toEqual([0, 461]);
    // Public statistics stay readable for benchmarks.
    expect((await runInScope('461', () => ds.query('SELECT count(*)::int AS n FROM municipality')))[0].n).toBeGreaterThan(90);
  });

  it('guards every table with a municipality code the API may read, read models included', async () => {
    // A table added later (a read model, say) without row security would show every municipality's
    // rows to a query that forgot its WHERE. Public statistics are everyone's (the benchmarks); the
    // audit log is written in batches of several requests' rows and has no row security (its
    // endpoint scopes its own query, migration 1733200000000).
    const { rows } = await db.pool.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'municipality_code' AND NOT a.attisdropped
       WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND has_table_privilege('bu_api', c.oid, 'SELECT')
         AND NOT (c.relrowsecurity AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid))
       ORDER BY 1`,
    );
    expect(rows.map((r) => r.name)).toEqual(['audit_log', 'municipal_statistic', 'population']);
    // And each such policy for reading keeps to the scope, not `USING (true)`: but the users'
    // (a login reads the user before any scope is known, migration 1733200000000).
    const open = await db.pool.query<{ name: string; policy: string }>(
      `SELECT c.relname AS name, p.polname AS policy FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'municipality_code' AND NOT a.attisdropped
       JOIN pg_policy p ON p.polrelid = c.oid AND p.polcmd IN ('r', '*')
       WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND has_table_privilege('bu_api', c.oid, 'SELECT')
         AND pg_get_expr(p.polqual, p.polrelid) NOT LIKE '%bu_scope_codes()%'
       ORDER BY 1, 2`,
    );
    expect(open.rows).toEqual([{ name: 'app_user', policy: 'bu_api_read' }]);
    await db.pool.query(`INSERT INTO caseload_day (municipality_code, day) VALUES (461, '2024-01-31'), (101, '2024-01-31')`);
    expect(codes(await runInScope('461', () => ds.query('SELECT municipality_code AS m FROM caseload_day')))).toEqual([461]);
    await db.pool.query('DELETE FROM caseload_day');
  });

  it('shows no scoped row without a scope, every row to a national scope, and runs as bu_api', async () => {
    expect(await ds.query('SELECT count(*)::int AS n FROM child_case')).toEqual([{ n: 0 }]);
    expect(await ds.query('SELECT count(*)::int AS n FROM political_goal')).toEqual([{ n: 0 }]);
    expect(codes(await ds.query('SELECT municipality_code AS m FROM setting'))).toEqual([0]);
    expect(codes(await runInScope('*', () => ds.query('SELECT DISTINCT municipality_code AS m FROM child_case ORDER BY 1')))).toEqual([
      101, 461,
    ]);
    expect(await runInScope('461', () => ds.query('SELECT current_user AS u'))).toEqual([{ u: 'bu_api' }]);
    // The owner is not restricted.
    expect((await db.pool.query('SELECT count(*)::int AS n FROM political_goal')).rows).toEqual([{ n: 2 }]);
  });

  it("cannot change another municipality's rows nor the case facts", async () => {
    // A DELETE without WHERE removes the scope's own goal only.
    await runInScope('461', () => ds.query('DELETE FROM political_goal'));
    expect(codes((await db.pool.query('SELECT municipality_code AS m FROM political_goal')).rows)).toEqual([101]);
    await expect(
      runInScope('461', () =>
        ds.query(
          `INSERT INTO political_goal (municipality_code, kpi_id, title, direction, target, created_by) VALUES (101, 'x', 'y', '>=', 1, 'z')`,
        ),
      ),
    ).rejects.toThrow(/row-level security/);
    await runInScope('461', () => ds.query(`UPDATE setting SET value = '"X"'`));
    expect((await db.pool.query(`SELECT municipality_code AS m, value FROM setting ORDER BY 1`)).rows).toEqual([
      { m: 0, value: 'Modtagelsen' },
      { m: 101, value: 'Team Syd' },
      { m: 461, value: 'X' },
    ]);
    await expect(runInScope('*', () => ds.query('DELETE FROM child_case'))).rejects.toThrow(/permission denied/);
    await expect(runInScope('461', () => ds.query(`DELETE FROM app_user WHERE username = 'chef-kbh'`))).resolves.toBeDefined();
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM app_user WHERE username = 'chef-kbh'`)).rows).toEqual([{ n: 1 }]);
  });

  it("serves each municipality's figures over HTTP, and a national user every municipality", async () => {
    const kpi = async (user: string, m?: number) =>
      (
        await request(app.getHttpServer())
          .get(`/api/v1/kpis?ids=caseload.open_cases${m ? `&municipality=${m}` : ''}`)
          .set('Authorization', `Bearer ${tokens[user]}`)
          .expect(200)
      ).body.kpis['caseload.open_cases'];
    const own = await kpi('chef');
    expect(Object.keys(own).length).toBeGreaterThan(0);
    expect(await kpi('chef-kbh')).toEqual(own);
    expect(await kpi('admin', 461)).toEqual(own);
    const listed = (
      await request(app.getHttpServer()).get('/api/v1/municipalities').set('Authorization', `Bearer ${tokens.admin}`).expect(200)
    ).body;
    expect(listed.map((m: { code: number }) => m.code).sort()).toEqual([101, 461]);
  });

  it("re-computes a remembered answer after a change in the asker's scope, not the changer's", async () => {
    const cache = app.get(KpiCache);
    const ask = async () =>
      (
        await request(app.getHttpServer())
          .get('/api/v1/kpis?ids=caseload.open_cases')
          .set('Authorization', `Bearer ${tokens.chef}`)
          .expect(200)
      ).body.kpis['caseload.open_cases'];
    const before = await ask();
    // A change of 461 (by the ETL's owner, behind the API) is learnt by whoever reads the versions
    // first: the listener (outside any scope) or Copenhagen's chief's request, which changes a
    // comparison group and reads them. Either way 461's answer is re-warmed from outside its scope.
    await db.pool.query(`INSERT INTO setting (municipality_code, key, value) VALUES (461, 'data.max_age_days', '60')`);
    await request(app.getHttpServer())
      .post('/api/v1/comparison-groups')
      .set('Authorization', `Bearer ${tokens['chef-kbh']}`)
      .send({ name: 'Andre', members: [147] })
      .expect(201);
    await cache.warming;
    const hits = cache.hits;
    expect(await ask()).toEqual(before);
    expect(cache.hits).toBeGreaterThan(hits);
  });

  it("keeps each caller's scope on a pool lent to more callers than it has connections (the standby's reads)", async () => {
    // The read replica's pool sends pool.query(); a caller that waits for a connection must not get
    // the scope of the caller who gives one back. Two connections, 30 callers in three scopes.
    const pool = new scopedPg.Pool({ connectionString: db.url, max: 2 });
    try {
      const scopes = ['461', '101', '*'];
      const seen = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          runInScope(scopes[i % 3], async () => {
            const { rows } = await pool.query(
              `SELECT current_setting('bu.municipalities') AS scope, array_agg(DISTINCT municipality_code ORDER BY municipality_code) AS m, pg_sleep(0.005)::text
                 FROM child_case`,
            );
            return { asked: scopes[i % 3], scope: rows[0].scope, m: rows[0].m };
          }),
        ),
      );
      const rows = (scope: string) => (scope === '*' ? [101, 461] : [Number(scope)]);
      expect(seen.filter((s) => s.scope !== s.asked || s.m.join() !== rows(s.asked).join())).toEqual([]);
      // The callback form of pool.query() as well.
      const viaCallback = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          runInScope(
            scopes[i % 3],
            () =>
              new Promise<string>((done, fail) =>
                pool.query(`SELECT current_setting('bu.municipalities') AS scope, pg_sleep(0.005)::text`, (err, res) =>
                  err ? fail(err) : done(res.rows[0].scope),
                ),
              ),
          ),
        ),
      );
      expect(viaCallback).toEqual(Array.from({ length: 12 }, (_, i) => scopes[i % 3]));
    } finally {
      await pool.end();
    }
  });
});
