import type { INestApplication } from '@nestjs/common';
import { join } from 'path';
import type { Pool } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { importDubu } from '@bu/etl';
import { seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { FIXTURES } from '../support/fixtures';

// The most KPI slots a process may have (ADR 0099: the default follows the cores), so that the pool's
// bound is what is shown below.
vi.hoisted(() => {
  process.env.KPI_SLOTS = '8';
});

// Issue 13, item 3: a statement that runs too long is cancelled by PostgreSQL (the API's
// statement timeout) and answered 503 in Danish, its connection goes back to the pool; a series
// longer than the cap is refused, not cut short.
describe('statement timeout and series cap', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let token = '';
  const pool = () => (app.get(DataSource).driver as unknown as { master: Pool }).master;

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, join(FIXTURES, 'dubu-chief'), { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' });
    await seedUsers(db, 461, 'Team Nord');
    app = await startTestApi(db, { statementTimeoutMs: 1500 }, { versionsFromListener: true });
    token = await tokenFor(app, 'chef');
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('cancels a statement over the timeout with 503, and the pool serves the next request', async () => {
    const { rows } = await db.pool.query(`SELECT setting FROM pg_settings WHERE name = 'statement_timeout'`);
    expect(rows[0].setting).toBe('0'); // the owner's own connections are not limited ...
    const api = await pool().connect();
    try {
      // ... the API's are, from the first statement of each connection.
      expect((await api.query('SHOW statement_timeout')).rows[0].statement_timeout).toBe('1500ms');
    } finally {
      api.release();
    }
    // The KPI's table is held by another transaction: the API's statement waits on it until cancelled.
    const holder = await db.pool.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE child_case IN ACCESS EXCLUSIVE MODE');
    try {
      const started = Date.now();
      const res = await request(app.getHttpServer())
        .get('/api/v1/kpis?ids=caseload.open_cases&asOf=2024-04-30')
        .set('Authorization', `Bearer ${token}`);
      const took = Date.now() - started;
      expect(res.status).toBe(503);
      expect(res.body.message).toBe('Forespørgslen tog for lang tid og blev afbrudt. Prøv igen, eller afgræns den.');
      expect(res.headers['retry-after']).toBe('5');
      expect(took).toBeGreaterThanOrEqual(1400);
      expect(took).toBeLessThan(15_000);
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    // Every connection the timed-out request used is back in the pool, idle and usable.
    expect(pool().totalCount).toBeGreaterThan(0);
    expect(pool().idleCount).toBe(pool().totalCount);
    expect(pool().waitingCount).toBe(0);
    const res = await request(app.getHttpServer())
      .get('/api/v1/kpis?ids=caseload.open_cases&asOf=2024-04-30')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(res.body.kpis['caseload.open_cases']).toBeTruthy();
    expect(pool().idleCount).toBe(pool().totalCount);
  }, 60_000);

  it('gives 503 after the connection timeout when every connection of the pool is busy, and serves again after', async () => {
    // Its own API: statements may wait long (20 s), a free connection only 1 s.
    const busy = await startTestApi(db, { statementTimeoutMs: 20_000, dbConnectTimeoutMs: 1000 }, { versionsFromListener: true });
    const server = busy.getHttpServer();
    const pool = () => (busy.get(DataSource).driver as unknown as { master: Pool }).master;
    const auth = { Authorization: `Bearer ${token}` };
    await request(server).get('/api/v1/kpis?ids=caseload.open_cases&asOf=2024-03-01').set(auth).expect(200);
    // Every connection of the pool taken (the KPIs alone never take them all, ADR 0075: see below).
    const held = await Promise.all(Array.from({ length: 10 }, () => pool().connect()));
    try {
      const started = Date.now();
      const res = await request(server).get('/api/v1/kpis?ids=caseload.open_cases&asOf=2024-04-01').set(auth);
      expect(res.status).toBe(503);
      expect(res.body.message).toBe('Databasen svarer ikke lige nu. Prøv igen om lidt.');
      // Refused after the connection timeout (1 s), not later.
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      for (const c of held) c.release();
    }
    await request(server).get('/api/v1/kpis?ids=caseload.open_cases&asOf=2024-04-02').set(auth).expect(200);

    // KPIs that wait on a lock hold at most the pool's size less two connections (the process's KPI
    // slots, at their most); more wait for a slot, not for a connection, so none gets the connection
    // timeout's 503.
    const holder = await db.pool.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE child_case IN ACCESS EXCLUSIVE MODE');
    let blocked: Promise<request.Response>[] = [];
    try {
      blocked = Array.from({ length: 12 }, (_, i) =>
        request(server)
          .get(`/api/v1/kpis?ids=caseload.open_cases&asOf=2024-03-${String(i + 10)}`)
          .set(auth)
          .then((r) => r),
      );
      for (let i = 0; ; i++) {
        const { rows } = await db.pool.query(
          `SELECT count(*)::int AS n FROM pg_locks WHERE relation = 'child_case'::regclass AND NOT granted`,
        );
        if (rows[0].n >= 8) break;
        if (i > 400) throw new Error(`the KPIs never waited on the lock: ${rows[0].n}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      // Past the connection timeout: still waiting, and two connections left for everything else.
      await new Promise((r) => setTimeout(r, 1500));
      const { rows } = await db.pool.query(
        `SELECT count(*)::int AS n FROM pg_locks WHERE relation = 'child_case'::regclass AND NOT granted`,
      );
      expect(rows[0].n).toBe(8);
      expect(pool().totalCount - pool().idleCount).toBeLessThanOrEqual(8);
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    // Once the lock goes every one is answered, and the connections are back.
    for (const r of await Promise.all(blocked)) expect(r.status).toBe(200);
    expect(pool().idleCount).toBe(pool().totalCount);
    await busy.close();
  }, 60_000);

  it('refuses a series of more than 240 points with 400 in Danish, and answers 240', async () => {
    const over = await request(app.getHttpServer())
      .get('/api/v1/kpis/activity.notifications/series?by=month&from=2004-04-01&asOf=2024-04-30')
      .set('Authorization', `Bearer ${token}`);
    expect(over.status).toBe(400);
    expect(over.body.message).toBe('En serie kan højst have 240 punkter; denne ville have 241. Vælg en senere fra-dato eller by=year.');
    // A yearly series cannot reach 240 points: its dates lie from 2000-01-01 (test/api/input-limits.test.ts).
    const years = await request(app.getHttpServer())
      .get('/api/v1/kpis/activity.notifications/series?by=year&from=1999-01-01&asOf=2024-04-30')
      .set('Authorization', `Bearer ${token}`);
    expect(years.status).toBe(400);
    expect(years.body.message).toMatch(/^from skal ligge fra 2000-01-01 til \d{4}-\d{2}-\d{2}: 1999-01-01$/);
    const full = await request(app.getHttpServer())
      .get('/api/v1/kpis/activity.notifications/series?by=month&from=2004-05-01&asOf=2024-04-30')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(full.body.points).toHaveLength(240);
    expect(full.body.points[0].period).toBe('2004-05');
    expect(full.body.points[239]).toEqual({ period: '2024-04', asOf: '2024-04-30', value: 3 });
  }, 120_000);
});
