import type { INestApplication } from '@nestjs/common';
import { join } from 'path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu, importStatistics } from '@bu/etl';
import { addUser } from '../../scripts/lib/users';
import { PASSWORD, seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { FIXTURES } from '../support/fixtures';

// The team leader's figures over HTTP, on the fixture whose values the caseload/ and deadline/ specs in libs/kpi/src work out by hand.
describe('team leader KPIs over HTTP, scoped and audited', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const get = (user: string, query: string) =>
    request(app.getHttpServer()).get(`/api/v1/kpis?${query}`).set('Authorization', `Bearer ${tokens[user]}`);

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, join(FIXTURES, 'dubu-deadlines'), { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' });
    await seedUsers(db, 461, 'Team Nord');
    app = await startTestApi(db);
    // Team names are any text from the case system: '*', and one name holding what once joined two.
    await addUser(db.pool, { username: 'tl-star', password: PASSWORD, role: 'teamleder', municipality: 461, teams: ['*'] });
    await addUser(db.pool, {
      username: 'tl-joined',
      password: PASSWORD,
      role: 'teamleder',
      municipality: 461,
      teams: ['Team Nord\u0001Team Syd'],
    });
    for (const u of ['udvalg', 'chef', 'teamleder', 'tl-star', 'tl-joined']) tokens[u] = await tokenFor(app, u);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('gives the team leader every caseload and deadline figure of the own team, with shares as fractions', async () => {
    const res = await get('teamleder', '').expect(200);
    expect(res.body.asOf).toBe('2024-04-30');
    const k = res.body.kpis;
    expect(k['caseload.open_cases']).toEqual({ AA: 4, BB: 1 });
    expect(k['deadline.notification_24h']).toBe(0.5);
    expect(k['caseload.unassigned'].rows.map((r: { case: string }) => r.case)).toEqual(['C5', 'C6']);
    expect(k['deadline.investigation_overdue'].count).toBe(1);
    expect(k['deadline.followup_overdue']).toEqual({ count: 0, rows: [] });
    // Soon due, all on Team Nord's cases (the specs in libs/kpi/src/deadline/).
    expect(k['deadline.followup_due_soon'].rows.map((r: { measure: string }) => r.measure)).toEqual(['Y4', 'Y1', 'Y2']);
    expect(k['deadline.notification_due_soon'].rows.map((r: { notification: string }) => r.notification)).toEqual(['N5']);
    expect(k['deadline.supervision_due_soon']).toEqual({ count: 0, rows: [] });
    expect(Object.keys(k).sort()).toEqual([
      'caseload.open_cases',
      'caseload.unassigned',
      'caseload.vs_norm',
      'caseload.weighted',
      'continuity.caseworker_changes',
      'deadline.child_conversation',
      'deadline.compliance_by_team',
      'deadline.followup_due_soon',
      'deadline.followup_overdue',
      'deadline.investigation_4m',
      'deadline.investigation_overdue',
      'deadline.notification_24h',
      'deadline.notification_due_soon',
      'deadline.notification_overdue',
      'deadline.plan_on_time',
      'deadline.supervision_due_soon',
      'deadline.supervision_overdue',
      'dq.missing_end_dates',
      'dq.open_measures_on_closed_cases',
      'dq.rejected_rows',
      'dq.unknown_codes',
      'investigation.duration_days',
      'supervision.talked_alone_share',
      'supervision.two_visits_share',
    ]);
    expect(res.body.dimensions.caseworker.BB).toMatchObject({ name: 'Bo Berg', employedTo: '2024-03-31' });
    // Only the own team's caseworkers are named: Team Syd's Cita Clausen is not the team leader's to see.
    expect(Object.keys(res.body.dimensions.caseworker).sort()).toEqual(['AA', 'BB', 'TN']);
    const chief = await get('chef', 'ids=caseload.open_cases').expect(200);
    expect(Object.keys(chief.body.dimensions.caseworker).sort()).toEqual(['AA', 'BB', 'CC', 'TN']);
  });

  it("gives the team leader the data-quality counts but not the rejected rows' values, which carry no team", async () => {
    // SECREVIEW M3: one rejected row quoting another team's case and one unknown code in the latest import.
    const { rows } = await db.pool.query(
      `SELECT max(id)::text AS id FROM import_run WHERE municipality_code = 461 AND status = 'succeeded'`,
    );
    await db.pool.query(
      `INSERT INTO import_issue (import_id, municipality_code, severity, file, line, rule, value, message)
       VALUES ($1, 461, 'error', 'ydelser.csv', 7, 'R011', 'SYD-CASE-42', 'Sagen SYD-CASE-42 findes ikke'),
              ($1, 461, 'warning', 'ydelser.csv', 8, 'W003', 'XYZ', 'Ukendt kode XYZ på sag SYD-CASE-43')`,
      [rows[0].id],
    );
    // Issues are written with their run, whose change moves the data version (drops cached answers).
    await db.pool.query(`UPDATE import_run SET finished_at = finished_at WHERE id = $1`, [rows[0].id]);
    const ids = 'ids=dq.rejected_rows,dq.unknown_codes';
    const logged = async (username: string) =>
      (
        await db.pool.query(
          `SELECT detail->'imports' AS imports FROM audit_log WHERE username = $1 AND action = 'kpi:dq.rejected_rows,dq.unknown_codes' ORDER BY id`,
          [username],
        )
      ).rows;
    const lead = (await get('teamleder', ids).expect(200)).body.kpis;
    const rejected = lead['dq.rejected_rows'].rows.find((r: { rule: string }) => r.rule === 'R011');
    expect(rejected).toMatchObject({ file: 'ydelser.csv', count: 1, lines: [], issues: [] });
    expect(lead['dq.unknown_codes'].rows.find((r: { code: string }) => r.code === 'XYZ')).toEqual({ code: 'XYZ', count: 1, issues: [] });
    expect(JSON.stringify(lead)).not.toMatch(/SYD-CASE-4/);
    // The chief (and admin) still open the counts to the rows.
    const chief = (await get('chef', ids).expect(200)).body.kpis;
    expect(chief['dq.rejected_rows'].rows.find((r: { rule: string }) => r.rule === 'R011')).toMatchObject({
      lines: [7],
      issues: [{ line: 7, value: 'SYD-CASE-42', message: 'Sagen SYD-CASE-42 findes ikke' }],
    });
    expect(chief['dq.unknown_codes'].rows.find((r: { code: string }) => r.code === 'XYZ').issues).toEqual([
      { file: 'ydelser.csv', line: 8, message: 'Ukendt kode XYZ på sag SYD-CASE-43' },
    ]);
    // The chief's read of the rejected values is in the audit log, as the import issues' own page
    // is; the team leader saw counts only, so nothing of its is.
    expect(await logged('chef')).toEqual([{ imports: [rows[0].id] }]);
    expect(await logged('teamleder')).toEqual([]);
  });

  it('gives the chief the whole municipality', async () => {
    const res = await get('chef', 'ids=deadline.followup_overdue,deadline.notification_24h').expect(200);
    expect(res.body.kpis['deadline.notification_24h']).toBe(0.4);
    expect(res.body.kpis['deadline.followup_overdue'].rows.map((r: { measure: string }) => r.measure)).toEqual(['Y8', 'Y5']);
  });

  it('pages, sorts and filters a list; the audit log gets the cases on the page', async () => {
    // The handover list is C5, C6 (Team Nord) and C8 (Modtagelsen), by days without a caseworker: 29, 29, 15.
    let res = await get('chef', 'ids=caseload.unassigned&sort=days,-case&limit=2').expect(200);
    expect(res.body.kpis['caseload.unassigned']).toMatchObject({ count: 3, offset: 0, limit: 2 });
    expect(res.body.kpis['caseload.unassigned'].rows.map((r: { case: string }) => r.case)).toEqual(['C8', 'C6']);
    res = await get('chef', 'ids=caseload.unassigned&sort=days,-case&offset=2&limit=2').expect(200);
    expect(res.body.kpis['caseload.unassigned'].rows.map((r: { case: string }) => r.case)).toEqual(['C5']);
    // Drill-down: the rows of a caseworker who left, and those never assigned (an empty value).
    res = await get('chef', 'ids=caseload.unassigned&filter=lastWorker:BB').expect(200);
    expect(res.body.kpis['caseload.unassigned']).toMatchObject({ count: 1, rows: [{ case: 'C5' }] });
    res = await get('chef', 'ids=caseload.unassigned&filter=lastWorker:&filter=team:Modtagelsen').expect(200);
    expect(res.body.kpis['caseload.unassigned']).toMatchObject({ count: 1, rows: [{ case: 'C8' }] });
    // The same list as the team leader: the scope applies before the filter.
    res = await get('teamleder', 'ids=caseload.unassigned&filter=team:Modtagelsen').expect(200);
    expect(res.body.kpis['caseload.unassigned']).toMatchObject({ count: 0, rows: [] });

    await db.pool.query('DELETE FROM audit_log');
    await get('chef', 'ids=caseload.unassigned&sort=-case&limit=1').expect(200);
    const { rows } = await db.pool.query('SELECT case_ids FROM audit_access');
    expect(rows).toEqual([{ case_ids: ['C8'] }]);
  });

  it('rejects paging of non-lists, unknown fields and bad numbers with a Danish message', async () => {
    expect((await get('chef', 'ids=caseload.open_cases&limit=5').expect(400)).body.message).toMatch(/gælder lister/);
    expect((await get('chef', 'ids=caseload.unassigned&sort=cpr').expect(400)).body.message).toMatch(
      /har ikke feltet cpr; felterne er case, area/,
    );
    expect((await get('chef', 'ids=caseload.unassigned&limit=0').expect(400)).body.message).toMatch(/limit skal være et helt tal/);
  });

  it('writes who saw which cases to the audit log', async () => {
    await db.pool.query('DELETE FROM audit_log');
    await get('teamleder', 'ids=caseload.unassigned,deadline.notification_overdue,caseload.open_cases').expect(200);
    const { rows } = await db.pool.query('SELECT username, role, action, municipality_code, case_ids FROM audit_access');
    expect(rows).toEqual([
      {
        username: 'teamleder',
        role: 'teamleder',
        action: 'kpi:caseload.unassigned,deadline.notification_overdue,caseload.open_cases',
        municipality_code: 461,
        case_ids: ['C4', 'C5', 'C6'],
      },
    ]);
    // With the client's address (the request's, through the audit context).
    expect((await db.pool.query('SELECT client_ip FROM audit_access')).rows[0].client_ip).toMatch(/^(::ffff:)?127\.0\.0\.1$|^::1$/);
    // Aggregates alone are not person-level: nothing is written.
    await get('chef', 'ids=deadline.notification_24h').expect(200);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM audit_log')).rows[0].n).toBe(1);
    // A caseload per caseworker names the staff: written without a case set.
    await get('chef', 'ids=caseload.open_cases').expect(200);
    const { rows: staff } = await db.pool.query(`SELECT action, case_set_id, detail FROM audit_log WHERE username = 'chef'`);
    expect(staff).toEqual([
      { action: 'kpi:caseload.open_cases', case_set_id: null, detail: expect.objectContaining({ caseworkers: true }) },
    ]);
  });

  it('keeps case lists from the committee', async () => {
    await get('udvalg', 'ids=caseload.unassigned').expect(403);
    await get('udvalg', 'ids=deadline.notification_24h').expect(403);
  });

  it('never serves one team list the cached values of another, whatever the teams are named', async () => {
    // Every team (the chief), then Team Nord and Team Syd together: both cached first.
    const all = (await get('chef', 'ids=caseload.open_cases,caseload.unassigned').expect(200)).body.kpis;
    expect(Object.keys(all['caseload.open_cases']).length).toBeGreaterThan(0);
    // A team named '*' and a team whose name joins two others are teams of their own, with no caseworker here.
    for (const user of ['tl-star', 'tl-joined']) {
      const res = await get(user, 'ids=caseload.open_cases,caseload.unassigned').expect(200);
      expect(res.body.kpis['caseload.open_cases'], user).toEqual({});
      expect(res.body.kpis['caseload.unassigned'].rows, user).toEqual([]);
    }
  });
});

describe('the committee over HTTP: aggregates only, small cells suppressed', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const get = (user: string, query: string) =>
    request(app.getHttpServer()).get(`/api/v1/kpis?${query}`).set('Authorization', `Bearer ${tokens[user]}`);

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, join(FIXTURES, 'dubu-chief'), { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' });
    await seedUsers(db, 461, 'Team Nord');
    app = await startTestApi(db);
    for (const u of ['udvalg', 'chef']) tokens[u] = await tokenFor(app, u);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('never sends the committee a count under 5, and the chief gets the numbers', async () => {
    const committee = await get('udvalg', 'ids=activity.summary').expect(200);
    expect(committee.body.kpis['activity.summary']['2024']).toEqual({
      notifications: 7,
      placementsStarted: { suppressed: true },
      placedChildren: { suppressed: true },
      preventiveChildren: { suppressed: true },
    });
    expect(JSON.stringify(committee.body)).not.toMatch(/"placedChildren":3/);
    const chief = await get('chef', 'ids=activity.summary').expect(200);
    expect(chief.body.kpis['activity.summary']['2024'].placedChildren).toBe(3);
  });

  it('gives the committee only its own figures by default', async () => {
    const res = await get('udvalg', '').expect(200);
    expect(Object.keys(res.body.kpis).sort()).toEqual([
      'activity.children_with_open_case',
      'activity.children_with_open_case_per_1000',
      'activity.summary',
      'benchmark.activity.notifications_per_1000',
      'benchmark.activity.placed_children_per_1000',
      'benchmark.activity.preventive_children_per_1000',
      'benchmark.cost.net_spend_per_child',
      'budget.forecast_activity',
      'budget.forecast_linear',
      'budget.function',
      'budget.light',
      'budget.spend_curve',
      'cost.preventive_share',
      'goal.status',
    ]);
    // Benchmarks: the published statistics only, not the live rate from the own case data.
    expect(res.body.kpis['benchmark.activity.placed_children_per_1000'].ownLive).toBeNull();
    expect(Object.keys(res.body.dimensions)).toEqual(['municipality']);
  });

  it('withholds the open-case rate from the committee when it rests on 1-4 children (second edition)', async () => {
    await importStatistics(db.pool, join(FIXTURES, 'statistics-small'), { pseudonymSecret: TEST_SECRET });
    const ids = 'ids=activity.children_with_open_case,activity.children_with_open_case_per_1000';
    // The committee's D = 31-12-2023: open cases C1, C3, C7, C9 → 4 children: "<5", and the rate withheld.
    const small = await get('udvalg', `${ids}&asOf=2023-12-31`).expect(200);
    expect(small.body.kpis).toEqual({
      'activity.children_with_open_case': { suppressed: true },
      'activity.children_with_open_case_per_1000': { suppressed: true },
    });
    // The chief gets the numbers: 4, and 4 / 40,000 (Odense's 0-17-year-olds in 2023) × 1000 = 0.1.
    const chief = await get('chef', `${ids}&asOf=2023-12-31`).expect(200);
    expect(chief.body.kpis['activity.children_with_open_case']).toBe(4);
    expect(chief.body.kpis['activity.children_with_open_case_per_1000']).toBeCloseTo(0.1, 12);
    // D = 29-04-2024 moves to 31-03-2024 for the committee: C1-C7 and C9 (C8 opens 15-04) → 8 children, shown;
    // 8 / 40,100 × 1000.
    const shown = await get('udvalg', `${ids}&asOf=2024-04-29`).expect(200);
    expect(shown.body.kpis['activity.children_with_open_case']).toBe(8);
    expect(shown.body.kpis['activity.children_with_open_case_per_1000']).toBeCloseTo((8 / 40_100) * 1000, 12);
  });
});
