import { existsSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importedBy } from '@bu/contracts';
import { verifyAuditChain } from '@bu/db';
import { purgeExpired, scheduleRetentionPurge, RETENTION_JOB, type EtlJobData } from '@bu/etl';
import type { ReportJobData } from '@bu/jobs';
import { settingError } from '@bu/kpi';
import { createQueue, createWorker, type Queue } from '@bu/queue';
import request from 'supertest';
import { seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TestDatabase } from '../support/database';

// The retention purge at a chosen clock, for two municipalities with different settings: exactly
// what is older than its municipality's setting goes, everything else stays, the audit chain still
// verifies (from its anchor, across rows removed in between), and the import log says what went.

const DAY = 86_400_000;
const NOW = new Date(Date.now() + 3 * DAY);
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);

describe('the retention purge', () => {
  let db: TestDatabase;
  let queue: Queue<EtlJobData>;
  const uploads = mkdtempSync(join(tmpdir(), 'bu-retention-uploads-'));
  const ids: Record<string, string> = {};

  const run = async (name: string, municipality: number, finished: Date) => {
    const { rows } = await db.pool.query(
      `INSERT INTO import_run (municipality_code, source, status, started_at, finished_at, rejected_count) VALUES ($1, 'dubu', 'succeeded', $2, $2, 2) RETURNING id::text`,
      [municipality, finished],
    );
    ids[name] = rows[0].id;
    await db.pool.query(
      `INSERT INTO import_issue (import_id, municipality_code, severity, file, line, rule, value, message)
       VALUES ($1, $2, 'error', 'sager.csv', 2, 'R002', '30-02-2024', 'Datoen 30-02-2024 findes ikke'), ($1, $2, 'warning', 'sager.csv', 3, 'W003', 'XYZ', 'Ukendt kode XYZ')`,
      [ids[name], municipality],
    );
  };
  const audit = async (name: string, municipality: number | null, at: Date, cases?: string) => {
    let set: string | null = null;
    if (cases)
      set = (
        await db.pool.query(
          `INSERT INTO audit_case_set (digest, case_ids) VALUES (encode(sha256(convert_to($1, 'UTF8')), 'hex'), ARRAY[$1]) RETURNING id::text`,
          [cases],
        )
      ).rows[0].id;
    const { rows } = await db.pool.query(
      `INSERT INTO audit_log (at, username, role, action, municipality_code, case_set_id) VALUES ($1, $2, 'chef', 'kpi:x', $3, $4) RETURNING id::text`,
      [at, name, municipality, set],
    );
    ids[name] = rows[0].id;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    queue = createQueue<EtlJobData>({ databaseUrl: db.url }, 'retention-test');
    // Odense (461) keeps less than the defaults; København (101) has the defaults (90 / 1826 / 7 days).
    await db.pool.query(
      `INSERT INTO setting (municipality_code, key, value) VALUES (461, 'retention.import_issue_values_days', '30'), (461, 'retention.audit_days', '400'), (461, 'retention.job_results_days', '2'), (461, 'retention.report_days', '100')`,
    );
    // The committee's reports: Odense's made 200 days ago is past its 100 days, København's within 5 years.
    for (const [municipality, made] of [
      [461, ago(200)],
      [461, ago(50)],
      [101, ago(200)],
    ] as const)
      await db.pool.query(
        `INSERT INTO report_archive (municipality_code, as_of, made_at, made_by, pdf, recipients, send_result)
         VALUES ($1, '2024-01-31', $2, 'admin', '\\x25504446', ARRAY['udvalg@kommune.dk'], 'sendt')`,
        [municipality, made],
      );
    // Who imported: a person's name goes with Odense's 400 audit days (a command line's machine user
    // too); the system's tags, a recent name and København's (1826 days) stay.
    for (const [who, municipality, days] of [
      ['anna', 461, 450],
      ['cli:jens', 461, 450],
      ['drop-folder:3', 461, 450],
      ['planlagt', 461, 450],
      ['berit', 461, 100],
      ['carl', 101, 450],
    ] as const)
      await db.pool.query(
        `INSERT INTO import_run (municipality_code, source, status, requested_by, started_at, finished_at) VALUES ($1, 'economy', 'succeeded', $2, $3, $3)`,
        [municipality, who, ago(days)],
      );
    // Login traces: five past their use, four not (wrong one-time codes are remembered a day, ADR 0116).
    const hours = (n: number) => new Date(NOW.getTime() + n * 3_600_000);
    await db.pool.query(
      `INSERT INTO login_attempt (kind, key, failures, last_failure_at, next_allowed_at) VALUES
         ('user', 'old', 3, $1, $2), ('user', 'waiting', 9, $1, $3), ('ip', 'recent', 1, $4, $4),
         ('code', 'code-old', 5, $5, $5), ('code', 'code-recent', 5, $1, $2)`,
      [hours(-3), hours(-2), hours(1), hours(-0.5), hours(-25)],
    );
    await db.pool.query(`INSERT INTO sso_request (id, provider, created_at) VALUES ('old', 'oidc', $1), ('new', 'saml', $2)`, [
      hours(-48),
      hours(-0.1),
    ]);
    await db.pool.query(`INSERT INTO sso_ticket (ticket_hash, binding_hash, username, expires_at) VALUES ('t', 'b', 'eva', $1)`, [
      hours(-1),
    ]);
    await db.pool.query(`INSERT INTO sso_replay (provider, id, expires_at) VALUES ('saml', 'r', $1)`, [hours(1)]);
    await db.pool.query(`INSERT INTO oidc_session (external_id, id_token, expires_at) VALUES ('x', 'id-token', $1)`, [hours(-1)]);
    // Single sign-on accounts: Odense's unused for more than its 400 audit days goes; one disabled,
    // one used within them, København's (1826 days) and a password user stay.
    await db.pool.query(
      `INSERT INTO app_user (username, role, municipality_code, auth_source, external_id, email, last_login_at, disabled, created_at) VALUES
         ('sso-gammel', 'chef', 461, 'oidc', 'idp|gammel', 'gammel@odense.dk', $1, false, $4),
         ('sso-spaerret', 'chef', 461, 'saml', 'idp|spaerret', NULL, $2, true, $4),
         ('sso-nylig', 'teamleder', 461, 'oidc', 'idp|nylig', NULL, $3, false, $4),
         ('sso-kbh', 'chef', 101, 'oidc', 'idp|kbh', NULL, $2, false, $4)`,
      [ago(402), ago(500), ago(390), ago(3000)],
    );
    // Password accounts: Odense's unused for more than its 400 audit days goes, disabled or not; one
    // used within them, one an administrator gave access anew (a reset, enabled again),
    // København's and a product administrator's (no municipality) stay.
    await db.pool.query(
      `INSERT INTO app_user (username, password_hash, role, municipality_code, created_at, last_login_at, disabled, access_granted_at) VALUES
         ('lokal-gammel', 'x', 'teamleder', 461, $1, NULL, true, NULL), ('lokal-nylig', 'x', 'chef', 461, $1, $2, false, NULL),
         ('lokal-genaabnet', 'x', 'chef', 461, $1, $1, false, $4),
         ('lokal-kbh', 'x', 'chef', 101, $1, $3, false, NULL), ('lokal-national', 'x', 'admin', NULL, $1, NULL, false, NULL)`,
      [ago(3000), ago(390), ago(500), ago(10)],
    );
    // An action area the purged team leader made is no longer that name's to change.
    await db.pool.query(
      `INSERT INTO review_action_area (municipality_code, title, owner, created_by) VALUES (461, 'Netværket', 'Team Nord', 'lokal-gammel')`,
    );
    await run('odense-old', 461, ago(40));
    await run('odense-new', 461, ago(20));
    await run('kbh-40', 101, ago(40));
    await run('kbh-old', 101, ago(100));
    await audit('a1-odense-500', 461, ago(500), 'S1');
    await audit('a2-kbh-500', 101, ago(500), 'S2');
    await audit('a3-odense-450', 461, ago(450));
    await audit('a4-none-2000', null, ago(2000));
    await audit('a5-odense-10', 461, ago(10));
    // Finished jobs, now (NOW is three days ahead): Odense's are past its 2 days, the others within 7.
    const worker = createWorker({ databaseUrl: db.url }, 'retention-test', async () => ({ municipality: null }));
    await queue.add('import', { source: 'dubu', dir: '/x/1', municipality: 461 });
    await queue.add('import', { source: 'dubu', dir: '/x/2', municipality: 101 });
    await queue.add('import', { source: 'dubu', dir: '/x/3' });
    for (let i = 0; i < 100 && (await queue.getJobCounts('completed')).completed < 3; i++) await new Promise((r) => setTimeout(r, 100));
    await worker.close();
    await queue.add('import', { source: 'dubu', dir: join(uploads, 'in-use', 'export') }, { delay: 3_600_000 });
    // Uploads: the product-wide setting is 0 days; an hour's grace; none in use by a job.
    for (const [name, age] of [
      ['stale', 2 * 3_600_000],
      ['fresh', 30 * 60_000],
      ['in-use', 2 * 3_600_000],
    ] as const) {
      mkdirSync(join(uploads, name));
      writeFileSync(join(uploads, name, 'sager.csv'), 'CPR\n0102031234\n');
      const t = new Date(NOW.getTime() - age);
      utimesSync(join(uploads, name), t, t);
    }
  });
  afterAll(async () => {
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    await db?.drop();
  });

  it('removes exactly what is older than each municipality’s setting, and logs it', async () => {
    expect((await verifyAuditChain(db.pool)).ok).toBe(true);
    // The queue's event stream (BullMQ's PostgreSQL backend: its event table) has the jobs' results.
    const events = async () =>
      (await db.pool.query(`SELECT count(*)::int AS n FROM bullmq.event WHERE queue = 'retention-test'`)).rows[0].n as number;
    expect(await events()).toBeGreaterThan(0);
    const summary = await purgeExpired(db.pool, { now: NOW, queue, uploadDir: uploads });
    expect(await events()).toBe(0);
    expect(summary).toEqual({
      '461': {
        importIssueValues: 2,
        auditRows: 2,
        jobs: 1,
        uploads: 0,
        deliveries: 0,
        reviewCases: 0,
        spills: 0,
        reports: 1,
        loginTraces: 0,
        ssoUsers: 1,
        passwordUsers: 1,
        importers: 2,
        importErrors: 0,
        reviewRounds: 0,
        actionAreas: 0,
        comments: 0,
        authors: 0,
      },
      '101': {
        importIssueValues: 2,
        auditRows: 0,
        jobs: 0,
        uploads: 0,
        deliveries: 0,
        reviewCases: 0,
        spills: 0,
        reports: 0,
        loginTraces: 0,
        ssoUsers: 0,
        passwordUsers: 0,
        importers: 0,
        importErrors: 0,
        reviewRounds: 0,
        actionAreas: 0,
        comments: 0,
        authors: 0,
      },
      '0': {
        importIssueValues: 0,
        auditRows: 1,
        jobs: 0,
        uploads: 1,
        deliveries: 0,
        reviewCases: 0,
        spills: 0,
        reports: 0,
        loginTraces: 5,
        ssoUsers: 0,
        passwordUsers: 0,
        importers: 0,
        importErrors: 0,
        reviewRounds: 0,
        actionAreas: 0,
        comments: 0,
        authors: 0,
      },
    });
    const left = async (sql: string) => (await db.pool.query(sql)).rows;
    expect(await left(`SELECT municipality_code AS m, made_at FROM report_archive ORDER BY m, made_at`)).toEqual([
      { m: 101, made_at: ago(200) },
      { m: 461, made_at: ago(50) },
    ]);
    expect(await left(`SELECT key FROM login_attempt ORDER BY key`)).toEqual([
      { key: 'code-recent' },
      { key: 'recent' },
      { key: 'waiting' },
    ]);
    expect(await left(`SELECT id FROM sso_request`)).toEqual([{ id: 'new' }]);
    expect(await left(`SELECT count(*)::int AS n FROM sso_ticket`)).toEqual([{ n: 0 }]);
    expect(await left(`SELECT id FROM sso_replay`)).toEqual([{ id: 'r' }]);
    expect(await left(`SELECT count(*)::int AS n FROM oidc_session`)).toEqual([{ n: 0 }]);
    expect(await left(`SELECT username FROM app_user WHERE username LIKE 'sso-%' OR username LIKE 'lokal-%' ORDER BY 1`)).toEqual([
      { username: 'lokal-genaabnet' },
      { username: 'lokal-kbh' },
      { username: 'lokal-national' },
      { username: 'lokal-nylig' },
      { username: 'sso-kbh' },
      { username: 'sso-nylig' },
      { username: 'sso-spaerret' },
    ]);

    expect(await left(`SELECT created_by FROM review_action_area`)).toEqual([{ created_by: 'slettet' }]);

    const { rows: issues } = await db.pool.query(
      `SELECT import_id::text AS id, rule, line, value, message FROM import_issue ORDER BY import_issue.id`,
    );
    const of = (run: string) => issues.filter((i) => i.id === ids[run]);
    for (const gone of ['odense-old', 'kbh-old']) {
      expect(of(gone).map((i) => [i.rule, i.line, i.value])).toEqual([
        ['R002', 2, null],
        ['W003', 3, null],
      ]);
      expect(
        of(gone)
          .map((i) => i.message)
          .join(),
      ).not.toMatch(/30-02-2024|XYZ/);
      expect(of(gone)[0].message).toBe('Ugyldig dato (værdien er slettet efter opbevaringsfristen)');
    }
    for (const kept of ['odense-new', 'kbh-40']) expect(of(kept).map((i) => i.value)).toEqual(['30-02-2024', 'XYZ']);
    // The counts on the import log stay.
    expect((await db.pool.query(`SELECT rejected_count FROM import_run WHERE id = $1`, [ids['odense-old']])).rows[0].rejected_count).toBe(
      2,
    );

    const { rows: auditRows } = await db.pool.query(`SELECT username FROM audit_log ORDER BY id`);
    expect(auditRows.map((r) => r.username)).toEqual(['a2-kbh-500', 'a5-odense-10']);
    expect((await db.pool.query(`SELECT case_ids FROM audit_case_set`)).rows).toEqual([{ case_ids: ['S2'] }]);
    expect(await verifyAuditChain(db.pool)).toEqual({ ok: true, count: 2, purged: 2, anchor: ids['a1-odense-500'] });

    const jobs = await queue.getJobs(['completed']);
    expect(jobs.map((j) => j.data.dir).sort()).toEqual(['/x/2', '/x/3']);
    expect(['stale', 'fresh', 'in-use'].map((n) => existsSync(join(uploads, n)))).toEqual([false, true, true]);

    expect(await left(`SELECT municipality_code AS m, requested_by FROM import_run WHERE source = 'economy' ORDER BY id`)).toEqual([
      { m: 461, requested_by: 'slettet' },
      { m: 461, requested_by: 'cli:' },
      { m: 461, requested_by: 'drop-folder:3' },
      { m: 461, requested_by: 'planlagt' },
      { m: 461, requested_by: 'berit' },
      { m: 101, requested_by: 'carl' },
    ]);
    expect(['slettet', 'cli:'].map(importedBy)).toEqual(['En bruger (navnet er slettet efter opbevaringsfristen)', 'Kommandolinjen']);

    const { rows: log } = await db.pool.query(
      `SELECT municipality_code AS m, status, requested_by, removed FROM import_run WHERE source = 'purge' ORDER BY m NULLS FIRST`,
    );
    expect(log).toEqual([
      { m: null, status: 'succeeded', requested_by: 'retention', removed: summary['0'] },
      { m: 101, status: 'succeeded', requested_by: 'retention', removed: summary['101'] },
      { m: 461, status: 'succeeded', requested_by: 'retention', removed: summary['461'] },
    ]);

    // The import log over HTTP: each municipality sees its own purge row only (national runs, the
    // product-wide purge among them, are for national users).
    await seedUsers(db, 461, 'Team Nord');
    const app = await startTestApi(db);
    try {
      for (const [user, own] of [
        ['chef', 461],
        ['chef-kbh', 101],
      ] as const) {
        const res = await request(app.getHttpServer())
          .get('/api/v1/imports')
          .set('Authorization', `Bearer ${await tokenFor(app, user)}`)
          .expect(200);
        const purges = res.body.filter((r: { source: string }) => r.source === 'purge');
        expect(purges.map((r: { municipality: number | null; removed: unknown }) => [r.municipality, r.removed]).sort()).toEqual([
          [own, summary[String(own)]],
        ]);
      }
    } finally {
      await app.close();
    }

    // Again at the same clock: nothing more to remove, nothing logged (the logins above left their
    // throttle rows, which at this clock are past their use).
    await db.pool.query(`DELETE FROM login_attempt`);
    expect(await purgeExpired(db.pool, { now: NOW, queue, uploadDir: uploads })).toEqual({});
  });

  it('keeps the chain verifiable when every row is purged, and new rows follow the anchor', async () => {
    const later = new Date(NOW.getTime() + 2000 * DAY);
    const { rows: before } = await db.pool.query(
      `SELECT coalesce(municipality_code, 0)::text AS m, count(*)::int AS n FROM audit_log GROUP BY 1`,
    );
    const summary = await purgeExpired(db.pool, { now: later });
    expect(
      Object.fromEntries(
        Object.entries(summary)
          .map(([m, c]) => [m, c.auditRows])
          .filter(([, n]) => n),
      ),
    ).toEqual(Object.fromEntries(before.map((r) => [r.m, r.n])));
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM audit_log`)).rows[0].n).toBe(0);
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM audit_purged`)).rows[0].n).toBe(0);
    const { rows: head } = await db.pool.query(`SELECT head_id::text AS id FROM audit_chain`);
    expect(await verifyAuditChain(db.pool)).toEqual({ ok: true, count: 0, purged: 0, anchor: head[0].id });
    await audit('a6-new', 461, new Date());
    expect(await verifyAuditChain(db.pool)).toMatchObject({ ok: true, count: 1 });
    // A removed row is still found after a purge.
    await audit('a7-new', 461, new Date());
    await audit('a8-new', 461, new Date());
    await db.pool.query(`DELETE FROM audit_log WHERE id = $1`, [ids['a7-new']]);
    expect(await verifyAuditChain(db.pool)).toMatchObject({ ok: false, id: ids['a8-new'] });
  });

  it('is scheduled daily, and its settings are validated', async () => {
    await scheduleRetentionPurge(queue);
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((s) => [s.key, s.pattern])).toEqual([[RETENTION_JOB, '0 3 * * *']]);
    // Due and waiting behind an import when a worker starts again: it stays (not moved to the next night).
    const [due] = (await queue.getJobs(['delayed'])).filter((j) => j.name === RETENTION_JOB);
    await due.promote();
    await scheduleRetentionPurge(queue);
    expect(await queue.getJobState(due.id!)).toBe('waiting');
    expect((await queue.getJobs(['delayed'])).filter((j) => j.name === RETENTION_JOB)).toEqual([]);
    expect(settingError('retention.audit_days', 100)).toMatch(/fra 365/);
    expect(settingError('retention.import_issue_values_days', -1)).toMatch(/helt antal dage/);
    expect(settingError('retention.upload_days', 0)).toBeNull();
    expect(settingError('retention.job_results_days', 7)).toBeNull();
  });

  it('logs what it removed and which steps failed, and fails', async () => {
    await audit('a9-very-old', 461, new Date(Date.now() - 3000 * DAY));
    // The queue is out of reach: its steps fail, the audit rows go all the same.
    const gone = { getJobs: () => Promise.reject(new Error('Redis svarer ikke')) } as unknown as typeof queue;
    const at = new Date();
    await expect(purgeExpired(db.pool, { now: at, queue: gone })).rejects.toThrow(
      /^Sletningen fejlede i igangværende job \(Redis svarer ikke\)/,
    );
    const { rows } = await db.pool.query(
      `SELECT municipality_code AS m, status, error, removed->'auditRows' AS audit FROM import_run WHERE source = 'purge' AND started_at = $1`,
      [at],
    );
    expect(rows).toEqual([{ m: 461, status: 'failed', error: expect.stringMatching(/^Sletningen fejlede i igangværende job/), audit: 1 }]);
    expect(rows[0].error).toContain('jobresultater (import) (Redis svarer ikke)');
    expect(rows[0].error).toMatch(/; de øvrige trin blev gennemført$/);
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM audit_log WHERE id = $1`, [ids['a9-very-old']])).rows[0].n).toBe(0);
  });

  it('removes the files holding CPR numbers even when a step before them fails every night', async () => {
    // A stale upload and a spill file a killed worker left (made before this process started).
    const dir = mkdtempSync(join(tmpdir(), 'bu-retention-steps-'));
    const spills = mkdtempSync(join(tmpdir(), 'bu-retention-spills-'));
    mkdirSync(join(dir, 'stale'));
    writeFileSync(join(dir, 'stale', 'sager.csv'), 'CPR\n0102031234\n');
    const old = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(join(dir, 'stale'), old, old);
    const spill = `bu-issues-${process.pid}-${Math.floor(performance.timeOrigin) - 60_000}-x.copy`;
    writeFileSync(join(spills, spill), '0102031234\n');
    // The reports' queue is out of reach (its finished jobs come before the files in the old order).
    const gone = { getJobs: () => Promise.reject(new Error('Redis svarer ikke')) } as unknown as Queue<ReportJobData>;
    const at = new Date();
    const failure = await purgeExpired(db.pool, { now: at, queue, reportQueue: gone, uploadDir: dir, spillDir: spills }).catch(
      (e: Error) => e,
    );
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/^Sletningen fejlede i jobresultater \(rapporter\) \(Redis svarer ikke\)/);
    expect([existsSync(join(dir, 'stale')), existsSync(join(spills, spill))]).toEqual([false, false]);
    const { rows } = await db.pool.query(
      `SELECT status, removed->'uploads' AS uploads, removed->'spills' AS spills FROM import_run WHERE source = 'purge' AND started_at = $1`,
      [at],
    );
    expect(rows).toEqual([{ status: 'failed', uploads: 1, spills: 1 }]);
  });
});
