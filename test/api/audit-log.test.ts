import { spawnSync } from 'child_process';
import type { INestApplication } from '@nestjs/common';
import { resolve } from 'path';
import { Pool } from 'pg';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '@bu/db';
import { AnonymousRefusals, loggedPath, rowsAMinute } from '../../apps/api/src/audit/audit.hook';
import { AuditService } from '../../apps/api/src/audit/audit.service';
import { PASSWORD, seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TestDatabase } from '../support/database';

// The audit log holds logins (also failed, with the name tried), refusals, every change and reads
// of import issues, with user, role, municipality, client IP, time and outcome; the API's database
// role bu_api may add and read rows but not change or remove them; the rows are hash-chained, and
// `npm run admin -- audit verify` finds an edit or a removal made even by the owner.

const ROOT = resolve(__dirname, '../..');

describe('the audit log', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let asApi: Pool;
  const http = () => request(app.getHttpServer());
  const rows = async (where = 'true') =>
    (
      await db.pool.query(
        `SELECT id::text, username, role, action, municipality_code AS municipality, client_ip AS ip, status, detail FROM audit_log WHERE ${where} ORDER BY audit_log.id`,
      )
    ).rows;
  const verifyCli = () =>
    spawnSync(process.execPath, ['tools/run.js', 'scripts/admin.ts', 'audit', 'verify'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: db.url },
    });
  // The API's role on real connections: rows written through AuditService itself.
  const serviceAsApi = () =>
    new AuditService({ query: async (sql: string, params?: unknown[]) => (await asApi.query(sql, params)).rows } as unknown as DataSource);

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedUsers(db, 461, 'Team Nord');
    app = await startTestApi(db);
    asApi = new Pool({ connectionString: db.url, max: 4, options: '-c role=bu_api' });
  });
  afterAll(async () => {
    await asApi?.end();
    await app?.close();
    await db?.drop();
  });

  it("logs logins, failed logins with the name tried (a name that is no user's by its hash), and no password", async () => {
    await tokenFor(app, 'chef');
    await http().post('/api/v1/auth/login').send({ username: 'chef', password: 'forkert-kode-1' }).expect(401);
    await http().post('/api/v1/auth/login').send({ username: 'mallory', password: 'gæt-gæt-gæt' }).expect(401);
    await http().post('/api/v1/auth/login').send({ username: 'mallory', password: 'gæt-gæt-gæt-2' }).expect(401);
    // A password typed into the username field: not kept, though the user logs in right after.
    await http().post('/api/v1/auth/login').send({ username: 'Sommer-2026!', password: 'x' }).expect(401);
    await tokenFor(app, 'chef');
    await new Promise((r) => setTimeout(r, 200));
    const logins = await rows(`action LIKE 'login%'`);
    const mallory = logins[2].username;
    expect(mallory).toMatch(/^ukendt:[0-9a-f]{12}$/);
    expect(logins.map((r) => [r.username, r.role, r.action, r.municipality, r.status])).toEqual([
      ['chef', 'chef', 'login', 461, 200],
      ['chef', 'chef', 'login.failed', 461, 401],
      // One name tried twice shows as one.
      [mallory, '-', 'login.failed', null, 401],
      [mallory, '-', 'login.failed', null, 401],
      [expect.not.stringMatching(new RegExp(`^${mallory}$`)), '-', 'login.failed', null, 401],
      ['chef', 'chef', 'login', 461, 200],
    ]);
    for (const r of logins) expect(r.ip).toMatch(/^(::ffff:)?127\.0\.0\.1$|^::1$/);
    const all = JSON.stringify(await rows());
    for (const secret of [PASSWORD, 'forkert-kode-1', 'gæt-gæt-gæt', 'mallory', 'Sommer-2026']) expect(all).not.toContain(secret);
  });

  it('keeps a CPR number typed as the username out of the audit log and the login counters', async () => {
    await http().post('/api/v1/auth/login').send({ username: '010190-1234', password: 'gæt-gæt-gæt' }).expect(401);
    await http().post('/api/v1/auth/login').send({ username: '0101901234', password: 'gæt-gæt-gæt' }).expect(401);
    // One across the 100 characters a name is kept to: masked before it is cut.
    await http()
      .post('/api/v1/auth/login')
      .send({ username: `${'x'.repeat(95)}0101901234`, password: 'gæt-gæt-gæt' })
      .expect(401);
    await new Promise((r) => setTimeout(r, 200));
    // Not users' names: kept as the keyed hash of the masked name (no hash of a CPR number).
    const tried = (await rows(`action = 'login.failed'`)).slice(-3).map((r) => r.username);
    expect(tried[0]).toMatch(/^ukendt:[0-9a-f]{12}$/);
    expect(tried).toEqual([tried[0], tried[0], expect.not.stringMatching(new RegExp(`^${tried[0]}$|\\*`))]);
    const keys = (await asApi.query(`SELECT key FROM login_attempt WHERE kind IN ('user', 'user_ip')`)).rows.map((r) => r.key);
    expect(keys).toContain('******-****');
    const all = JSON.stringify([await rows(), keys]);
    for (const cpr of ['010190', '0101901234']) expect(all).not.toContain(cpr);
  });

  it('logs 401 and 403 refusals with who was refused', async () => {
    await http().get('/api/v1/imports').expect(401);
    const udvalg = await tokenFor(app, 'udvalg');
    await http().get('/api/v1/imports').set('Authorization', `Bearer ${udvalg}`).expect(403);
    await new Promise((r) => setTimeout(r, 200));
    expect((await rows(`action = 'refused'`)).map((r) => [r.username, r.role, r.municipality, r.status, r.detail])).toEqual([
      ['-', '-', null, 401, { method: 'GET', path: '/api/v1/imports' }],
      ['udvalg', 'udvalg', 461, 403, { method: 'GET', path: '/api/v1/imports' }],
    ]);
  });

  it("logs a signed-in user's 404 (a guessed id, another team's round), not an anonymous one", async () => {
    const teamleder = await tokenFor(app, 'teamleder');
    await http().get('/api/v1/reviews/987654').set('Authorization', `Bearer ${teamleder}`).expect(404);
    await http().get('/api/v1/reviews/987655').expect(401);
    // A CPR number typed as a case number, percent-encoded as a browser sends it: kept masked.
    for (const typed of ['010203%201234', '010203%C2%A01234', '010203%2F1234', '%30%31%30%32%30%33%2D%31%32%33%34'])
      await http().get(`/api/v1/reviews/987654/cases/${typed}`).set('Authorization', `Bearer ${teamleder}`).expect(404);
    await new Promise((r) => setTimeout(r, 200));
    // Badly encoded: its valid runs decoded all the same, so the CPR number is masked (a change is
    // logged whatever its answer).
    await http().post('/api/v1/reviews/987654/cases/010203%201234%').set('Authorization', `Bearer ${teamleder}`);
    const found = await rows(`action = 'not-found'`);
    expect(found.map((r) => [r.username, r.role, r.municipality, r.status, r.detail])).toEqual([
      ['teamleder', 'teamleder', 461, 404, { method: 'GET', path: '/api/v1/reviews/987654' }],
      ...Array.from({ length: 4 }, () => [
        'teamleder',
        'teamleder',
        461,
        404,
        { method: 'GET', path: '/api/v1/reviews/987654/cases/******-****' },
      ]),
    ]);
    await new Promise((r) => setTimeout(r, 200));
    expect((await rows(`action = 'change' AND detail->>'path' LIKE '/api/v1/reviews/987654/cases/%'`)).map((r) => r.detail.path)).toEqual([
      '/api/v1/reviews/987654/cases/******-****%',
    ]);
  });

  it('keeps a row whose path holds a NUL, and the rows written beside it', async () => {
    const chef = await tokenFor(app, 'chef');
    await new Promise((r) => setTimeout(r, 200));
    const before = (await rows()).length;
    await Promise.all([
      http().post('/api/v1/auth/login').send({ username: 'chef', password: 'forkert-kode-9' }).expect(401),
      http().delete('/api/v1/goals/987654').set('Authorization', `Bearer ${chef}`),
    ]);
    await new Promise((r) => setTimeout(r, 200));
    const added = (await rows()).slice(before);
    expect(added.map((r) => r.detail.path).sort()).toEqual(['/api/v1/auth/login', '/api/v1/goals/987654']);
    // (A path with a NUL is refused before it is routed; were it logged, the NUL is replaced.)
    expect(loggedPath('/api/v1/x%00y')).toBe('/api/v1/x\ufffdy');
    // One row the database refuses fails alone.
    const service = serviceAsApi();
    const results = await Promise.allSettled([
      service.event({ username: 'a', role: 'chef', action: 'change', municipality: 461, detail: { path: 'ok-1' } }),
      service.event({ username: 'a', role: 'chef', action: 'change', municipality: 461, detail: { path: 'bad\u0000' } }),
      service.event({ username: 'a', role: 'chef', action: 'change', municipality: 461, detail: { path: 'ok-2' } }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await rows(`detail->>'path' IN ('ok-1', 'ok-2')`)).map((r) => r.detail.path)).toEqual(['ok-1', 'ok-2']);
  });

  it('logs changes asked without a session ten a minute per address', async () => {
    const before = (await rows(`action = 'change' AND client_ip = '203.0.113.60'`)).length;
    for (let i = 0; i < 15; i++) await http().post(`/api/v1/findes-ikke-${i}`).set('X-Forwarded-For', '203.0.113.60').expect(404);
    await new Promise((r) => setTimeout(r, 200));
    expect((await rows(`action = 'change' AND client_ip = '203.0.113.60'`)).length - before).toBe(10);
    expect(rowsAMinute('change', 404)).toBe(10);
    expect(rowsAMinute('change', 200)).toBeNull();
  });

  it('logs refusals without a valid session, and failed logins that cost nothing, once a minute per address, with how many went unlogged', async () => {
    const before = (await rows(`action = 'refused'`)).length;
    for (let i = 0; i < 50; i++) await http().get('/api/v1/kpis').set('X-Forwarded-For', '203.0.113.50').expect(401);
    // A forged token is no credential either.
    for (let i = 0; i < 3; i++)
      await http().get('/api/v1/kpis').set('X-Forwarded-For', '203.0.113.50').set('Authorization', 'Bearer forfalsket').expect(401);
    for (let i = 0; i < 3; i++)
      await http().get('/api/v1/kpis').set('X-Forwarded-For', '203.0.113.51').set('Authorization', 'Bearer forfalsket').expect(401);
    // Logins refused as blocked (429), without looking at the password, likewise, ten a minute (so
    // that a few real tries still show one by one); a wrong password is logged every time (the
    // throttle bounds those: 5 from an address for one name, then 429).
    const codes: number[] = [];
    for (let i = 0; i < 17; i++)
      codes.push(
        (
          await http()
            .post('/api/v1/auth/login')
            .set('X-Forwarded-For', '203.0.113.52')
            .send({ username: 'mallory2', password: `forkert-${i}` })
        ).status,
      );
    expect(codes).toEqual([...Array(5).fill(401), ...Array(12).fill(429)]);
    await new Promise((r) => setTimeout(r, 200));
    const failed = await rows(`action = 'login.failed' AND client_ip = '203.0.113.52'`);
    const mallory2 = failed[0].username;
    expect(mallory2).toMatch(/^ukendt:/);
    expect(failed.map((r) => [r.username, r.status])).toEqual([...Array(5).fill([mallory2, 401]), ...Array(10).fill([mallory2, 429])]);
    const refused = (await rows(`action = 'refused'`)).slice(before);
    expect(refused.map((r) => [r.username, r.status, r.ip, r.detail])).toEqual([
      ['-', 401, '203.0.113.50', { method: 'GET', path: '/api/v1/kpis' }],
      ['-', 401, '203.0.113.51', { method: 'GET', path: '/api/v1/kpis' }],
    ]);
    // The next minute's first row says how many went unlogged.
    const counter = new AnonymousRefusals(60_000);
    expect(counter.take('a', 0)).toBe(0);
    for (let t = 1; t <= 49; t++) expect(counter.take('a', t)).toBeNull();
    expect(counter.take('b', 10)).toBe(0);
    expect(counter.take('a', 60_000)).toBe(49);
    // A kind with more rows a minute: the first three written, the fourth counted.
    expect([0, 1, 2, 3].map((t) => counter.take('c', t, 3))).toEqual([0, 0, 0, null]);
    expect(counter.take('c', 60_000, 3)).toBe(1);
    // Which rows are sampled: never a wrong or blocked one-time code (it comes after the right password),
    // nor a wrong password, nor a single sign-on refused by name.
    expect(rowsAMinute('login.failed', 429)).toBe(10);
    expect(rowsAMinute('login.failed', 429, undefined, 'code-blocked')).toBeNull();
    expect(rowsAMinute('login.failed', 401, undefined, 'code-wrong')).toBeNull();
    expect(rowsAMinute('login.failed', 401)).toBeNull();
    expect(rowsAMinute('login.failed', 403)).toBeNull();
    expect(rowsAMinute('login.failed', 400, { username: 'anne@kommune.dk' })).toBeNull();
    expect(rowsAMinute('login.failed', 400, {})).toBe(10);
    expect(rowsAMinute('refused', 401)).toBe(1);
    expect(rowsAMinute('refused', 403)).toBeNull();
  });

  it('logs every change with its outcome, and reads of import issues, never the body', async () => {
    const admin = await tokenFor(app, 'admin');
    const chef = await tokenFor(app, 'chef');
    const as = (token: string) => ({ Authorization: `Bearer ${token}` });
    await new Promise((r) => setTimeout(r, 200));
    const since = (await rows()).at(-1)!.id;
    await http().put('/api/v1/settings/intake_team').set(as(admin)).send({ municipality: 0, value: 'Hemmeligt-Team' }).expect(200);
    await http().put('/api/v1/settings/intake_team').set(as(admin)).send({ municipality: 0, value: '' }).expect(400);
    await http().delete('/api/v1/settings/intake_team?municipality=0').set(as(admin)).expect(204);
    await http().put('/api/v1/comments').set(as(chef)).send({ municipality: 461, kpi: 'caseload', text: 'Hemmelig kommentar' });
    const { rows: run } = await db.pool.query(
      `INSERT INTO import_run (municipality_code, source, status) VALUES (461, 'dubu', 'succeeded') RETURNING id`,
    );
    await http().get(`/api/v1/imports/${run[0].id}/issues`).set(as(chef)).expect(200);
    await new Promise((r) => setTimeout(r, 200));
    const changes = await rows(`action IN ('change', 'read:import-issues') AND id > ${since}`);
    expect(changes.map((r) => [r.username, r.role, r.action, r.municipality, r.status, r.detail.path])).toEqual([
      ['admin', 'admin', 'change', null, 200, '/api/v1/settings/intake_team'],
      ['admin', 'admin', 'change', null, 400, '/api/v1/settings/intake_team'],
      ['admin', 'admin', 'change', null, 204, '/api/v1/settings/intake_team'],
      ['chef', 'chef', 'change', 461, changes[3].status, '/api/v1/comments'],
      ['chef', 'chef', 'read:import-issues', 461, 200, `/api/v1/imports/${run[0].id}/issues`],
    ]);
    expect(changes.map((r) => r.detail.method)).toEqual(['PUT', 'PUT', 'DELETE', 'PUT', 'GET']);
    const all = JSON.stringify(await rows());
    expect(all).not.toContain('Hemmelig');
  });

  it('logs a change, a login and an import-issue read whatever the path’s case or a trailing slash', async () => {
    // Express routes /api/V1/... and .../ to the same handlers: the log must see them as it does.
    const chef = await tokenFor(app, 'chef');
    const { rows: run } = await db.pool.query(
      `INSERT INTO import_run (municipality_code, source, status) VALUES (461, 'dubu', 'succeeded') RETURNING id`,
    );
    await http().get(`/api/v1/Imports/${run[0].id}/issues/`).set('Authorization', `Bearer ${chef}`).expect(200);
    const encoded = [...String(run[0].id)].map((d) => `%3${d}`).join('');
    await http().get(`/api/v1/imports/${encoded}/issues`).set('Authorization', `Bearer ${chef}`).expect(200);
    await http().post('/api/v1/auth/login/').send({ username: 'chef', password: 'forkert-kode-2' }).expect(401);
    await http().post('/API/v1/auth/login').send({ username: 'chef', password: 'forkert-kode-3' }).expect(401);
    await http().post('/api/V1/auth/logout').set('Authorization', `Bearer ${chef}`).expect(204);
    await new Promise((r) => setTimeout(r, 200));
    const logged = await rows(
      `detail->>'path' IN ('/api/v1/Imports/${run[0].id}/issues/', '/api/v1/imports/${run[0].id}/issues', '/api/v1/auth/login/', '/API/v1/auth/login', '/api/V1/auth/logout')`,
    );
    expect(logged.map((r) => [r.username, r.action, r.status, r.detail.path])).toEqual([
      ['chef', 'read:import-issues', 200, `/api/v1/Imports/${run[0].id}/issues/`],
      // Kept decoded, as Express routed it (and masked: see the 404 test).
      ['chef', 'read:import-issues', 200, `/api/v1/imports/${run[0].id}/issues`],
      ['chef', 'login.failed', 401, '/api/v1/auth/login/'],
      ['chef', 'login.failed', 401, '/API/v1/auth/login'],
      ['chef', 'change', 204, '/api/V1/auth/logout'],
    ]);
  });

  it('lets the API role add and read rows and case sets, but not change, remove or truncate them', async () => {
    const service = serviceAsApi();
    const cases = ['S1', 'S2', 'S3'];
    // Concurrent requests with the same set of cases get one row, without UPDATE.
    const ids = await Promise.all([1, 2, 3, 4].map(() => service.caseSet(cases)));
    expect(new Set(ids).size).toBe(1);
    expect(await service.caseSet(cases)).toBe(ids[0]);
    await service.record({ username: 'chef', role: 'chef', municipality: 461, teams: [] }, 461, ['caseload'], ids[0], {
      asOf: '2024-04-30',
    });
    expect((await asApi.query(`SELECT count(*)::int AS n FROM audit_access WHERE action = 'kpi:caseload'`)).rows[0].n).toBe(1);
    for (const sql of [
      `UPDATE audit_log SET detail = '{}' WHERE id = (SELECT min(id) FROM audit_log)`,
      `DELETE FROM audit_log WHERE id = (SELECT min(id) FROM audit_log)`,
      'TRUNCATE audit_log',
      `UPDATE audit_case_set SET case_ids = '{}'`,
      'DELETE FROM audit_case_set',
      'TRUNCATE audit_case_set CASCADE',
      `UPDATE audit_chain SET head_hash = ''`,
      'DELETE FROM audit_purge',
    ]) {
      await expect(asApi.query(sql), sql).rejects.toThrow(/permission denied/);
    }
    // The same through SET ROLE, as the API's DataSource does on each connection.
    const client = await db.pool.connect();
    try {
      await client.query('SET ROLE bu_api');
      await expect(client.query(`UPDATE audit_log SET detail = '{}'`)).rejects.toThrow(/permission denied for table audit_log/);
      await client.query('RESET ROLE');
    } finally {
      client.release();
    }
    // Even a blanket grant (a later migration's GRANT ALL) leaves the log append-only for bu_api.
    await db.pool.query('GRANT ALL ON audit_log TO bu_api');
    try {
      await expect(asApi.query(`UPDATE audit_log SET detail = '{}'`)).rejects.toThrow(/permission denied/);
      await expect(asApi.query('DELETE FROM audit_log')).rejects.toThrow(/permission denied/);
      await expect(asApi.query('TRUNCATE audit_log CASCADE')).rejects.toThrow(/permission denied/);
    } finally {
      await db.pool.query('REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM bu_api');
    }
    // A client cannot choose its own hashes, nor its row's time (no back-dating).
    const { rows: forged } = await asApi.query(
      `INSERT INTO audit_log (username, role, action, prev_hash, hash, at) VALUES ('x', 'admin', 'forged', 'a', 'b', '2020-01-01') RETURNING at > now() - interval '1 minute' AS now`,
    );
    expect(forged[0].now).toBe(true);
    expect((await verifyAuditChain(db.pool)).ok).toBe(true);
  });

  it('keeps one chain when several processes write at once', async () => {
    const services = [serviceAsApi(), serviceAsApi(), serviceAsApi()];
    await Promise.all(
      Array.from({ length: 90 }, (_, i) =>
        services[i % 3].event({
          username: `u${i}`,
          role: 'chef',
          action: 'test',
          municipality: 461,
          detail: { i },
          ip: '10.0.0.1',
          status: 200,
        }),
      ),
    );
    const result = await verifyAuditChain(db.pool);
    expect(result).toMatchObject({ ok: true });
    expect(result.ok && result.count).toBe((await rows()).length);
  });

  it('finds an edit and a removal made by the owner, naming the row; untouched it says OK', async () => {
    const ok = verifyCli();
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    const n = (await rows()).length;
    expect(ok.stdout).toContain(`OK: revisionsloggens kæde er hel: ${n} rækker.`);
    // The head to keep outside the database: the last row and its hash.
    const [head] = (await db.pool.query(`SELECT id::text, hash FROM audit_log ORDER BY audit_log.id DESC LIMIT 1`)).rows;
    expect(ok.stdout).toContain(`Kædens hoved: række ${head.id}, ${head.hash}`);

    const [a, b, c] = (await rows(`action = 'test'`)).slice(10, 13);
    await db.pool.query(`UPDATE audit_log SET detail = '{"i": 999}' WHERE id = $1`, [b.id]);
    const edited = verifyCli();
    expect(edited.status).toBe(1);
    expect(edited.stderr).toContain(`Revisionsloggen er brudt ved række ${b.id}: række ${b.id} er ændret`);
    await db.pool.query(`UPDATE audit_log SET detail = $2 WHERE id = $1`, [b.id, b.detail]);
    expect(verifyCli().status).toBe(0);

    await db.pool.query(`CREATE TABLE audit_saved AS SELECT * FROM audit_log WHERE id = $1`, [b.id]);
    await db.pool.query(`DELETE FROM audit_log WHERE id = $1`, [b.id]);
    const removed = verifyCli();
    expect(removed.status).toBe(1);
    expect(removed.stderr).toContain(`Revisionsloggen er brudt ved række ${c.id}: række ${c.id} følger ikke række ${a.id}`);

    // The newest row removed: the chain's head no longer matches.
    await db.pool.query(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_chain`);
    await db.pool.query(`INSERT INTO audit_log SELECT * FROM audit_saved`);
    await db.pool.query(`ALTER TABLE audit_log ENABLE TRIGGER audit_log_chain`);
    expect(verifyCli().status).toBe(0);
    const last = (await rows()).at(-1)!;
    await db.pool.query(`DELETE FROM audit_log WHERE id = $1`, [last.id]);
    const tail = verifyCli();
    expect(tail.status).toBe(1);
    expect(tail.stderr).toContain('rækker til sidst er slettet eller ændret');
  });
});
