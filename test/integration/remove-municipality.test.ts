import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReadModels, verifyAuditChain } from '@bu/db';
import { importDubu, importSource } from '@bu/etl';
import { committeeSchedulerKey, etlQueue, reportQueue, type EtlJobData, type ReportJobData } from '@bu/jobs';
import type { Queue } from '@bu/queue';
import { addUser } from '../../scripts/lib/users';
import { PASSWORD, seedUsers } from '../support/api';
import { createTestDatabase, TEST_SECRET, type TestDatabase } from '../support/database';
import { copyFixture, editFile, FIXTURES } from '../support/fixtures';

const ROOT = resolve(__dirname, '../..');

// A municipality whose agreement ends: `npm run etl -- remove-municipality 461 --confirm 461`
// deletes every row of it (found from the catalog), the files in its drop folders' subfolders and
// its jobs, and keeps the audit log and the public statistics. København (101) beside it must not
// lose a row.
describe('removing a municipality that leaves the service', () => {
  let db: TestDatabase;
  let etl: Queue<EtlJobData>;
  let reports: Queue<ReportJobData>;
  const scratch: string[] = [];
  let uploads: string;
  let odenseFolder: string;
  let kbhFolder: string;
  let outside: string;

  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['tools/run.js', 'etl/src/cli.ts', 'remove-municipality', ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      // The queues on BullMQ's PostgreSQL backend in the test database, as the embedded default runs them.
      env: { ...process.env, DATABASE_URL: db.url, REDIS_URL: '', UPLOAD_DIR: uploads },
    });

  /** Every table of the schema with a municipality_code (partitioned ones as a whole), from the catalog. */
  const scopedTables = async (): Promise<string[]> =>
    (
      await db.pool.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'municipality_code' AND NOT a.attisdropped
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`,
      )
    ).rows.map((r) => r.name);
  /** Rows per table of one municipality (null: of none). */
  const rowsOf = async (code: number | null): Promise<Record<string, number>> => {
    const out: Record<string, number> = {};
    for (const table of await scopedTables()) {
      const { rows } = await db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${table} WHERE municipality_code ${code === null ? 'IS NULL' : `= ${code}`}`,
      );
      out[table] = rows[0].n;
    }
    return out;
  };
  /** Every table's row count, every file under the test's folders, every job: what must not change. */
  const everything = async () => {
    const { rows: tables } = await db.pool.query<{ name: string }>(
      `SELECT relname AS name FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') AND NOT relispartition ORDER BY 1`,
    );
    const counts: Record<string, number> = {};
    for (const { name } of tables) counts[name] = (await db.pool.query(`SELECT count(*)::int AS n FROM ${name}`)).rows[0].n;
    const files = [odenseFolder, kbhFolder, uploads].flatMap((dir) => readdirSync(dir, { recursive: true }).map(String).sort());
    const jobs = [...(await etl.getJobs(['waiting', 'delayed', 'completed', 'failed'])), ...(await reports.getJobs(['waiting', 'delayed']))]
      .map((j) => j.id)
      .sort();
    return { counts, files, jobs };
  };

  let before101: Record<string, number>;
  let audit461: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    const dir = (prefix: string) => {
      const d = mkdtempSync(join(tmpdir(), prefix));
      scratch.push(d);
      return d;
    };
    uploads = dir('bu-remove-uploads-');
    odenseFolder = dir('bu-remove-drop-461-');
    kbhFolder = dir('bu-remove-drop-101-');
    outside = dir('bu-remove-outside-');

    // Case data, economy and public statistics of both municipalities.
    const dubu101 = copyFixture(join(FIXTURES, 'dubu-deadlines'));
    const economy101 = copyFixture(join(FIXTURES, 'economy-small'));
    scratch.push(dubu101, economy101);
    editFile(dubu101, 'sager.csv', (text) => text.replace(/;461;/g, ';101;'));
    editFile(economy101, 'oekonomi.csv', (text) => text.replace(/^461;/gm, '101;'));
    const options = { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' };
    expect((await importDubu(db.pool, join(FIXTURES, 'dubu-deadlines'), options)).status).toBe('succeeded');
    expect((await importDubu(db.pool, dubu101, options)).status).toBe('succeeded');
    for (const economy of [join(FIXTURES, 'economy-small'), economy101])
      expect((await importSource(db.pool, 'economy', economy, { pseudonymSecret: TEST_SECRET })).status).toBe('succeeded');
    expect((await importSource(db.pool, 'statistics', join(FIXTURES, 'statistics-small'), { pseudonymSecret: TEST_SECRET })).status).toBe(
      'succeeded',
    );
    await buildReadModels(db.pool, 461);
    await buildReadModels(db.pool, 101);

    // Users: 461's three, a national administrator, København's chief, and a single sign-on user of 461.
    await seedUsers(db, 461, 'Team Nord');
    await addUser(db.pool, { username: 'chef-kbh-2', password: PASSWORD, role: 'chef', municipality: 101 });
    const q = (sql: string, params: unknown[] = []) => db.pool.query(sql, params);
    await q(
      `INSERT INTO app_user (username, role, municipality_code, auth_source, external_id, email) VALUES ('sso.odense@odense.dk', 'chef', 461, 'oidc', 'ext-461', 'sso.odense@odense.dk')`,
    );
    for (const code of [461, 101]) {
      await q(
        `INSERT INTO political_goal (municipality_code, kpi_id, title, direction, target, created_by) VALUES ($1, 'activity.family_care_share', 'Mål', '>=', 0.6, 'chef')`,
        [code],
      );
      await q(
        `INSERT INTO admin_comment (municipality_code, subject_type, subject_key, period, text, author) VALUES ($1, 'budget', '5.28.20', '2024', 'Tekst', 'chef')`,
        [code],
      );
      await q(
        `INSERT INTO setting (municipality_code, key, value) VALUES ($1, 'retention.audit_days', '400'), ($1, 'import.max_shrink_share', '0.2')`,
        [code],
      );
      await q(`INSERT INTO sso_group_mapping (municipality_code, group_id, role) VALUES ($1, $2, 'chef')`, [code, `G-${code}`]);
      await q(`INSERT INTO login_policy (municipality_code, password_login) VALUES ($1, false)`, [code]);
      await q(`INSERT INTO report_schedule (municipality_code, recipients, updated_by) VALUES ($1, '{chef@example.dk}', 'chef')`, [code]);
      await q(
        `INSERT INTO report_archive (municipality_code, as_of, made_by, pdf, recipients, send_result) VALUES ($1, '2024-03-31', 'planlagt', '\\x25504446', '{chef@example.dk}', 'sendt')`,
        [code],
      );
      await q(`INSERT INTO comparison_group (municipality_code, name, members, created_by) VALUES ($1, 'Naboer', '{751}', 'chef')`, [code]);
      await q(`INSERT INTO review_example (municipality_code, title, body, created_by) VALUES ($1, 'Eksempel', 'Tekst', 'chef')`, [code]);
      // A review round on the municipality's own checklist (whose items have no municipality_code).
      const { rows: checklist } = await q(`INSERT INTO review_checklist (municipality_code, title) VALUES ($1, 'Egen') RETURNING version`, [
        code,
      ]);
      const version: number = checklist[0].version;
      await q(
        `INSERT INTO review_checklist_item (version, item_id, kind, position, title) VALUES ($1, 'pro.fit', 'professional', 1, 'Passer')`,
        [version],
      );
      const { rows: round } = await q(
        `INSERT INTO review_round (municipality_code, title, purpose, as_of, checklist_version, sampling, requested, found, created_by)
         VALUES ($1, 'Runde', 'Formål', '2024-04-30', $2, '{"kind": "chosen", "cases": ["C1"]}', 1, 1, 'chef') RETURNING id`,
        [code, version],
      );
      const id: number = round[0].id;
      await q(
        `INSERT INTO review_case (round_id, municipality_code, source, case_id, position, team, summary) VALUES ($1, $2, 'dubu', 'C1', 1, 'Team Nord', 'Resumé')`,
        [id, code],
      );
      await q(
        `INSERT INTO review_answer (round_id, case_id, municipality_code, item_id, answer, source, note) VALUES ($1, 'C1', $2, 'pro.fit', 'nej', 'reviewer', 'Note')`,
        [id, code],
      );
      await q(
        `INSERT INTO review_meeting (round_id, municipality_code, held_on, participants, cases, notes, created_by) VALUES ($1, $2, '2024-05-01', '{Rådgivere}', '{C1}', 'Referat', 'chef')`,
        [id, code],
      );
      await q(
        `INSERT INTO review_action_area (municipality_code, round_id, title, owner, created_by) VALUES ($1, $2, 'Netværket', 'Team Nord', 'chef')`,
        [code, id],
      );
      // Audit rows, one with a set of cases.
      const { rows: set } = await q(
        `INSERT INTO audit_case_set (digest, case_ids) VALUES (encode(sha256(convert_to($1, 'UTF8')), 'hex'), ARRAY[$1]) RETURNING id`,
        [`C1-${code}`],
      );
      await q(
        `INSERT INTO audit_log (username, role, action, municipality_code, case_set_id) VALUES ('chef', 'chef', 'kpi:x', $1, $2), ('chef', 'chef', 'login', $1, NULL)`,
        [code, set[0].id],
      );
    }
    // Traces that name 461's users without a municipality_code.
    await q(`INSERT INTO weekly_mail_sent (week, username) VALUES ('2024-04-29', 'chef'), ('2024-04-29', 'chef-kbh')`);
    await q(
      `INSERT INTO login_attempt (kind, key, failures, last_failure_at, next_allowed_at) VALUES ('user', 'chef', 1, now(), now()), ('user', 'chef-kbh', 1, now(), now())`,
    );
    await q(`INSERT INTO oidc_session (external_id, id_token, expires_at) VALUES ('ext-461', 'token', now() + interval '1 hour')`);

    // Drop folders: 461's with a failed delivery, a receipt, one waiting in processing/, a refused
    // link to a file outside, and a delivery not yet taken; København's with a failed delivery.
    const put = (path: string, content = 'Sagsnummer;CPR\nC1;010114-4001\n') => {
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, content);
    };
    put(join(odenseFolder, 'failed', '2024-05-01T02-00-00', 'sager.csv'));
    put(join(odenseFolder, 'processing', '2024-05-02T02-00-00', 'sager.csv'));
    mkdirSync(join(odenseFolder, 'processed', '2024-04-30T02-00-00'), { recursive: true });
    put(join(outside, 'not-the-delivery.csv'));
    mkdirSync(join(odenseFolder, 'failed', '2024-05-03T02-00-00'));
    symlinkSync(join(outside, 'not-the-delivery.csv'), join(odenseFolder, 'failed', '2024-05-03T02-00-00', 'sager.csv'));
    put(join(odenseFolder, 'sager.csv'));
    put(join(kbhFolder, 'failed', '2024-05-01T02-00-00', 'sager.csv'));
    await q(`INSERT INTO drop_folder (municipality_code, source, path) VALUES (461, 'dubu', $1), (101, 'dubu', $2)`, [
      odenseFolder,
      kbhFolder,
    ]);

    // Jobs: an upload of 461 waiting (its zip in the upload folder), a finished one, a delivery's;
    // København's; the reports' queue with both municipalities' reports and 461's schedule.
    etl = etlQueue({ databaseUrl: db.url });
    reports = reportQueue({ databaseUrl: db.url }).queue;
    put(join(uploads, 'u461.zip'), 'zip');
    mkdirSync(join(uploads, 'u461.zip.d'));
    put(join(uploads, 'u101.zip'), 'zip');
    await etl.add('import', { source: 'dubu', dir: join(uploads, 'u461.zip.d'), zip: join(uploads, 'u461.zip'), allowedMunicipality: 461 });
    await etl.add('import', {
      source: 'dubu',
      dir: join(odenseFolder, 'processing', '2024-05-02T02-00-00'),
      municipality: 461,
      delivery: true,
      requestedBy: 'drop-folder:1',
    });
    await etl.add('import', { source: 'dubu', dir: join(uploads, 'u101.zip.d'), zip: join(uploads, 'u101.zip'), allowedMunicipality: 101 });
    await reports.add('committee-report', { municipality: 461, requestedBy: 'admin' });
    await reports.add('committee-report', { municipality: 101, requestedBy: 'admin' });
    await reports.upsertJobScheduler(
      committeeSchedulerKey(461),
      { pattern: '0 6 5 * *' },
      { name: 'committee-report', data: { municipality: 461 } },
    );

    before101 = await rowsOf(101);
    audit461 = (await q(`SELECT count(*)::int AS n FROM audit_log WHERE municipality_code = 461`)).rows[0].n;
  }, 180_000);

  afterAll(async () => {
    await etl?.obliterate({ force: true }).catch(() => undefined);
    await reports?.obliterate({ force: true }).catch(() => undefined);
    await Promise.allSettled([etl?.close(), reports?.close()]);
    await db?.drop();
    for (const d of scratch) rmSync(d, { recursive: true, force: true });
  });

  it('without --confirm shows what would go, table by table, and deletes nothing', async () => {
    const before = await everything();
    expect(Object.values(await rowsOf(461)).some((n) => n > 0)).toBe(true);
    const run = cli('461');
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toContain('Kommune 461 (Odense): dette ville blive slettet. Intet er slettet endnu.');
    expect(run.stderr).toMatch(/^ {2}child_case +\d+$/m);
    expect(run.stderr).toMatch(/^ {2}app_user +4$/m);
    expect(run.stderr).toContain(`Afleveringsmappe ${odenseFolder}: 4 slettes fra processing/, processed/ og failed/.`);
    // The two uploads' and deliveries' jobs, the report asked for and the next one its schedule made.
    expect(run.stderr).toContain('Job i køerne: 4 fjernes.');
    expect(run.stderr).toContain('Bevares: revisionsloggens 2 rækker om kommunen (og 1 sagssæt)');
    expect(run.stderr).toContain('Tilføj --confirm 461 for at slette kommunens data.');
    expect(await everything()).toEqual(before);
  }, 60_000);

  it('refuses a --confirm with another code, deleting nothing', async () => {
    const before = await everything();
    for (const wrong of ['416', '0461', 'ja']) {
      const run = cli('461', '--confirm', wrong);
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toContain('--confirm skal være den samme kommunekode igen (461)');
    }
    const unknown = cli('999', '--confirm', '999');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('Kommunekoden 999 findes ikke. Intet er slettet.');
    expect(await everything()).toEqual(before);
  }, 60_000);

  it('refuses while an import that may be of the municipality runs (one whose municipality is not known yet)', async () => {
    // As startRun: the run's row and its lock, held by a live connection.
    const importer = await db.pool.connect();
    try {
      const { rows } = await importer.query(
        `INSERT INTO import_run (source, status, requested_by) VALUES ('dubu', 'running', 'cli:x') RETURNING id`,
      );
      await importer.query('SELECT pg_advisory_lock(hashtext($1), $2)', ['import', Number(rows[0].id)]);
      const before = await everything();
      const run = cli('461', '--confirm', '461');
      expect(run.status, run.stderr).toBe(1);
      expect(run.stderr).toContain(`Import ${rows[0].id} kører og kan være kommunens; prøv igen, når den er færdig. Intet er slettet.`);
      expect(await everything()).toEqual(before);
      await importer.query(`UPDATE import_run SET status = 'failed', finished_at = now() WHERE id = $1`, [rows[0].id]);
    } finally {
      await importer.query('SELECT pg_advisory_unlock_all()');
      importer.release();
    }
  }, 60_000);

  it('refuses while the queue holds an import job that names no municipality (it could load it again)', async () => {
    // A national administrator's economy upload waiting, a CLI job retried later: the file decides
    // their municipality. A statistics job loads only the statistics, which stay: it does not refuse.
    const national = await etl.add('import', { source: 'economy', dir: join(uploads, 'national.d'), requestedBy: 'admin' });
    const later = await etl.add('import', { source: 'dubu', dir: join(outside, 'eksport'), requestedBy: 'cli:x' }, { delay: 3_600_000 });
    const statistics = await etl.add('import', { source: 'statistics', dir: join(outside, 'statistik'), requestedBy: 'admin' });
    try {
      const before = await everything();
      const run = cli('461', '--confirm', '461');
      expect(run.status, run.stderr).toBe(1);
      expect(run.stderr).toContain(
        `Importjob ${[national.id, later.id].sort((a, b) => Number(a) - Number(b)).join(', ')} i køen angiver ingen kommune og kan indlæse kommunens data igen efter sletningen; ` +
          'vent, til de er kørt, eller annullér dem, og prøv igen. Intet er slettet.',
      );
      expect(await everything()).toEqual(before);
    } finally {
      for (const job of [national, later, statistics]) await job.remove();
    }
  }, 60_000);

  it("refuses when another municipality's row hangs on one of its rows (a cascade would delete it)", async () => {
    // The schema lets a review case and an import issue carry another code than their round's and
    // run's; deleting 461's round and import would cascade to København's rows.
    const q = (sql: string, params: unknown[] = []) => db.pool.query(sql, params);
    const round = (await q(`SELECT id FROM review_round WHERE municipality_code = 461`)).rows[0].id;
    const importId = (await q(`SELECT id FROM import_run WHERE municipality_code = 461 ORDER BY id LIMIT 1`)).rows[0].id;
    await q(
      `INSERT INTO review_case (round_id, municipality_code, source, case_id, position, team, summary) VALUES ($1, 101, 'dubu', 'K1', 2, 'Team Nord', 'Resumé')`,
      [round],
    );
    await q(
      `INSERT INTO import_issue (import_id, municipality_code, severity, file, line, rule, message) VALUES ($1, 101, 'warning', 'sager.csv', 2, 'W001', 'Tekst')`,
      [importId],
    );
    try {
      const before = await everything();
      const run = cli('461', '--confirm', '461');
      expect(run.status, run.stderr).toBe(1);
      expect(run.stderr).toContain(
        'Rækker, der ikke er kommunens, hænger på kommunens rækker og ville forsvinde eller standse sletningen:',
      );
      expect(run.stderr).toContain('1 i review_case (under review_round)');
      expect(run.stderr).toContain('1 i import_issue (under import_run)');
      expect(run.stderr).toContain('Intet er slettet.');
      expect(await everything()).toEqual(before);
    } finally {
      await q(`DELETE FROM review_case WHERE round_id = $1 AND case_id = 'K1'`, [round]);
      await q(`DELETE FROM import_issue WHERE import_id = $1 AND municipality_code = 101`, [importId]);
    }
  }, 60_000);

  it('without --confirm says every refusal a --confirm would meet now, and deletes nothing (not even a dead import marked)', async () => {
    const q = (sql: string, params: unknown[] = []) => db.pool.query(sql, params);
    const round = (await q(`SELECT id FROM review_round WHERE municipality_code = 461`)).rows[0].id;
    await q(
      `INSERT INTO review_case (round_id, municipality_code, source, case_id, position, team, summary) VALUES ($1, 101, 'dubu', 'K1', 2, 'Team Nord', 'Resumé')`,
      [round],
    );
    const national = await etl.add('import', { source: 'economy', dir: join(uploads, 'national.d'), requestedBy: 'admin' });
    // A worker importing 461, a drop-folder check, an import of no municipality yet: each holds its
    // lock on a connection of its own. An import whose process died holds none: it refuses nothing;
    // nor does the check, which a --confirm waits for.
    const holders = await Promise.all([db.pool.connect(), db.pool.connect(), db.pool.connect()]);
    const [worker, check, importer] = holders;
    const running = (await q(`INSERT INTO import_run (source, status, requested_by) VALUES ('dubu', 'running', 'cli:x') RETURNING id`))
      .rows[0].id;
    const dead = (
      await q(
        `INSERT INTO import_run (municipality_code, source, status, requested_by) VALUES (461, 'dubu', 'running', 'cli:y') RETURNING id`,
      )
    ).rows[0].id;
    try {
      await worker.query('SELECT pg_advisory_lock(hashtext($1), $2)', ['import-municipality', 461]);
      await check.query('SELECT pg_advisory_lock(hashtext($1), $2)', ['pull-drop-folders', 0]);
      await importer.query('SELECT pg_advisory_lock(hashtext($1), $2)', ['import', Number(running)]);
      const before = await everything();
      const run = cli('461');
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toContain('Kommune 461 (Odense): dette ville blive slettet. Intet er slettet endnu.');
      const refusals = run.stderr
        .split('ville sletningen lige nu blive afvist, og intet ville blive slettet:\n')[1]
        ?.split('Tilføj --confirm')[0];
      expect(refusals).toBe(
        [
          'Kommune 461 bliver indlæst lige nu; prøv igen, når importen er færdig.',
          `Import ${running} kører og kan være kommunens; prøv igen, når den er færdig.`,
          `Importjob ${national.id} i køen angiver ingen kommune og kan indlæse kommunens data igen efter sletningen; vent, til de er kørt, eller annullér dem, og prøv igen.`,
          'Rækker, der ikke er kommunens, hænger på kommunens rækker og ville forsvinde eller standse sletningen: 1 i review_case (under review_round). Ret eller flyt dem først.',
        ]
          .map((line) => `  ${line}\n`)
          .join(''),
      );
      expect(await everything()).toEqual(before);
      expect((await q(`SELECT status FROM import_run WHERE id = $1`, [dead])).rows[0].status).toBe('running');

      // Once nothing holds the removal back, the dry run says no refusal.
      for (const holder of holders) await holder.query('SELECT pg_advisory_unlock_all()');
      await q(`DELETE FROM review_case WHERE round_id = $1 AND case_id = 'K1'`, [round]);
      await national.remove();
      await q(`UPDATE import_run SET status = 'failed', finished_at = now() WHERE id = $1`, [running]);
      const clear = cli('461');
      expect(clear.status, clear.stderr).toBe(2);
      expect(clear.stderr).not.toContain('afvist');
    } finally {
      for (const holder of holders) {
        await holder.query('SELECT pg_advisory_unlock_all()');
        holder.release();
      }
      await q(`DELETE FROM review_case WHERE round_id = $1 AND case_id = 'K1'`, [round]);
      await national.remove().catch(() => undefined);
      await q(`DELETE FROM import_run WHERE id IN ($1, $2)`, [running, dead]);
    }
  }, 60_000);

  it('with --confirm deletes every row of it but the audit log and the public statistics, its files and its jobs; København keeps everything', async () => {
    const version = async () => Number((await db.pool.query(`SELECT version FROM data_version WHERE scope = '461'`)).rows[0]?.version ?? 0);
    const versionBefore = await version();
    const statistics = (await db.pool.query(`SELECT count(*)::int AS n FROM municipal_statistic WHERE municipality_code = 461`)).rows[0].n;
    expect(statistics).toBeGreaterThan(0);

    const run = cli('461', '--confirm', '461');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^Kommune 461 \(Odense\): \d+ rækker er slettet \(importlog \d+, landsdækkende\)\./);
    expect(run.stderr).toContain('Job fjernet fra køerne: 4.');
    expect(run.stderr).toContain('Kommunens egen indstilling (400 dage) slettes med kommunen');

    // Every table with a municipality_code, found from the catalog now (a table added later
    // included), holds no row of 461, but the audit log and the public statistics.
    const left = Object.entries(await rowsOf(461)).filter(([, n]) => n > 0);
    expect(left).toEqual([
      ['audit_log', audit461],
      ['municipal_statistic', statistics],
      ['population', expect.any(Number)],
    ]);
    // Its partitions are gone; rows without a municipality_code that hung on its rows or named its users too.
    const { rows: partitions } = await db.pool.query(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE pg_get_expr(c.relpartbound, c.oid) = $1`,
      [`FOR VALUES IN ('461')`],
    );
    expect(partitions).toEqual([]);
    const none = async (sql: string) => expect([sql, (await db.pool.query(sql)).rows[0].n]).toEqual([sql, 0]);
    await none(
      `SELECT count(*)::int AS n FROM review_checklist_item i WHERE NOT EXISTS (SELECT 1 FROM review_checklist c WHERE c.version = i.version)`,
    );
    await none(`SELECT count(*)::int AS n FROM weekly_mail_sent WHERE username = 'chef'`);
    await none(`SELECT count(*)::int AS n FROM login_attempt WHERE key = 'chef'`);
    await none(`SELECT count(*)::int AS n FROM oidc_session`);
    await none(`SELECT count(*)::int AS n FROM import_issue i WHERE NOT EXISTS (SELECT 1 FROM import_run r WHERE r.id = i.import_id)`);
    // The national rows and the municipality itself (the national list of municipalities) stay.
    expect((await db.pool.query(`SELECT username FROM app_user WHERE municipality_code IS NULL`)).rows).toEqual([{ username: 'admin' }]);
    expect((await db.pool.query(`SELECT name FROM municipality WHERE code = 461`)).rows).toEqual([{ name: 'Odense' }]);

    // København: not a row less or more.
    expect(await rowsOf(101)).toEqual(before101);
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM weekly_mail_sent WHERE username = 'chef-kbh'`)).rows[0].n).toBe(1);

    // The audit rows of 461 and their case set are kept, and the chain still verifies.
    expect(
      (await db.pool.query(`SELECT count(*)::int AS n FROM audit_log WHERE municipality_code = 461 AND case_set_id IS NOT NULL`)).rows[0].n,
    ).toBe(1);
    expect(await verifyAuditChain(db.pool)).toMatchObject({ ok: true });

    // The files of its drop folder's subfolders are gone (a link removed, not what it pointed at);
    // the delivery not yet taken stays for the operator; København's failed delivery stays.
    for (const state of ['processing', 'processed', 'failed']) expect(readdirSync(join(odenseFolder, state))).toEqual([]);
    expect(existsSync(join(outside, 'not-the-delivery.csv'))).toBe(true);
    expect(readdirSync(odenseFolder).sort()).toEqual(['failed', 'processed', 'processing', 'sager.csv']);
    expect(existsSync(join(kbhFolder, 'failed', '2024-05-01T02-00-00', 'sager.csv'))).toBe(true);
    expect(run.stderr).toContain('1 filer/mapper øverst i mappen');

    // Its jobs are gone (its upload with its job), København's stay; its monthly report is no longer scheduled.
    const municipalities = async (queue: Queue<EtlJobData> | Queue<ReportJobData>) =>
      (await (queue as Queue<EtlJobData>).getJobs(['waiting', 'delayed', 'completed', 'failed']))
        .map((j) => j.data.municipality ?? j.data.allowedMunicipality)
        .sort();
    expect(await municipalities(etl)).toEqual([101]);
    expect(await municipalities(reports)).toEqual([101]);
    expect(await reports.getJobScheduler(committeeSchedulerKey(461))).toBeFalsy();
    expect(readdirSync(uploads).sort()).toEqual(['u101.zip']);

    // One national row in the import log says who removed it, when, and how much; no personal data.
    const { rows: log } = await db.pool.query(
      `SELECT municipality_code, source, status, requested_by, finished_at IS NOT NULL AS finished, removed FROM import_run WHERE removed ? 'municipality'`,
    );
    expect(log).toEqual([
      {
        municipality_code: null,
        source: 'purge',
        status: 'succeeded',
        requested_by: expect.stringMatching(/^cli:/),
        finished: true,
        removed: {
          municipality: 461,
          rows: expect.objectContaining({ child_case: expect.any(Number), app_user: 4, drop_folder: 1, import_run: expect.any(Number) }),
          deliveries: 4,
          jobs: 4,
          auditRowsKept: audit461,
        },
      },
    ]);
    // The API's processes drop 461's cached answers.
    expect(await version()).toBeGreaterThan(versionBefore);

    // Again: nothing left to remove, nothing recorded.
    const again = cli('461', '--confirm', '461');
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toContain('Kommune 461 (Odense) har ingen data i Børneblik; intet at slette.');
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM import_run WHERE removed ? 'municipality'`)).rows[0].n).toBe(1);
  }, 120_000);
});
