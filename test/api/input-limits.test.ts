import type { INestApplication } from '@nestjs/common';
import { join } from 'path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMonths, copenhagenDate } from '@bu/domain';
import { importDubu } from '@bu/etl';
import { createLogger } from '@bu/logger';
import { PASSWORD, seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TEST_SECRET, type TestDatabase } from '../support/database';
import { FIXTURES } from '../support/fixtures';

// Input a client can send that the API once let through to PostgreSQL or to a long synchronous
// sort (an API input review): each gets a Danish 400 or 413 at once, never a 500, and nothing is
// logged at error level.

const D = '2024-04-30';
const LIST = 'deadline.investigation_overdue';
/** A KPI with one value per period that the role may read (no such KPI is the committee's and a team leader's both). */
const SERIES: Record<string, string> = {
  udvalg: 'activity.children_with_open_case',
  teamleder: 'caseload.open_cases',
  chef: 'caseload.open_cases',
};
/** Danish, not Express's or PostgreSQL's English: one of æøå or a Danish word the messages use. */
const danish = /[æøåÆØÅ]|skal|ikke|højst|ugyldig|ukendt/i;

describe('input limits', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let importId = 0;
  const tokens: Record<string, string> = {};
  const lines: string[] = [];
  const http = () => request(app.getHttpServer());
  const as = (user: string) => ({ Authorization: `Bearer ${tokens[user]}` });

  /** The answer is a Danish refusal with the status, quickly, and does not quote what was sent. */
  async function refused(res: request.Response, status: 400 | 413, started: number) {
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body.statusCode).toBe(status);
    expect(res.body.message).toMatch(danish);
    expect(Date.now() - started).toBeLessThan(2000);
  }
  const get = async (user: string, path: string, status: 400 | 413 = 400) => {
    const started = Date.now();
    const res = await http().get(path).set(as(user));
    await refused(res, status, started);
    return res.body.message as string;
  };
  const send = async (user: string | null, method: 'post' | 'put', path: string, body: string | object, status: 400 | 413 = 400) => {
    const started = Date.now();
    let req = http()[method](path).set('Content-Type', 'application/json');
    if (user) req = req.set(as(user));
    const res = await req.send(typeof body === 'string' ? body : JSON.stringify(body));
    await refused(res, status, started);
    return res.body.message as string;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, join(FIXTURES, 'dubu-deadlines'), { pseudonymSecret: TEST_SECRET, exportDate: D });
    await seedUsers(db, 461, 'Team Nord');
    importId = (await db.pool.query('SELECT max(id)::int AS id FROM import_run')).rows[0].id;
    // The API's own logger, its lines kept: a refused input is no error of the service.
    const log = createLogger({ level: 'info', format: 'json', destination: { write: (line: string) => void lines.push(line) } });
    app = await startTestApi(db, {}, { logger: log });
    for (const u of ['udvalg', 'chef', 'teamleder', 'admin']) tokens[u] = await tokenFor(app, u);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('sorts by a repeated key once, and refuses more than 5 sort keys and 10 filters', async () => {
    // 1,500 repeats of one key are one key (the first direction wins): the sort compares it once.
    const sort = ['-team', ...Array<string>(1500).fill('team'), 'worker'].join(',');
    const started = Date.now();
    const res = await http().get(`/api/v1/kpis?ids=${LIST}&asOf=${D}&sort=${sort}&limit=10`).set(as('teamleder')).expect(200);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(res.body.kpis[LIST].rows.map((r: { case: string }) => r.case)).toEqual(['C4']);
    expect(await get('teamleder', `/api/v1/kpis?ids=${LIST}&asOf=${D}&sort=case,worker,team,started,due,daysOverdue`)).toBe(
      'sort kan højst have 5 forskellige felter',
    );
    const filters = Array.from({ length: 11 }, (_, i) => `filter=worker:W${i}`).join('&');
    expect(await get('chef', `/api/v1/kpis?ids=${LIST}&asOf=${D}&${filters}`)).toBe('Højst 10 filtre ad gangen');
  });

  it('refuses dates PostgreSQL cannot read, for every role and every date parameter', async () => {
    for (const user of ['udvalg', 'teamleder', 'chef']) {
      await get(user, `/api/v1/kpis?asOf=0000-01-31`);
      await get(user, `/api/v1/kpis/${SERIES[user]}/series?asOf=0000-01-31`);
      await get(user, `/api/v1/kpis?from=0000-02-29&to=${D}&asOf=${D}`);
    }
    for (const user of ['udvalg', 'chef']) {
      await get(user, `/api/v1/reviews/results?from=0000-01-31`);
      await get(user, `/api/v1/reviews/results?to=0000-01-31`);
    }
    await get('admin', '/api/v1/audit?from=2024-02-30');
    await get('admin', '/api/v1/audit?to=0000-01-01');
    await get('chef', '/api/v1/imports?from=2024-02-30');
    await get('chef', '/api/v1/imports?to=2023-02-29');
  });

  it('refuses KPI dates outside 2000-01-01 to a year from today', async () => {
    const last = addMonths(copenhagenDate(new Date()), 12);
    const after = `${String(Number(last.slice(0, 4)) + 1)}-01-01`;
    for (const user of ['udvalg', 'teamleder', 'chef']) {
      expect(await get(user, `/api/v1/kpis/${SERIES[user]}/series?from=0001-01-01&asOf=${D}`)).toMatch(/skal være en dato/);
      expect(await get(user, `/api/v1/kpis/${SERIES[user]}/series?from=1999-12-01&asOf=${D}&by=year`)).toBe(
        `from skal ligge fra 2000-01-01 til ${last}: 1999-12-01`,
      );
      await get(user, `/api/v1/kpis?asOf=${D}&from=1999-12-31`);
      await get(user, `/api/v1/kpis?asOf=1999-12-31`);
    }
    for (const user of ['teamleder', 'chef']) {
      expect(await get(user, `/api/v1/kpis?asOf=9999-12-31`)).toBe(`asOf skal ligge fra 2000-01-01 til ${last}: 9999-12-31`);
      await get(user, `/api/v1/kpis?asOf=${after}`);
      await get(user, `/api/v1/kpis?asOf=${D}&to=${after}`);
      await get(user, `/api/v1/kpis/${SERIES[user]}/series?asOf=${after}`);
    }
    // The committee's later D is moved back to its export date's month end (KPIS.md), never computed.
    const committee = await http().get(`/api/v1/kpis?ids=${SERIES.udvalg}&asOf=9999-12-31`).set(as('udvalg')).expect(200);
    expect(committee.body.asOf).toBe('2024-04-30');
    await http().get(`/api/v1/kpis?ids=caseload.open_cases&asOf=${D}&from=2000-01-01`).set(as('chef')).expect(200);
  });

  it('refuses whole numbers a column cannot hold, and numbers that are not whole', async () => {
    await get('chef', `/api/v1/kpis?ids=caseload.open_cases&asOf=${D}&groupId=99999999999`);
    await get('chef', `/api/v1/kpis?ids=caseload.open_cases&asOf=${D}&groupId=2147483648`);
    const chosen = { kind: 'chosen', cases: [{ case: 'C1' }] };
    await send('chef', 'post', '/api/v1/reviews', { title: 'Gennemgang', checklistVersion: 2 ** 40, sampling: chosen });
    await send('chef', 'post', '/api/v1/reviews', { title: 'Gennemgang', checklistVersion: 2147483648, sampling: chosen });
    await send('chef', 'post', '/api/v1/reviews/actions', { round: 2 ** 40, title: 'Dokumentation', owner: 'Team Nord', items: [] });
    await get('chef', '/api/v1/imports?limit=1.5');
    await get('chef', '/api/v1/imports?limit=1e400');
    await get('chef', `/api/v1/imports/${importId}/issues?offset=1e400`);
    await get('chef', `/api/v1/imports/${importId}/issues?offset=99999999999999999999`);
    await get('chef', `/api/v1/imports/${importId}/issues?limit=0.5`);
    // What the dashboard sends still works.
    await http().get('/api/v1/imports?limit=20').set(as('chef')).expect(200);
    await http().get(`/api/v1/imports/${importId}/issues?offset=100&limit=100`).set(as('chef')).expect(200);
  });

  it('refuses a NUL character in a body, a query string or a path', async () => {
    const nul = /NUL/;
    for (let i = 0; i < 3; i++) {
      expect(await send(null, 'post', '/api/v1/auth/login', '{"username":"a\\u0000","password":"x"}')).toMatch(nul);
    }
    expect(await send(null, 'post', '/api/v1/auth/login', '{"username":"a","password":"x","\\u0000":1}')).toMatch(nul);
    expect(await get('udvalg', '/api/v1/comments?period=%00')).toMatch(nul);
    expect(await get('chef', '/api/v1/comments?period=2024%00')).toMatch(nul);
    const round = { title: 'Gennemgang\u0000', sampling: { kind: 'chosen', cases: [{ case: 'C1' }] } };
    expect(await send('chef', 'post', '/api/v1/reviews', round)).toMatch(nul);
    expect(await send('admin', 'post', '/api/v1/users/a%00/password', {})).toMatch(nul);
    const started = Date.now();
    await refused(await http().delete('/api/v1/users/a%00').set(as('admin')), 400, started);
    // Refused before the login throttle counts a try (5 free per user and address): the right password still logs in.
    for (let i = 0; i < 6; i++) await send(null, 'post', '/api/v1/auth/login', '{"username":"chef","password":"x\\u0000"}');
    await http().post('/api/v1/auth/login').send({ username: 'chef', password: PASSWORD }).expect(200);
  });

  it('answers a body too large with a Danish 413 and malformed JSON with a Danish 400 that does not quote it', async () => {
    const big = JSON.stringify({ username: 'x'.repeat(200_000), password: 'y' });
    expect(await send(null, 'post', '/api/v1/auth/login', big, 413)).toMatch(/100 kB/);
    const secret = 'hemmelig-adgangskode-42';
    const message = await send(null, 'post', '/api/v1/auth/login', `{"username":"chef","password":"${secret}`);
    expect(message).not.toContain(secret);
    expect(message).not.toContain('JSON at position');
  });

  it('logs none of these at error level', () => {
    const errors = lines
      .map((l) => JSON.parse(l) as { level: string; msg?: string })
      .filter((l) => l.level === 'error' || l.level === 'fatal');
    expect(errors.map((l) => l.msg)).toEqual([]);
  });
});
