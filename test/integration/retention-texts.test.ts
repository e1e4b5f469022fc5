import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeExpired, PURGED_IMPORT_ERROR } from '@bu/etl';
import type { ReportJobData } from '@bu/jobs';
import { createQueue, createWorker, type Queue } from '@bu/queue';
import { createTestDatabase, TestDatabase } from '../support/database';

// ADR 0118: what the rest of the product writes about people has a time too. Odense (461) keeps
// rejected values 30 days, audit rows 400, reports 100 and job results 2; København (101) has the
// defaults (90 / 1826 / 1826 / 7). The clock: 09-07-2025, so 100 days back is 31-03-2025, a month end.

const NOW = new Date('2025-07-09T10:00:00Z');
const DAY = 86_400_000;
const ago = (days: number, from = NOW) => new Date(from.getTime() - days * DAY);

describe('the retention purge of the texts and names around the data', () => {
  let db: TestDatabase;
  let reports: Queue<ReportJobData>;
  const rows = async (sql: string) => (await db.pool.query(sql)).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    reports = createQueue<ReportJobData>({ databaseUrl: db.url }, 'retention-texts-reports');
    await db.pool.query(
      `INSERT INTO setting (municipality_code, key, value) VALUES (461, 'retention.import_issue_values_days', '30'),
         (461, 'retention.audit_days', '400'), (461, 'retention.report_days', '100'), (461, 'retention.job_results_days', '2')`,
    );
  });
  afterAll(async () => {
    await reports?.obliterate({ force: true }).catch(() => undefined);
    await reports?.close();
    await db?.drop();
  });

  it("replaces an import's failure message with the rejected values, by the municipality's setting", async () => {
    for (const [municipality, days, error] of [
      [461, 31, 'sager.csv linje 3: Anne Bach findes ikke som medarbejder'],
      [461, 29, 'sager.csv linje 4: ukendt team'],
      [101, 31, 'sagsansvar.csv linje 9: Carl Dahl findes ikke'],
    ] as const)
      await db.pool.query(
        `INSERT INTO import_run (municipality_code, source, status, started_at, finished_at, error) VALUES ($1, 'dubu', 'failed', $2, $2, $3)`,
        [municipality, ago(days), error],
      );
    const summary = await purgeExpired(db.pool, { now: NOW });
    expect(summary['461']).toMatchObject({ importErrors: 1 });
    expect(summary['101']?.importErrors ?? 0).toBe(0);
    expect(await rows(`SELECT municipality_code AS m, error FROM import_run WHERE source = 'dubu' ORDER BY id`)).toEqual([
      { m: 461, error: PURGED_IMPORT_ERROR },
      { m: 461, error: 'sager.csv linje 4: ukendt team' },
      { m: 101, error: 'sagsansvar.csv linje 9: Carl Dahl findes ikke' },
    ]);
    // Once is enough.
    expect((await purgeExpired(db.pool, { now: NOW }))['461']?.importErrors ?? 0).toBe(0);
  });

  it('removes the comments on periods that ended before the reports that printed them went', async () => {
    // 09-07-2025 − 100 days = 31-03-2025: a period that ended before it goes (the leap day's
    // February 2024 and February 2025 too); March 2025 ends on it and stays; København's stay.
    for (const [municipality, period] of [
      [461, '2024'],
      [461, '2024-02'],
      [461, '2025-02'],
      [461, '2025-03'],
      [461, '2025'],
      [101, '2024'],
      // Periods no date can be made of (stored before the API checked the month): kept, and the
      // purge goes on.
      [461, '2024-13'],
      [461, '0000'],
    ] as const)
      await db.pool.query(
        `INSERT INTO admin_comment (municipality_code, subject_type, subject_key, period, text, author) VALUES ($1, 'budget', '5.28.20', $2, 'Tekst', 'chef')`,
        [municipality, period],
      );
    const summary = await purgeExpired(db.pool, { now: NOW });
    expect(summary['461']).toMatchObject({ comments: 3 });
    expect(await rows(`SELECT municipality_code AS m, period FROM admin_comment ORDER BY id`)).toEqual([
      { m: 461, period: '2025-03' },
      { m: 461, period: '2025' },
      { m: 101, period: '2024' },
      { m: 461, period: '2024-13' },
      { m: 461, period: '0000' },
    ]);
  });

  it("replaces who made or changed a thing once the audit rows of it are gone; the system's tags stay", async () => {
    await db.pool.query(`INSERT INTO political_goal (municipality_code, kpi_id, title, direction, target, created_by, created_at) VALUES
       (461, 'activity.family_care_share', 'Gammelt mål', '>=', 0.6, 'anna', '${ago(401).toISOString()}'),
       (461, 'activity.family_care_share', 'Nyt mål', '>=', 0.6, 'berit', '${ago(399).toISOString()}'),
       (101, 'activity.family_care_share', 'Københavns mål', '>=', 0.6, 'carl', '${ago(401).toISOString()}')`);
    await db.pool.query(
      `INSERT INTO comparison_group (municipality_code, name, members, created_by, created_at) VALUES (461, 'Naboer', '{101}', 'dora', $1)`,
      [ago(401)],
    );
    await db.pool.query(
      `INSERT INTO report_schedule (municipality_code, recipients, updated_by, updated_at) VALUES (461, '{}', 'eva', $1)`,
      [ago(401)],
    );
    await db.pool.query(
      `INSERT INTO report_archive (municipality_code, as_of, made_at, made_by, pdf, send_result) VALUES (101, '2024-01-31', $1, 'planlagt', '\\x25504446', 'sendt')`,
      [ago(2000)],
    );
    await db.pool.query(
      `INSERT INTO review_action_area (municipality_code, title, owner, status, created_by, updated_at) VALUES (461, 'Netværket', 'Team Nord', 'i_gang', 'frida', $1)`,
      [ago(401)],
    );
    const summary = await purgeExpired(db.pool, { now: NOW });
    expect(summary['461']).toMatchObject({ authors: 4 });
    expect(await rows(`SELECT title, created_by FROM political_goal ORDER BY id`)).toEqual([
      { title: 'Gammelt mål', created_by: 'slettet' },
      { title: 'Nyt mål', created_by: 'berit' },
      { title: 'Københavns mål', created_by: 'carl' },
    ]);
    expect(await rows(`SELECT created_by FROM comparison_group`)).toEqual([{ created_by: 'slettet' }]);
    expect(await rows(`SELECT updated_by FROM report_schedule`)).toEqual([{ updated_by: 'slettet' }]);
    expect(await rows(`SELECT created_by FROM review_action_area`)).toEqual([{ created_by: 'slettet' }]);
    // The report is past København's 1826 days and goes; its maker was the schedule all along.
    expect(summary['101']).toMatchObject({ reports: 1, authors: 0 });
    // The next purge finds nothing more to replace.
    expect((await purgeExpired(db.pool, { now: NOW }))['461']?.authors ?? 0).toBe(0);
  });

  it("removes the reports' queue's finished jobs by the job results' setting", async () => {
    const worker = createWorker({ databaseUrl: db.url }, 'retention-texts-reports', async () => null);
    await reports.add('committee-report', { municipality: 461, requestedBy: 'admin' });
    await reports.add('committee-report', { municipality: 101, requestedBy: 'admin' });
    await reports.add('weekly-mail', {});
    for (let i = 0; i < 100 && (await reports.getJobCounts('completed')).completed < 3; i++) await new Promise((r) => setTimeout(r, 100));
    await worker.close();
    // Three days on: Odense's job is past its 2 days, the others within the default 7.
    const summary = await purgeExpired(db.pool, { now: new Date(Date.now() + 3 * DAY), reportQueue: reports });
    expect(summary['461']).toMatchObject({ jobs: 1 });
    const left = await reports.getJobs(['completed']);
    expect(left.map((j) => [j.name, (j.data as { municipality?: number }).municipality ?? null]).sort()).toEqual([
      ['committee-report', 101],
      ['weekly-mail', null],
    ]);
  });
});
