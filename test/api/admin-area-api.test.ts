import type { INestApplication } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobQueue, type JobQueue } from '@bu/jobs';
import { createWorker } from '@bu/queue';
import { importDubu } from '@bu/etl';
import { runInScope } from '../../apps/api/src/database/request-scope';
import { addUser, setUserTotp } from '../../scripts/lib/users';
import { PASSWORD, seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { DUBU_SMALL, DUBU_SMALL_D } from '../support/fixtures';

// The administration area's endpoints over HTTP (issue 15, point 3): users changed and their
// passwords reset, the audit log searched, the drop folders listed, import jobs retried and
// cancelled, the import log filtered; each within the administrator's municipality (another
// municipality's rows are 404) and refused to the other roles.
describe('administration in the browser: the API behind it', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let queue: JobQueue;
  const tokens: Record<string, string> = {};
  const http = () => request(app.getHttpServer());
  const as = (user: string) => ({ Authorization: `Bearer ${tokens[user]}` });

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, DUBU_SMALL, { pseudonymSecret: TEST_SECRET, exportDate: DUBU_SMALL_D });
    await seedUsers(db, 461, 'Team Syd');
    await addUser(db.pool, { username: 'admin-461', password: PASSWORD, role: 'admin', municipality: 461 });
    await addUser(db.pool, { username: 'bo', password: PASSWORD, role: 'chef', municipality: 461 });
    await addUser(db.pool, { username: 'kbh.bruger', password: PASSWORD, role: 'udvalg', municipality: 101 });
    await db.pool.query(
      `INSERT INTO app_user (username, password_hash, role, municipality_code, teams, auth_source, external_id, email)
       VALUES ('sso.anna', NULL, 'chef', 461, '{}', 'oidc', 'https://idp|anna', 'anna@kommune.dk')`,
    );
    app = await startTestApi(db);
    queue = jobQueue({ databaseUrl: db.url });
    for (const u of ['udvalg', 'chef', 'teamleder', 'admin', 'admin-461', 'bo']) tokens[u] = await tokenFor(app, u);
  });
  afterAll(async () => {
    await queue?.close();
    await app?.close();
    await db?.drop();
  });

  describe('users', () => {
    it('lists e-mail, where the user logs in and the last login', async () => {
      const list = (await http().get('/api/v1/users').set(as('admin-461')).expect(200)).body as Record<string, unknown>[];
      expect(list.map((u) => u.username)).toEqual(['admin-461', 'bo', 'chef', 'sso.anna', 'teamleder', 'udvalg']);
      expect(list.find((u) => u.username === 'sso.anna')).toMatchObject({
        authSource: 'oidc',
        email: 'anna@kommune.dk',
        lastLoginAt: null,
      });
      expect(list.find((u) => u.username === 'bo')).toMatchObject({ authSource: 'local', email: null, secondFactor: false });
      // A password login records its time too (bo logged in above, a minute ago at most).
      const bo = list.find((u) => u.username === 'bo')!.lastLoginAt as string;
      expect(bo).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
      expect(Math.abs(new Date(`${bo}:00`).getTime() - Date.now())).toBeLessThan(24 * 3_600_000);
      // A one-time code set up by the operator (ADR 0116) shows; the secret itself never does.
      await setUserTotp(db.pool, 'bo', Buffer.alloc(20, 7));
      const after = (await http().get('/api/v1/users').set(as('admin-461')).expect(200)).body as Record<string, unknown>[];
      expect(after.find((u) => u.username === 'bo')).toMatchObject({ authSource: 'local', secondFactor: true });
      expect(after.find((u) => u.username === 'sso.anna')).toMatchObject({ secondFactor: false });
      expect(JSON.stringify(after)).not.toMatch(/totp|secret/i);
      await setUserTotp(db.pool, 'bo', null);
    });

    it("shows a single sign-on user whose grant was withdrawn until the user's next login", async () => {
      const grantEnded = async () => {
        const list = (await http().get('/api/v1/users').set(as('admin-461')).expect(200)).body as Record<string, unknown>[];
        return Object.fromEntries(list.map((u) => [u.username, u.grantEnded]));
      };
      expect(await grantEnded()).toMatchObject({ 'sso.anna': false, bo: false });
      try {
        // Withdrawn (a sign-in refused, a mapping changed) and never logged in since.
        await db.pool.query(
          `UPDATE app_user SET grant_ended_at = now() - interval '1 hour', last_login_at = NULL WHERE username = 'sso.anna'`,
        );
        expect((await grantEnded())['sso.anna']).toBe(true);
        // A login before the withdrawal does not give the role back.
        await db.pool.query(`UPDATE app_user SET last_login_at = now() - interval '2 hours' WHERE username = 'sso.anna'`);
        expect((await grantEnded())['sso.anna']).toBe(true);
        // The next login does.
        await db.pool.query(`UPDATE app_user SET last_login_at = now() WHERE username = 'sso.anna'`);
        expect((await grantEnded())['sso.anna']).toBe(false);
        // A password user is never marked (the column is single sign-on's).
        await db.pool.query(`UPDATE app_user SET grant_ended_at = now() + interval '1 hour' WHERE username = 'bo'`);
        expect((await grantEnded()).bo).toBe(false);
      } finally {
        await db.pool.query(`UPDATE app_user SET grant_ended_at = NULL, last_login_at = NULL WHERE username = 'sso.anna'`);
        await db.pool.query(`UPDATE app_user SET grant_ended_at = NULL WHERE username = 'bo'`);
      }
    });

    it('creates a user with an e-mail address, refusing a bad one before anything is made', async () => {
      const bad = await http()
        .post('/api/v1/users')
        .set(as('admin-461'))
        .send({ username: 'eva', password: 'en-lang-adgangskode', role: 'chef', email: 'eva' })
        .expect(400);
      expect(bad.body.message).toBe('Ugyldig e-mailadresse: eva');
      expect((await db.pool.query(`SELECT 1 FROM app_user WHERE username = 'eva'`)).rowCount).toBe(0);
      await http()
        .post('/api/v1/users')
        .set(as('admin-461'))
        .send({ username: 'eva', password: 'en-lang-adgangskode', role: 'chef', email: 'eva@kommune.dk' })
        .expect(201);
      expect((await db.pool.query(`SELECT email, municipality_code AS m FROM app_user WHERE username = 'eva'`)).rows).toEqual([
        { email: 'eva@kommune.dk', m: 461 },
      ]);
      await http().delete('/api/v1/users/eva').set(as('admin-461')).expect(204);
    });

    it('changes role, teams and e-mail; the old token stops working', async () => {
      const old = await tokenFor(app, 'bo');
      await http()
        .patch('/api/v1/users/bo')
        .set(as('admin-461'))
        .send({ role: 'teamleder', teams: ['Team Syd'], email: 'bo@kommune.dk' })
        .expect(200, { username: 'bo', disabled: false });
      const { rows } = await db.pool.query(`SELECT role, teams, email FROM app_user WHERE username = 'bo'`);
      expect(rows[0]).toEqual({ role: 'teamleder', teams: ['Team Syd'], email: 'bo@kommune.dk' });
      await http()
        .get('/api/v1/me')
        .set({ Authorization: `Bearer ${old}` })
        .expect(401);
      const me = await http()
        .get('/api/v1/me')
        .set({ Authorization: `Bearer ${await tokenFor(app, 'bo')}` })
        .expect(200);
      expect(me.body).toMatchObject({ role: 'teamleder', teams: ['Team Syd'] });
    });

    it('refuses bad changes with a Danish message', async () => {
      const bad: [object, number, string][] = [
        [{ teams: [] }, 400, 'En teamleder skal have mindst ét team.'],
        [{ role: 'boss' }, 400, 'Ukendt rolle: boss (udvalg, chef, teamleder eller admin)'],
        [{ email: 'ikke-en-adresse' }, 400, 'Ugyldig e-mailadresse: ikke-en-adresse'],
        [{}, 400, 'Angiv mindst én ændring (disabled, role, municipality, teams eller email)'],
        [{ municipality: 101 }, 403, 'Kun en administrator for hele produktet kan flytte en bruger til en anden kommune'],
      ];
      for (const [body, status, message] of bad) {
        const res = await http().patch('/api/v1/users/bo').set(as('admin-461')).send(body).expect(status);
        expect(res.body.message, JSON.stringify(body)).toBe(message);
      }
      // Nor does a municipality's administrator make anyone a product administrator (no municipality),
      // or create a user in another municipality.
      await http().patch('/api/v1/users/bo').set(as('admin-461')).send({ municipality: null, role: 'admin' }).expect(403);
      await http()
        .post('/api/v1/users')
        .set(as('admin-461'))
        .send({ username: 'fremmed', password: 'en-lang-adgangskode', role: 'chef', municipality: 101 })
        .expect(403);
      const untouched = await db.pool.query(`SELECT role, municipality_code AS m FROM app_user WHERE username IN ('bo', 'fremmed')`);
      expect(untouched.rows).toEqual([{ role: 'teamleder', m: 461 }]);
      const sso = await http().patch('/api/v1/users/sso.anna').set(as('admin-461')).send({ role: 'admin' }).expect(400);
      expect(sso.body.message).toMatch(/single sign-on: rolle, kommune og teams kommer fra gruppetilknytningen/);
      // Another municipality's user does not exist for this administrator.
      await http().patch('/api/v1/users/kbh.bruger').set(as('admin-461')).send({ email: 'x@y.dk' }).expect(404);
      await http().patch('/api/v1/users/bo').set(as('chef')).send({ email: 'x@y.dk' }).expect(403);
    });

    it('lets a product administrator move a user to another municipality', async () => {
      await http().patch('/api/v1/users/kbh.bruger').set(as('admin')).send({ municipality: 147 }).expect(200);
      expect((await db.pool.query(`SELECT municipality_code FROM app_user WHERE username = 'kbh.bruger'`)).rows[0].municipality_code).toBe(
        147,
      );
    });

    it('resets a password to a generated one, shown once: the old password and token stop working', async () => {
      const old = await tokenFor(app, 'bo');
      const res = await http().post('/api/v1/users/bo/password').set(as('admin-461')).expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body.username).toBe('bo');
      expect(res.body.password).toMatch(/^[a-zA-Z2-9]{16}$/);
      await http()
        .get('/api/v1/me')
        .set({ Authorization: `Bearer ${old}` })
        .expect(401);
      await http().post('/api/v1/auth/login').send({ username: 'bo', password: PASSWORD }).expect(401);
      await http().post('/api/v1/auth/login').send({ username: 'bo', password: res.body.password }).expect(200);
      // No password in the audit log: only method, path and status.
      const { rows } = await db.pool.query(`SELECT detail::text AS d FROM audit_log WHERE detail->>'path' = '/api/v1/users/bo/password'`);
      expect(rows.length).toBe(1);
      expect(rows[0].d).not.toContain(res.body.password);
    });

    it('refuses a password reset for a single sign-on user, oneself, another municipality and other roles', async () => {
      const sso = await http().post('/api/v1/users/sso.anna/password').set(as('admin-461')).expect(400);
      expect(sso.body.message).toBe('Brugeren logger ind med single sign-on og har ingen adgangskode i Børneblik');
      await http().post('/api/v1/users/admin-461/password').set(as('admin-461')).expect(400);
      await http().post('/api/v1/users/kbh.bruger/password').set(as('admin-461')).expect(404);
      await http().post('/api/v1/users/bo/password').set(as('chef')).expect(403);
    });

    it("answers 404 to a municipality's administrator for a product administrator: no change, deletion or reset", async () => {
      const before = (
        await db.pool.query(
          `SELECT role, municipality_code AS m, disabled, password_hash, token_version FROM app_user WHERE username = 'admin'`,
        )
      ).rows;
      const refusals = [
        http().patch('/api/v1/users/admin').set(as('admin-461')).send({ disabled: true }),
        http().patch('/api/v1/users/admin').set(as('admin-461')).send({ role: 'udvalg', municipality: 461 }),
        http().post('/api/v1/users/admin/password').set(as('admin-461')),
        http().delete('/api/v1/users/admin').set(as('admin-461')),
      ];
      for (const refused of refusals) expect((await refused.expect(404)).body.message).toBe('Brugeren admin findes ikke');
      expect(
        (
          await db.pool.query(
            `SELECT role, municipality_code AS m, disabled, password_hash, token_version FROM app_user WHERE username = 'admin'`,
          )
        ).rows,
      ).toEqual(before);
      await http().get('/api/v1/me').set(as('admin')).expect(200);
    });
  });

  describe('the audit log', () => {
    beforeAll(async () => {
      await db.pool.query(
        `INSERT INTO audit_log (username, role, action, municipality_code, case_ids, detail, at) VALUES
           ('chef', 'chef', 'kpi:deadline.followup_overdue', 461, '{S1,S2}', '{}', '2024-03-01 10:00+01'),
           ('teamleder', 'teamleder', 'kpi:caseload.unassigned', 461, '{S2}', '{}', '2024-03-02 23:30+01'),
           ('kbh.chef', 'chef', 'kpi:deadline.followup_overdue', 101, '{S1}', '{}', '2024-03-02 10:00+01')`,
      );
    });

    it("searches the own municipality's rows by user, case and Danish days; newest first, paged", async () => {
      const byCase = await http().get('/api/v1/audit?case=S2&from=2024-03-01&to=2024-03-02').set(as('admin-461')).expect(200);
      expect(byCase.body.total).toBe(2);
      expect(byCase.body.rows.map((r: { username: string }) => r.username)).toEqual(['teamleder', 'chef']);
      expect(byCase.body.rows[1]).toMatchObject({ action: 'kpi:deadline.followup_overdue', municipality: 461, cases: ['S1', 'S2'] });
      // 23:30 Danish time on 2 March is still 2 March.
      const day = await http().get('/api/v1/audit?from=2024-03-02&to=2024-03-02').set(as('admin-461')).expect(200);
      expect(day.body.rows.map((r: { username: string }) => r.username)).toEqual(['teamleder']);
      const byUser = await http().get('/api/v1/audit?user=chef&case=S1').set(as('admin-461')).expect(200);
      expect(byUser.body.total).toBe(1);
      // (Within the days: the searches above are themselves rows that showed S2.)
      const paged = await http().get('/api/v1/audit?pageSize=1&page=2&case=S2&to=2024-03-02').set(as('admin-461')).expect(200);
      expect(paged.body).toMatchObject({ total: 2, page: 2, pageSize: 1 });
      expect(paged.body.rows.map((r: { username: string }) => r.username)).toEqual(['chef']);
    });

    it("never shows another municipality's rows to a municipality's administrator; a product administrator sees them", async () => {
      const local = await http().get('/api/v1/audit?user=kbh.chef').set(as('admin-461')).expect(200);
      expect(local.body).toMatchObject({ total: 0, rows: [] });
      await http().get('/api/v1/audit?municipality=101').set(as('admin-461')).expect(403);
      const national = await http().get('/api/v1/audit?user=kbh.chef').set(as('admin')).expect(200);
      expect(national.body.total).toBe(1);
      const only101 = await http().get('/api/v1/audit?municipality=101&case=S1').set(as('admin')).expect(200);
      expect(only101.body.rows.map((r: { username: string }) => r.username)).toEqual(['kbh.chef']);
    });

    it('logs each search with its filters', async () => {
      await http().get('/api/v1/audit?case=S9&from=2024-01-01').set(as('admin-461')).expect(200);
      const { rows } = await db.pool.query(
        `SELECT username, municipality_code AS m, detail FROM audit_log WHERE action = 'read:audit' AND detail->>'case' = 'S9'`,
      );
      expect(rows).toEqual([
        {
          username: 'admin-461',
          m: 461,
          detail: { user: null, case: 'S9', from: '2024-01-01', to: null, municipality: 461, page: 1, pageSize: 100 },
        },
      ]);
    });

    it("keeps a CPR number typed into a filter out of the search's row", async () => {
      await http().get('/api/v1/audit?case=010190-1234&user=0101901234&from=2024-01-02').set(as('admin-461')).expect(200);
      const { rows } = await db.pool.query(`SELECT detail FROM audit_log WHERE action = 'read:audit' AND detail->>'from' = '2024-01-02'`);
      expect(rows).toEqual([
        { detail: { user: '******-****', case: '******-****', from: '2024-01-02', to: null, municipality: 461, page: 1, pageSize: 100 } },
      ]);
    });

    it('logs the case numbers a search showed as its set of cases, like any case list', async () => {
      await http().get('/api/v1/audit?case=S2&from=2024-02-28&to=2024-03-02').set(as('admin-461')).expect(200);
      const { rows } = await db.pool.query(
        `SELECT s.case_ids FROM audit_log l JOIN audit_case_set s ON s.id = l.case_set_id
          WHERE l.action = 'read:audit' AND l.detail->>'from' = '2024-02-28'`,
      );
      expect(rows).toEqual([{ case_ids: ['S1', 'S2'] }]);
    });

    it('refuses bad dates in Danish, and the other roles', async () => {
      expect((await http().get('/api/v1/audit?from=1.3.2024').set(as('admin-461')).expect(400)).body.message).toBe(
        'from skal være en dato (ÅÅÅÅ-MM-DD)',
      );
      expect((await http().get('/api/v1/audit?from=2024-03-02&to=2024-03-01').set(as('admin-461')).expect(400)).body.message).toBe(
        'Fra-datoen skal ligge før eller på til-datoen',
      );
      for (const role of ['udvalg', 'chef', 'teamleder']) await http().get('/api/v1/audit').set(as(role)).expect(403);
    });
  });

  describe('drop folders', () => {
    it('lists the own folders with the last check, the last delivery and the import run it made', async () => {
      const { rows } = await db.pool.query(
        `INSERT INTO drop_folder (municipality_code, source, path, imported_checksum, checked_at, last_error) VALUES
           (461, 'dubu', '/srv/drop/461-dubu', 'abc123', '2024-03-01 06:00+01', NULL),
           (101, 'dubu', '/srv/drop/101-dubu', NULL, NULL, NULL),
           (NULL, 'economy', '/srv/drop/oekonomi', NULL, '2024-03-01 06:00+01', 'Mappen /srv/drop/oekonomi findes ikke.')
         RETURNING id`,
      );
      await db.pool.query(
        `INSERT INTO import_run (municipality_code, source, status, requested_by, finished_at, rejected_count) VALUES (461, 'dubu', 'succeeded', $1, now(), 3)`,
        [`drop-folder:${rows[0].id}`],
      );
      const local = await http().get('/api/v1/drop-folders').set(as('admin-461')).expect(200);
      expect(local.body.intervalMinutes).toBe(15);
      expect(local.body.folders).toHaveLength(1);
      expect(local.body.folders[0]).toMatchObject({
        municipality: 461,
        source: 'dubu',
        path: '/srv/drop/461-dubu',
        importedChecksum: 'abc123',
        checkedAt: '2024-03-01T05:00:00.000Z',
        lastError: null,
        lastImport: { status: 'succeeded', rejectedCount: 3 },
      });
      const national = await http().get('/api/v1/drop-folders').set(as('admin')).expect(200);
      expect(national.body.folders.map((f: { path: string }) => f.path)).toEqual([
        '/srv/drop/oekonomi',
        '/srv/drop/101-dubu',
        '/srv/drop/461-dubu',
      ]);
      expect(national.body.folders[0].lastError).toBe('Mappen /srv/drop/oekonomi findes ikke.');
      for (const role of ['udvalg', 'chef', 'teamleder']) await http().get('/api/v1/drop-folders').set(as(role)).expect(403);
    });

    it("keeps another municipality's folders from the API role even without a WHERE (row-level security), and lets it only read", async () => {
      const ds = app.get(DataSource);
      const paths = (scope: string) =>
        runInScope(scope, () => ds.query('SELECT path FROM drop_folder ORDER BY path')).then((rows: { path: string }[]) =>
          rows.map((r) => r.path),
        );
      expect(await paths('461')).toEqual(['/srv/drop/461-dubu']);
      expect(await paths('*')).toEqual(['/srv/drop/101-dubu', '/srv/drop/461-dubu', '/srv/drop/oekonomi']);
      await expect(runInScope('*', () => ds.query(`UPDATE drop_folder SET path = '/etc' WHERE source = 'dubu'`))).rejects.toThrow(
        /permission denied/,
      );
    });
  });

  describe('import jobs and the import log', () => {
    /** Jobs failed by a stand-in worker (no ETL here): the API only moves them in the queue. */
    async function failedJob(data: Record<string, unknown>): Promise<string> {
      const job = await queue.enqueue('import', { source: 'dubu', dir: '/nowhere', requestedBy: 'admin-461', ...data }, { attempts: 1 });
      const worker = createWorker({ databaseUrl: db.url }, 'etl', async () => {
        throw new UnrecoverableError('Mappen /nowhere findes ikke.');
      });
      for (let i = 0; i < 200 && (await queue.getJobState(job.id!)) !== 'failed'; i++) await new Promise((r) => setTimeout(r, 50));
      await worker.close();
      expect(await queue.getJobState(job.id!)).toBe('failed');
      return job.id!;
    }

    it("retries the own municipality's failed job; cancels one that waits", async () => {
      const id = await failedJob({ municipality: 461 });
      const retried = await http().post(`/api/v1/imports/jobs/${id}/retry`).set(as('admin-461')).expect(200);
      expect(retried.body).toEqual({ id, state: 'waiting' });
      const again = await http().post(`/api/v1/imports/jobs/${id}/retry`).set(as('admin-461')).expect(409);
      expect(again.body.message).toBe(`Kun et fejlet job kan køres igen; job ${id} er ventende`);
      await http().post(`/api/v1/imports/jobs/${id}/cancel`).set(as('admin-461')).expect(200, { id, state: 'removed' });
      expect(await queue.getJob(id)).toBeUndefined();
      await http().post(`/api/v1/imports/jobs/${id}/cancel`).set(as('admin-461')).expect(404);
    });

    it("answers 404 for another municipality's job, and refuses a job whose upload is gone", async () => {
      const other = await failedJob({ municipality: 101 });
      expect((await http().post(`/api/v1/imports/jobs/${other}/retry`).set(as('admin-461')).expect(404)).body.message).toBe(
        'Jobbet findes ikke',
      );
      const delayed = await queue.enqueue('import', { source: 'dubu', dir: '/nowhere', municipality: 101 }, { delay: 60_000 });
      await http().post(`/api/v1/imports/jobs/${delayed.id}/cancel`).set(as('admin-461')).expect(404);
      for (const role of ['udvalg', 'chef', 'teamleder']) {
        await http().post(`/api/v1/imports/jobs/${delayed.id}/cancel`).set(as(role)).expect(403);
        await http().post(`/api/v1/imports/jobs/${other}/retry`).set(as(role)).expect(403);
      }
      await http().post(`/api/v1/imports/jobs/${delayed.id}/cancel`).set(as('admin')).expect(200);
      const gone = await failedJob({ municipality: 461, zip: '/tmp/bu-no-such-upload.zip' });
      expect((await http().post(`/api/v1/imports/jobs/${gone}/retry`).set(as('admin-461')).expect(409)).body.message).toBe(
        'Den uploadede fil blev slettet, da jobbet fejlede. Indlæs udtrækket igen.',
      );
    });

    it('filters the import log by source, status and period, with Danish messages for bad filters', async () => {
      await db.pool.query(
        `INSERT INTO import_run (municipality_code, source, status, requested_by, started_at, finished_at, error) VALUES
           (461, 'csc', 'failed', 'admin-461', '2024-01-10 12:00+01', '2024-01-10 12:01+01', 'Forkert format')`,
      );
      const failed = await http().get('/api/v1/imports?status=failed&source=csc').set(as('chef')).expect(200);
      expect(failed.body.map((r: { source: string; status: string }) => [r.source, r.status])).toEqual([['csc', 'failed']]);
      const january = await http().get('/api/v1/imports?from=2024-01-01&to=2024-01-31').set(as('admin-461')).expect(200);
      expect(january.body.map((r: { error: string }) => r.error)).toEqual(['Forkert format']);
      expect((await http().get('/api/v1/imports?status=done').set(as('chef')).expect(400)).body.message).toBe(
        'status skal være en af: running, succeeded, failed',
      );
      expect((await http().get('/api/v1/imports?from=2024-13').set(as('chef')).expect(400)).body.message).toBe(
        'from skal være en dato (ÅÅÅÅ-MM-DD)',
      );
    });
  });
});
