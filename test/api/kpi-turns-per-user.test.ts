import type { INestApplication } from '@nestjs/common';
import { join } from 'path';
import type { PoolClient } from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { importDubu } from '@bu/etl';
import { seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { FIXTURES } from '../support/fixtures';

vi.hoisted(() => {
  // Two KPI requests in progress per user (the default is 64): the third is refused.
  process.env.KPI_REQUESTS_PER_USER = '2';
  // Slots for every request below, so each waits on the database, where the test can see it.
  process.env.KPI_SLOTS = '8';
});

// ADR 0121: one user may have only so many KPI requests in progress in an API process. Past that
// they are refused with 429 in Danish, while another user's request is still taken and answered.
describe('KPI requests in progress per user', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const get = (user: string, path: string) => request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${tokens[user]}`);
  const openCases = (user: string, asOf: string) => get(user, `/api/v1/kpis?ids=caseload.open_cases&asOf=${asOf}`);

  /** The cases' table locked by another transaction: the KPI statements that read it wait, their requests in progress. */
  let holder: PoolClient | undefined;
  const lockCases = async () => {
    holder = await db.pool.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE child_case IN ACCESS EXCLUSIVE MODE');
  };
  const unlockCases = async () => {
    await holder?.query('ROLLBACK');
    holder?.release();
    holder = undefined;
  };
  /** Waits (polling, up to 20 s) until this many of the API's statements wait on the lock. */
  const waitingOnTheLock = async (n: number) => {
    const waiting = async () =>
      (
        await db.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        )
      ).rows[0].n;
    for (let i = 0; i < 2000 && (await waiting()) < n; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await waiting()).toBe(n);
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, join(FIXTURES, 'dubu-chief'), { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' });
    await seedUsers(db, 461, 'Team Nord');
    app = await startTestApi(db);
    for (const user of ['chef', 'teamleder']) tokens[user] = await tokenFor(app, user);
    // The municipality each asks for is known (and cached) before the lock.
    for (const user of ['chef', 'teamleder']) await get(user, '/api/v1/kpis?ids=caseload.open_cases').expect(200);
  }, 120_000);
  afterAll(async () => {
    await unlockCases();
    await app?.close();
    await db?.drop();
  });

  it("refuses a user's third cold request while two are in progress, and takes and answers another user's", async () => {
    await lockCases();
    const asked = ['2024-03-31', '2024-02-29'].map((asOf) => openCases('chef', asOf).then((res) => res));
    await waitingOnTheLock(2);

    const refused = await openCases('chef', '2024-01-31');
    expect(refused.status).toBe(429);
    expect(refused.body.message).toBe('For mange nøgletal under beregning på én gang (højst 2 pr. bruger). Prøv igen om 5 sekunder.');
    expect(refused.headers['retry-after']).toBe('5');
    // So is a series (each of its points a KPI computation).
    const series = await get('chef', '/api/v1/kpis/activity.summary/series?by=month&asOf=2024-04-30&from=2024-03-01');
    expect(series.status).toBe(429);

    // Another user of the same municipality is taken meanwhile: its statement waits on the lock too.
    const other = openCases('teamleder', '2024-03-31').then((res) => res);
    await waitingOnTheLock(3);
    await unlockCases();
    const answered = await other;
    expect(answered.status).toBe(200);
    expect(answered.body.kpis).toHaveProperty(['caseload.open_cases']);
    for (const res of await Promise.all(asked)) expect(res.status).toBe(200);

    // Once those are done, the chief is served again.
    expect((await openCases('chef', '2024-01-31')).status).toBe(200);
  }, 60_000);
});
