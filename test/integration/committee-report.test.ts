import type { INestApplication } from '@nestjs/common';
import { execFileSync } from 'child_process';
import { mkdirSync, writeFileSync } from 'fs';
import { join, resolve } from 'path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  BUDGET_LIGHTS,
  budgetTotal,
  displayKpiValue,
  displayThousandKr,
  displayValue,
  formatNumber,
  formatShare,
  GOAL_LIGHTS,
  YEAR_ROW_LABELS,
  type Benchmark,
  type BudgetLine,
  type GoalStatus,
  spendCurveColumns,
  type SpendCurveValue,
} from '@bu/contracts';
import { importDubu, importEconomy, importStatistics } from '@bu/etl';
import {
  ARCHIVE_ONLY,
  committeeSchedulerKey,
  NO_RECIPIENTS,
  NOT_CONFIGURED,
  reportQueue,
  ReportQueue,
  SCHEDULED_BY,
  SEND_INTERRUPTED,
  SENDING,
  WEEKLY_MAIL_SCHEDULER,
} from '@bu/jobs';
import { createMailer } from '../../apps/worker/src/reports/mailer';
import { committeeReportContent } from '../../apps/worker/src/reports/committee-report';
import { makeCommitteeReport, NOT_SENT_SEE_ARCHIVE, reportHandlers, SCHEDULE_OFF } from '../../apps/worker/src/reports/report-jobs';
import { renderCommitteeReport } from '../../apps/worker/src/reports/report-pdf';
import { reportDeps, startReportWorker, type RunningReportWorker } from '../../apps/worker/src/reports/worker';
import { runInScope } from '../../apps/api/src/database/request-scope';
import { addUser } from '../../scripts/lib/users';
import { PASSWORD, seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TEST_SECRET, type TestDatabase } from '../support/database';
import { copyFixture, DUBU_SMALL, editFile, FIXTURES, dubuAs } from '../support/fixtures';
import { startTestSmtp, type TestSmtp } from '../support/smtp';

// The committee's monthly report end to end: the administrator sets the schedule and recipients
// (registered per municipality with BullMQ's job scheduler) and asks for a report now; the reports
// worker makes the PDF, sends it through a real SMTP server (smtp-server) and archives it; the
// committee opens it from the archive. The PDF's text (pdftotext) carries the figures of the API's
// answer to the committee for the same D.

const D = '2024-02-29';
const IDS = [
  'budget.function',
  'budget.spend_curve',
  'goal.status',
  'benchmark.activity.placed_children_per_1000',
  'benchmark.cost.net_spend_per_child',
  'activity.summary',
  'cost.preventive_share',
  'activity.children_with_open_case_per_1000',
];

/** pdftotext's text of a PDF, pages split by form feed; no-break spaces as spaces. */
function pdfText(pdf: Buffer): string {
  return execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', '-', '-'], { input: pdf })
    .toString('utf8')
    .replace(/\u00a0/g, ' ');
}

/** A single-number figure: its value on a line of its own shortly after its title (and description). */
function expectFigure(text: string, title: string, value: string): void {
  expect(text, title).toContain(title);
  const lines = text.slice(text.indexOf(title)).split('\n').slice(1, 8);
  expect(
    lines.map((l) => l.trim()),
    `${title}: ${value}`,
  ).toContain(value.replace(/\u00a0/g, ' '));
}

/** The line of the text that starts with `first` (after spaces), and has every cell after it, in order. */
function expectRow(text: string, first: string, cells: string[]): void {
  const escape = (s: string) => s.replace(/\u00a0/g, ' ').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^\\s*${escape(first)}.*${cells.map(escape).join('\\s+.*?')}`, 'm');
  expect(text, `row ${first}: ${cells.join(' | ')}`).toMatch(pattern);
}

describe('the committee’s monthly report', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let smtp: TestSmtp;
  let worker: RunningReportWorker;
  let queue: ReportQueue;
  const tokens: Record<string, string> = {};
  let goalId: number;
  const http = () => request(app.getHttpServer());
  const as = (user: string) => ({ Authorization: `Bearer ${tokens[user]}` });

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, join(FIXTURES, 'dubu-chief'), { pseudonymSecret: TEST_SECRET, exportDate: D });
    await importEconomy(db.pool, join(FIXTURES, 'economy-small'), { pseudonymSecret: TEST_SECRET });
    await importStatistics(db.pool, join(FIXTURES, 'statistics-benchmark'), { pseudonymSecret: TEST_SECRET });
    // Copenhagen (101) has data too: an administrator of every municipality can schedule it.
    const copenhagen = dubuAs(DUBU_SMALL, 101);
    await importDubu(db.pool, copenhagen, { pseudonymSecret: TEST_SECRET, exportDate: D });
    await seedUsers(db, 461, 'Team Nord');
    await addUser(db.pool, { username: 'admin-461', password: PASSWORD, role: 'admin', municipality: 461 });
    const { rows } = await db.pool.query(
      `INSERT INTO political_goal (municipality_code, kpi_id, title, direction, target, tolerance, created_by)
       VALUES (461, 'activity.family_care_share', 'Flere anbragte i familiepleje', '>=', 0.6, 0.05, 'admin') RETURNING id`,
    );
    goalId = rows[0].id;
    await db.pool.query(
      `INSERT INTO admin_comment (municipality_code, subject_type, subject_key, period, text, author) VALUES
       (461, 'budget', '5.28.20', '2024', 'Forbruget følger budgettet; to anbringelser ophører i marts.', 'chef'),
       (461, 'goal', $1, '2024', 'Målet følges op i juni.', 'chef')`,
      [String(goalId)],
    );
    smtp = await startTestSmtp();
    app = await startTestApi(db);
    for (const user of ['udvalg', 'chef', 'teamleder', 'admin', 'chef-kbh', 'admin-461']) tokens[user] = await tokenFor(app, user);
    worker = startReportWorker(
      { databaseUrl: db.url, dbConnectTimeoutMs: 5000, shutdownGraceMs: 10_000 } as Parameters<typeof startReportWorker>[0],
      {
        mail: { host: '127.0.0.1', port: smtp.port, secure: false, requireTls: false, from: 'Børneblik <boerneblik@odense.test>' },
        publicUrl: 'https://boerneblik.odense.test',
      },
    );
    await worker.scheduled;
    queue = reportQueue({ databaseUrl: db.url });
  });
  afterAll(async () => {
    await worker?.close();
    await queue?.close();
    await app?.close();
    await smtp?.close();
    await db?.drop();
  });

  it('registers each municipality’s schedule with the job scheduler, and refuses bad input in Danish', async () => {
    const put = (user: string, body: object) => http().put('/api/v1/reports/schedule').set(as(user)).send(body);
    const odense = { municipality: 461, enabled: true, dayOfMonth: 5, hour: 6, recipients: ['Formand@odense.test', 'chef@odense.test'] };
    expect((await put('admin', odense).expect(200)).body).toMatchObject({
      municipality: 461,
      enabled: true,
      dayOfMonth: 5,
      hour: 6,
      recipients: ['formand@odense.test', 'chef@odense.test'],
      updatedBy: 'admin',
    });
    await put('admin', { municipality: 101, enabled: true, dayOfMonth: 1, hour: 7, recipients: ['udvalg@kk.test'] }).expect(200);
    const schedulers = async () =>
      Object.fromEntries((await queue.queue.getJobSchedulers()).map((s) => [s.key, [s.pattern, s.tz]])) as Record<string, unknown>;
    expect(await schedulers()).toEqual({
      [committeeSchedulerKey(461)]: ['0 6 5 * *', 'Europe/Copenhagen'],
      [committeeSchedulerKey(101)]: ['0 7 1 * *', 'Europe/Copenhagen'],
      [WEEKLY_MAIL_SCHEDULER]: ['0 7 * * 1', 'Europe/Copenhagen'],
    });
    // Turned off: its scheduler goes; the other municipality's stays.
    await put('admin', { municipality: 101, enabled: false, dayOfMonth: 1, hour: 7, recipients: [] }).expect(200);
    expect(Object.keys(await schedulers()).sort()).toEqual([committeeSchedulerKey(461), WEEKLY_MAIL_SCHEDULER].sort());
    // A restarted worker registers the schedules from the table (a lost scheduler comes back).
    await queue.queue.removeJobScheduler(committeeSchedulerKey(461));
    const again = startReportWorker(
      { databaseUrl: db.url, dbConnectTimeoutMs: 5000, shutdownGraceMs: 10_000 } as Parameters<typeof startReportWorker>[0],
      {
        mail: null,
        publicUrl: null,
      },
    );
    await again.scheduled;
    await again.close();
    expect(Object.keys(await schedulers()).sort()).toEqual([committeeSchedulerKey(461), WEEKLY_MAIL_SCHEDULER].sort());

    expect((await put('admin', { ...odense, dayOfMonth: 31 }).expect(400)).body.message).toBe(
      'Dagen i måneden skal være et helt tal fra 1 til 28',
    );
    expect((await put('admin', { ...odense, hour: 24 }).expect(400)).body.message).toBe('Klokkeslættet skal være en hel time fra 0 til 23');
    expect((await put('admin', { ...odense, recipients: ['ikke-en-adresse'] }).expect(400)).body.message).toBe(
      'Ugyldig e-mailadresse: ikke-en-adresse',
    );
    expect((await put('admin', { ...odense, recipients: [] }).expect(400)).body.message).toBe(
      'Angiv mindst én modtager, når rapporten skal sendes',
    );
    // Only the administrator sets it; another municipality's administrator cannot see or set it.
    await put('chef', odense).expect(403);
    await http().get('/api/v1/reports/schedule?municipality=461').set(as('chef')).expect(403);
    expect((await http().get('/api/v1/reports/schedule?municipality=461').set(as('admin')).expect(200)).body.recipients).toEqual([
      'formand@odense.test',
      'chef@odense.test',
    ]);
  });

  it('undoes a saved schedule that the job scheduler did not take', async () => {
    // The queue (BullMQ's PostgreSQL backend here) fails: its schedulers' table is out of reach.
    await db.pool.query(`ALTER TABLE bullmq.scheduler RENAME TO scheduler_away`);
    try {
      await http()
        .put('/api/v1/reports/schedule')
        .set(as('admin'))
        .send({ municipality: 461, enabled: true, dayOfMonth: 9, hour: 9, recipients: ['ny@odense.test'] })
        .expect(500);
    } finally {
      await db.pool.query(`ALTER TABLE bullmq.scheduler_away RENAME TO scheduler`);
    }
    // The table and the scheduler still agree: the schedule as it was.
    expect((await db.pool.query(`SELECT day_of_month, hour, recipients FROM report_schedule WHERE municipality_code = 461`)).rows).toEqual([
      { day_of_month: 5, hour: 6, recipients: ['formand@odense.test', 'chef@odense.test'] },
    ]);
    expect((await queue.queue.getJobScheduler(committeeSchedulerKey(461)))?.pattern).toBe('0 6 5 * *');
  });

  it('answers a save within its bound when the job scheduler does not answer, holding no connection or row', async () => {
    // A Redis that is away: its commands wait for it (maxRetriesPerRequest null), here for ever.
    const registration = vi.spyOn(ReportQueue.prototype, 'schedule').mockReturnValueOnce(new Promise<void>(() => undefined));
    const started = Date.now();
    try {
      const res = await http()
        .put('/api/v1/reports/schedule')
        .set(as('admin'))
        .send({ municipality: 461, enabled: true, dayOfMonth: 9, hour: 9, recipients: ['ny@odense.test'] })
        .expect(503);
      expect(res.body.message).toBe('Rapportplanen blev ikke gemt: jobkøen svarer ikke lige nu. Prøv igen om lidt.');
      // SCHEDULE_REGISTRATION_MS, 5 s.
      expect(Date.now() - started).toBeLessThan(8000);
      // Rolled back and released: no connection left idle in its transaction, and the row is free.
      const { rows } = await db.pool.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
      );
      expect(rows[0].n).toBe(0);
      expect((await db.pool.query(`SELECT day_of_month, hour FROM report_schedule WHERE municipality_code = 461`)).rows).toEqual([
        { day_of_month: 5, hour: 6 },
      ]);
    } finally {
      registration.mockRestore();
    }
    await http()
      .put('/api/v1/reports/schedule')
      .set(as('admin'))
      .send({ municipality: 461, enabled: true, dayOfMonth: 5, hour: 6, recipients: ['formand@odense.test', 'chef@odense.test'] })
      .expect(200);
  });

  it('makes and sends no scheduled report whose schedule is off or gone when its job runs', async () => {
    const deps = reportDeps(db.pool, {
      mail: { host: '127.0.0.1', port: smtp.port, secure: false, requireTls: false, from: 'b@odense.test' },
      publicUrl: null,
    });
    const handle = reportHandlers(deps)['committee-report'];
    const job = (municipality: number) =>
      ({ id: `planlagt-${municipality}`, timestamp: Date.now(), data: { municipality, requestedBy: SCHEDULED_BY } }) as Parameters<
        typeof handle
      >[0];
    const mails = smtp.mails.length;
    try {
      // Copenhagen's schedule was turned off (its scheduler's job may have been queued before);
      // municipality 851 has none at all.
      expect(await handle(job(101))).toEqual({ municipality: 101, skipped: SCHEDULE_OFF });
      expect(await handle(job(851))).toEqual({ municipality: 851, skipped: SCHEDULE_OFF });
    } finally {
      deps.mailer.close();
    }
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM report_archive WHERE municipality_code IN (101, 851)`)).rows[0].n).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.mails.length).toBe(mails);
  });

  it('makes the report now: the mail arrives with the PDF, whose text has the API’s figures for that date', async () => {
    const queued = await http().post('/api/v1/reports').set(as('admin')).send({ municipality: 461 }).expect(202);
    expect(queued.body.jobId).toMatch(/^\S+$/);
    const [mail] = await smtp.waitFor(1);
    expect(mail.to.sort()).toEqual(['chef@odense.test', 'formand@odense.test']);
    // Blind copies: no recipient's address is in the headers the others read.
    const headers = mail.raw.split(/\r?\n\r?\n/)[0];
    expect(headers).not.toMatch(/chef@odense\.test|formand@odense\.test/);
    expect(mail.from).toBe('boerneblik@odense.test');
    expect(mail.subject).toBe('Udvalgsrapport for Odense Kommune pr. 29.02.2024');
    expect(mail.text).toContain('https://boerneblik.odense.test/#/rapporter');
    expect(mail.attachments.map((a) => [a.filename, a.contentType])).toEqual([['udvalgsrapport-461-2024-02-29.pdf', 'application/pdf']]);
    const pdf = mail.attachments[0].content;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    // Kept for a look (test-results/ like the browser tests' screenshots).
    const out = resolve(__dirname, '../../test-results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'udvalgsrapport.pdf'), pdf);
    // A4, titled for the reader's window.
    const info = execFileSync('pdfinfo', [join(out, 'udvalgsrapport.pdf')]).toString('utf8');
    expect(info).toMatch(/^Page size:\s+595\.28 x 841\.89 pts \(A4\)$/m);
    expect(info).toMatch(/^Title:\s+Udvalgsrapport, Odense Kommune, 29\.02\.2024$/m);

    // The archive: the committee sees it, with the send result, and opens the same bytes.
    let list: { id: string; asOf: string; sendResult: string; madeBy: string | null; recipients: string[] }[] = [];
    for (let i = 0; i < 100 && list.length === 0; i++) {
      list = (await http().get('/api/v1/reports').set(as('udvalg')).expect(200)).body;
      if (list.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(list).toHaveLength(1);
    // Not who made it nor the addresses: the committee is shown no usernames or e-mail addresses.
    expect(list[0]).toMatchObject({ asOf: D, madeBy: null, recipients: [], sendResult: 'sendt til 2 modtagere' });
    const chiefs = (await http().get('/api/v1/reports').set(as('chef')).expect(200)).body;
    expect(chiefs[0]).toMatchObject({ madeBy: 'admin', recipients: ['formand@odense.test', 'chef@odense.test'] });
    // Nor the addresses a mail server's refusal names in the send result.
    const refused = 'sendt til 1 af 2 modtagere; mailserveren afviste chef@odense.test';
    await db.pool.query(`UPDATE report_archive SET send_result = $1 WHERE id = $2`, [refused, list[0].id]);
    const masked = (await http().get('/api/v1/reports').set(as('udvalg')).expect(200)).body;
    expect(masked[0].sendResult).toBe('sendt til 1 af 2 modtagere');
    expect((await http().get('/api/v1/reports').set(as('chef')).expect(200)).body[0].sendResult).toBe(refused);
    // Nor any other answer of the server's (hosts, ports): the committee reads plain "ikke sendt".
    const failed = 'ikke sendt: connect ECONNREFUSED 10.20.30.40:587';
    await db.pool.query(`UPDATE report_archive SET send_result = $1 WHERE id = $2`, [failed, list[0].id]);
    expect((await http().get('/api/v1/reports').set(as('udvalg')).expect(200)).body[0].sendResult).toBe('ikke sendt');
    expect((await http().get('/api/v1/reports').set(as('chef')).expect(200)).body[0].sendResult).toBe(failed);
    // The worker's fixed texts as they are (both read them from @bu/jobs).
    for (const fixed of [ARCHIVE_ONLY, SENDING, SEND_INTERRUPTED, NOT_CONFIGURED, NO_RECIPIENTS]) {
      await db.pool.query(`UPDATE report_archive SET send_result = $1 WHERE id = $2`, [fixed, list[0].id]);
      expect((await http().get('/api/v1/reports').set(as('udvalg')).expect(200)).body[0].sendResult).toBe(fixed);
    }
    await db.pool.query(`UPDATE report_archive SET send_result = 'sendt til 2 modtagere' WHERE id = $1`, [list[0].id]);
    const opened = await http()
      .get(`/api/v1/reports/${list[0].id}/pdf`)
      .set(as('udvalg'))
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200)
      .expect('Content-Type', 'application/pdf');
    expect(Buffer.compare(opened.body as Buffer, pdf)).toBe(0);
    await http().get(`/api/v1/reports/${list[0].id}/pdf`).set(as('chef')).expect(200);

    // The figures: the API's answer to the committee for the same D, formatted as the dashboard does.
    const api = (
      await http()
        .get(`/api/v1/kpis?municipality=461&asOf=${D}&ids=${IDS.join(',')}`)
        .set(as('udvalg'))
        .expect(200)
    ).body;
    const text = pdfText(pdf);
    const pages = text.split('\f').filter((p) => p.trim() !== '');
    expect(pages.length).toBeGreaterThan(1);
    pages.forEach((page, i) => {
      expect(page).toContain('Odense Kommune · udvalgsrapport pr. 29.02.2024');
      expect(page).toContain(`Side ${i + 1} af ${pages.length}`);
    });
    expect(text).toContain('Udvalgsrapport – Odense Kommune');

    const budget = api.kpis['budget.function'] as Record<string, BudgetLine>;
    expect(Object.keys(budget).length).toBeGreaterThan(0);
    for (const [fn, l] of Object.entries(budget)) {
      expectRow(text, fn, [
        displayThousandKr(l.budget),
        displayThousandKr(l.spent),
        displayThousandKr(l.forecast),
        displayThousandKr(l.deviation),
        l.light ? BUDGET_LIGHTS[l.light].word : '–',
      ]);
    }
    // 5.28.20 (libs/kpi/src/budget/budget.spec.ts): no accounts for 2023, B 62,500,000, S 9,900,000.50
    // through February, linear forecast 59,400,003; the light's symbol before its word.
    expectRow(text, '5.28.20', ['–', '62.500', '9.900', '59.400', `-3.100 (${formatShare(-0.0496)})`, '✓ Inden for budget']);
    // The columns as on screen, the total row from the same lines as the dashboard's.
    expect(text).toMatch(/Regnskab\s+Korr\.\s+Forbrug t\.o\.m\.[^\n]*\n\s+2023\s+budget\s+februar\n/);
    const total = budgetTotal(Object.values(budget));
    expectRow(text, 'I alt', [total.lastYear, total.budget, total.spent, total.forecast, total.deviation].map(displayThousandKr));
    expect(text).toContain('Kommentar: Forbruget følger budgettet; to anbringelser ophører i marts.');

    const goals = api.kpis['goal.status'] as GoalStatus[];
    expect(goals.map((g) => g.id)).toEqual([goalId]);
    for (const g of goals) {
      const years = Object.keys(g.previousYears).sort();
      expectRow(text, g.title, [
        ...years.map((y) => displayKpiValue(g.kpi, g.previousYears[y])),
        displayKpiValue(g.kpi, g.value),
        g.status ? GOAL_LIGHTS[g.status].word : '–',
      ]);
    }
    expect(text).toContain('Kommentar: Målet følges op i juni.');

    const benchmark = api.kpis['benchmark.activity.placed_children_per_1000'] as Benchmark;
    // statistics-benchmark, 2023: Odense 8 per 1,000 0-22-year-olds, median 8, 2nd of 3 (test/browser/views.test.ts).
    expect(text).toContain(
      `${formatNumber(benchmark.own!)} (${benchmark.year}) · median ${formatNumber(benchmark.median!)} · nr. ${benchmark.rank} af ${benchmark.count}`,
    );
    expect(text).toContain('8 (2023) · median 8 · nr. 2 af 3, hvor 1 er flest anbragte');

    const years = api.kpis['activity.summary'] as Record<string, Record<string, unknown>>;
    const cols = Object.keys(years).sort();
    for (const row of Object.keys(years[cols[0]]))
      expectRow(
        text,
        YEAR_ROW_LABELS[row] ?? row,
        cols.map((y) => displayValue(years[y][row])),
      );
    // 2024 to D: three notifications → "<5" for the committee, never the number.
    expectRow(text, 'Underretninger', ['0', '0', '<5', '<5']);

    // The spend curve's table: the years, the budget and the forecast, February in mio. kr.
    const curve = api.kpis['budget.spend_curve'] as SpendCurveValue;
    expect(text).toMatch(/Måned\s+2023\s+2024\s+Korrigeret budget\s+Forventet forbrug/);
    expectRow(
      text,
      'feb',
      spendCurveColumns(curve).map(({ key }) => {
        const kr = curve[key][1];
        return typeof kr === 'number' ? formatNumber(kr / 1_000_000) : '–';
      }),
    );
    // The second edition's committee figures, as the API gives them to the committee: the share in %,
    // the rate per 1,000 as a number, "<5" when withheld, "–" when there is none.
    const shown = (v: unknown, show: (n: number) => string) => (typeof v === 'number' ? show(v) : displayValue(v));
    expectFigure(text, 'Forebyggelsens andel af udgifterne', shown(api.kpis['cost.preventive_share'], formatShare));
    expectFigure(text, 'Børn med åben sag pr. 1.000 børn', shown(api.kpis['activity.children_with_open_case_per_1000'], formatNumber));
    // No case number, caseworker or CPR number reaches the committee's report.
    expect(text).not.toMatch(/\b\d{6}-?\d{4}\b/);
  });

  it('sends nothing to a server that does not offer STARTTLS, unless told that is wanted', async () => {
    // The test server offers no STARTTLS: as if someone on the way had stripped it.
    const mail = { to: ['formand@odense.test'], subject: 'Prøve', text: 'Prøve' };
    const strict = createMailer({ host: '127.0.0.1', port: smtp.port, secure: false, from: 'boerneblik@odense.test' });
    const before = smtp.mails.length;
    try {
      const refused = await strict.send(mail);
      expect(refused.sent).toBe(false);
      expect(refused.result).toMatch(/^ikke sendt: /);
    } finally {
      strict.close();
    }
    expect(smtp.mails.length).toBe(before);
    const relaxed = createMailer({ host: '127.0.0.1', port: smtp.port, secure: false, requireTls: false, from: 'boerneblik@odense.test' });
    try {
      expect((await relaxed.send(mail)).sent).toBe(true);
    } finally {
      relaxed.close();
    }
    await smtp.waitFor(before + 1);
  });

  it('says which recipients the mail server refused, when it took the others', async () => {
    const picky = await startTestSmtp({ refuse: ['chef@odense.test'] });
    const mailer = createMailer({ host: '127.0.0.1', port: picky.port, secure: false, requireTls: false, from: 'boerneblik@odense.test' });
    try {
      const result = await mailer.send({ to: ['formand@odense.test', 'chef@odense.test'], subject: 'Prøve', text: 'Prøve' });
      expect(result).toEqual({ sent: true, result: 'sendt til 1 af 2 modtagere; mailserveren afviste chef@odense.test' });
      expect((await picky.waitFor(1)).map((m) => m.to)).toEqual([['formand@odense.test']]);
    } finally {
      mailer.close();
      await picky.close();
    }
  });

  it('archives the report without SMTP, saying it was not sent', async () => {
    const result = await makeCommitteeReport(
      { ...reportDeps(db.pool, { mail: null, publicUrl: null }), mailer: createMailer(null) },
      { municipality: 461, asOf: '2024-02-15', requestedBy: 'admin' },
    );
    // D moves to the committee's month end before it: 31 January.
    expect(result).toMatchObject({
      asOf: '2024-01-31',
      sendResult: NOT_CONFIGURED,
      recipients: 2,
    });
    // The addresses are in the archive only, not in the job's result on the queue.
    expect((await db.pool.query(`SELECT recipients FROM report_archive WHERE id = $1`, [result.id])).rows[0].recipients).toEqual([
      'formand@odense.test',
      'chef@odense.test',
    ]);
    const list = (await http().get('/api/v1/reports?municipality=461').set(as('chef')).expect(200)).body;
    expect(list.map((r: { sendResult: string }) => r.sendResult)).toEqual([NOT_CONFIGURED, 'sendt til 2 modtagere']);
    expect(list[0].sentAt).toBeNull();
    expect(pdfText(Buffer.from((await db.pool.query(`SELECT pdf FROM report_archive WHERE id = $1`, [result.id])).rows[0].pdf))).toContain(
      'Odense Kommune · udvalgsrapport pr. 31.01.2024',
    );
  });

  it('refuses the archive to a team leader, and another municipality’s report is not found', async () => {
    const [report] = (await http().get('/api/v1/reports').set(as('udvalg')).expect(200)).body;
    await http().get('/api/v1/reports').set(as('teamleder')).expect(403);
    await http().get(`/api/v1/reports/${report.id}/pdf`).set(as('teamleder')).expect(403);
    expect((await http().get(`/api/v1/reports/${report.id}/pdf`).set(as('chef-kbh')).expect(404)).body.message).toBe(
      'Rapporten findes ikke',
    );
    await http().get('/api/v1/reports/abc/pdf').set(as('udvalg')).expect(404);
    expect((await http().get('/api/v1/reports?municipality=461').set(as('chef-kbh')).expect(403)).body.message).toBe(
      'Ingen adgang til kommune 461',
    );
    // Copenhagen's own archive is empty: Odense's reports are not in it.
    expect((await http().get('/api/v1/reports').set(as('chef-kbh')).expect(200)).body).toEqual([]);
    // Only the administrator makes one now; bad input in Danish.
    await http().post('/api/v1/reports').set(as('chef')).send({}).expect(403);
    // A municipality's administrator cannot schedule or make another municipality's report.
    expect((await http().post('/api/v1/reports').set(as('admin-461')).send({ municipality: 101 }).expect(403)).body.message).toBe(
      'Ingen adgang til kommune 101',
    );
    await http()
      .put('/api/v1/reports/schedule')
      .set(as('admin-461'))
      .send({ municipality: 101, enabled: true, dayOfMonth: 2, hour: 6, recipients: ['x@kk.test'] })
      .expect(403);
    await http().get('/api/v1/reports/schedule?municipality=101').set(as('admin-461')).expect(403);
    expect(
      (await http().post('/api/v1/reports').set(as('admin')).send({ municipality: 461, asOf: '29-02-2024' }).expect(400)).body.message,
    ).toBe('Opgørelsesdatoen skal være en dato (ÅÅÅÅ-MM-DD)');
  });

  it('keeps the archive and the schedules under row-level security; the API cannot write the archive', async () => {
    const ds = app.get(DataSource);
    const count = (scope: string, table: string) =>
      runInScope(scope, () => ds.query(`SELECT municipality_code AS m, count(*)::int AS n FROM ${table} GROUP BY 1 ORDER BY 1`));
    expect(await count('461', 'report_archive')).toEqual([{ m: 461, n: 2 }]);
    expect(await count('101', 'report_archive')).toEqual([]);
    expect(await count('101', 'report_schedule')).toEqual([{ m: 101, n: 1 }]);
    expect(await count('*', 'report_schedule')).toEqual([
      { m: 101, n: 1 },
      { m: 461, n: 1 },
    ]);
    await expect(
      runInScope('461', () =>
        ds.query(
          `INSERT INTO report_archive (municipality_code, as_of, made_by, pdf, send_result) VALUES (461, '2024-01-31', 'x', '\\x00', 'x')`,
        ),
      ),
    ).rejects.toThrow(/permission denied/);
    await expect(runInScope('461', () => ds.query(`UPDATE report_schedule SET municipality_code = 101`))).rejects.toThrow(
      /row-level security/,
    );
  });

  // Last: these add reports to the archive.
  it('sends a report at most once when its job runs again, and says so when a send was cut off', async () => {
    const deps = reportDeps(db.pool, {
      mail: { host: '127.0.0.1', port: smtp.port, secure: false, requireTls: false, from: 'b@odense.test' },
      publicUrl: null,
    });
    const data = { municipality: 461, asOf: '2024-02-15', requestedBy: 'admin' };
    const archived = async (job: string) =>
      (await db.pool.query(`SELECT id::text, send_result, sent_at IS NOT NULL AS sent FROM report_archive WHERE job_id = $1`, [job])).rows;
    try {
      // A job that sent its report, then stopped before the queue heard: the retry finds the report.
      const mails = smtp.mails.length;
      const first = await makeCommitteeReport(deps, data, 'job-retried');
      await smtp.waitFor(mails + 1);
      const again = await makeCommitteeReport(deps, data, 'job-retried');
      expect(again).toEqual(first);
      expect(first.sendResult).toBe('sendt til 2 modtagere');
      expect(await archived('job-retried')).toEqual([{ id: first.id, send_result: 'sendt til 2 modtagere', sent: true }]);

      // A job whose process stopped while the mail was on its way: not sent again on the chance it went.
      const dying = { ...deps, mailer: { ...deps.mailer, send: () => Promise.reject(new Error('the process stops here')) } };
      await expect(makeCommitteeReport(dying, data, 'job-cut-off')).rejects.toThrow('the process stops here');
      expect(await archived('job-cut-off')).toEqual([{ id: expect.any(String), send_result: SENDING, sent: false }]);
      const retried = await makeCommitteeReport(deps, data, 'job-cut-off');
      expect(retried.sendResult).toBe(SEND_INTERRUPTED);
      expect(await archived('job-cut-off')).toEqual([{ id: retried.id, send_result: SEND_INTERRUPTED, sent: false }]);
      await new Promise((r) => setTimeout(r, 500));
      expect(smtp.mails.length).toBe(mails + 1);

      // The queue's job ids start again after a restore (its data is not in the backup): job 7 of the
      // new queue is not job 7 of the old one, whose report is in the archive.
      const handle = reportHandlers(deps)['committee-report'];
      const oldJob = { id: '7', timestamp: Date.now() - 86_400_000, data } as Parameters<typeof handle>[0];
      const before = (await handle(oldJob)) as { id: string };
      const newJob = { id: '7', timestamp: Date.now(), data } as Parameters<typeof handle>[0];
      const made = (await handle(newJob)) as { id: string; sendResult: string };
      expect(made.id).not.toBe(before.id);
      expect(made.sendResult).toBe('sendt til 2 modtagere');
      await smtp.waitFor(mails + 3);
    } finally {
      deps.mailer.close();
    }
  });

  it('puts no address and no mail server’s answer into the job’s result; the archive has them', async () => {
    const data = { municipality: 461, asOf: '2024-02-15', requestedBy: 'admin' };
    const archived = async (id: string) =>
      (await db.pool.query(`SELECT send_result FROM report_archive WHERE id = $1`, [id])).rows[0].send_result;
    for (const [refuse, result, stored] of [
      [['chef@odense.test'], 'sendt til 1 af 2 modtagere', 'sendt til 1 af 2 modtagere; mailserveren afviste chef@odense.test'],
      // nodemailer fails the send with the server's answer.
      [['chef@odense.test', 'formand@odense.test'], NOT_SENT_SEE_ARCHIVE, /^ikke sendt: .*451 Greylisted/],
    ] as const) {
      const picky = await startTestSmtp({ refuse: [...refuse] });
      const deps = reportDeps(db.pool, {
        mail: { host: '127.0.0.1', port: picky.port, secure: false, requireTls: false, from: 'b@odense.test' },
        publicUrl: null,
      });
      try {
        const made = (await reportHandlers(deps)['committee-report']({
          id: `picky-${refuse.length}`,
          timestamp: Date.now(),
          data,
        } as Parameters<ReturnType<typeof reportHandlers>['committee-report']>[0])) as { id: string; sendResult: string };
        expect(made.sendResult).toBe(result);
        expect(JSON.stringify(made)).not.toContain('@');
        expect(await archived(made.id)).toMatch(stored);
      } finally {
        deps.mailer.close();
        await picky.close();
      }
    }
  });
});

describe('the committee’s monthly report of a small municipality', () => {
  let db: TestDatabase;
  let app: INestApplication;

  beforeAll(async () => {
    db = await createTestDatabase();
    // dubu-small cut to its first four cases (S1-S4), with 40,000 children aged 0-17 (statistics-benchmark).
    const small = copyFixture(DUBU_SMALL);
    editFile(small, 'sager.csv', (text) => text.split(/\r?\n/).slice(0, 5).join('\n') + '\n');
    await importDubu(db.pool, small, { pseudonymSecret: TEST_SECRET, exportDate: D });
    await importStatistics(db.pool, join(FIXTURES, 'statistics-benchmark'), { pseudonymSecret: TEST_SECRET });
    await seedUsers(db, 461, 'Team Nord');
    app = await startTestApi(db);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('withholds a rate resting on 1-4 children, as the API does, and never prints the number', async () => {
    const token = await tokenFor(app, 'udvalg');
    const id = 'activity.children_with_open_case_per_1000';
    const api = (
      await request(app.getHttpServer())
        .get(`/api/v1/kpis?ids=${id}&asOf=${D}`)
        .set({ Authorization: `Bearer ${token}` })
        .expect(200)
    ).body;
    // Open at D = 29.02.2024: S1 and S2 (one child, the same CPR number) and S3 (closed at D); S4 closed
    // the day before. 2 children / 40,000 × 1,000 = 0.05, resting on 2 children: withheld.
    expect(api.kpis[id]).toEqual({ suppressed: true });
    const deps = reportDeps(db.pool, { mail: null, publicUrl: null });
    const content = await committeeReportContent(deps.query, deps.repository, 461, D);
    expect(content.figures.find((f) => f.figure.kpi === id)?.value).toEqual({ suppressed: true });
    const text = pdfText(await renderCommitteeReport(content));
    expectFigure(text, 'Børn med åben sag pr. 1.000 børn', '<5');
    expect(text).not.toContain(formatNumber(0.05));
  });
});
