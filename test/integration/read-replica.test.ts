import type { INestApplication } from '@nestjs/common';
import { join } from 'path';
import { Pool } from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '@bu/db';
import { importDubu } from '@bu/etl';
import { ReadReplica } from '../../apps/api/src/database/read-replica';
import { runInScope } from '../../apps/api/src/database/request-scope';
import { KpiCache } from '../../apps/api/src/kpi/kpi-cache.service';
import { caughtUp, seedUsers, startTestApi, tokenFor } from '../support/api';
import { TEST_SECRET, type TestDatabase } from '../support/database';
import { copyFixture, editFile, FIXTURES } from '../support/fixtures';
import { startPgCluster, type PgCluster } from '../support/pg-cluster';
import { startStandby, type PgStandby } from '../support/pg-standby';

// Issue 18, point 6 (ADR 0071): the KPI reads go to a streaming-replication standby, but only when
// it has replayed the commit that made the data version an answer is kept under; else to the
// primary. A primary and a standby of this test's own (initdb, pg_basebackup; never the shared
// server), the standby's replay held back 5 s after each commit (recovery_min_apply_delay).

const DELAY_MS = 5000;

describe('KPI answers on a read replica', () => {
  let primary: PgCluster;
  let standby: PgStandby;
  let pool: Pool;
  let standbyPool: Pool;
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const export461 = join(FIXTURES, 'dubu-deadlines');
  const ask = (path: string, as = 'chef') =>
    request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${tokens[as]}`).expect(200);
  const version = async (p: Pool, scope: string) =>
    ((await p.query('SELECT version::text AS v FROM data_version WHERE scope = $1', [scope])).rows[0]?.v as string) ?? '0';
  /** Imports an export of 461 and waits until the API has heard of it; its new version. */
  const imported = async (dir: string) => {
    expect((await importDubu(pool, dir, { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' })).status).toBe('succeeded');
    return caughtUp(app, pool, '461');
  };
  /** 461's export with BB's case C5 handed to CC. */
  const movedExport = () => {
    const moved = copyFixture(export461);
    editFile(moved, 'sagsansvar.csv', (text) => text.replace('C5;BB;', 'C5;CC;'));
    return moved;
  };
  /** Waits (up to 30 s) until the standby has replayed everything the primary has written so far. */
  const replayed = async () => {
    const { rows } = await pool.query('SELECT pg_current_wal_insert_lsn()::text AS lsn');
    for (let i = 0; i < 300; i++) {
      const r = await standbyPool.query('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done', [rows[0].lsn]);
      if (r.rows[0].done) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the standby did not catch up');
  };

  beforeAll(async () => {
    primary = await startPgCluster();
    await migrate(primary.url);
    pool = new Pool({ connectionString: primary.url, max: 4 });
    const options = { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' };
    expect((await importDubu(pool, export461, options)).status).toBe('succeeded');
    // The same export as Copenhagen's (101).
    const copenhagen = copyFixture(export461);
    editFile(copenhagen, 'sager.csv', (text) => text.replace(/;461;/g, ';101;'));
    expect((await importDubu(pool, copenhagen, options)).status).toBe('succeeded');
    const db: TestDatabase = { url: primary.url, pool, drop: async () => undefined };
    await seedUsers(db, 461, 'Team Nord');
    standby = await startStandby(primary, `${DELAY_MS}ms`);
    standbyPool = new Pool({ connectionString: standby.url, max: 2 });
    app = await startTestApi(db, { databaseReplicaUrl: standby.url });
    // No re-warming: each answer here is computed by the request that asks, and counted where it ran.
    app.get(KpiCache).setRewarm(0);
    for (const u of ['chef', 'chef-kbh']) tokens[u] = await tokenFor(app, u);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await standbyPool?.end();
    await pool?.end();
    standby?.destroy();
    primary?.destroy();
  });

  it('serves answers from the standby once it has replayed their data, in the caller municipality only', async () => {
    const replica = app.get(ReadReplica);
    await replayed();
    const before = { replica: replica.onReplica, primary: replica.onPrimary };
    // AA 4, BB 1, CC 2: libs/kpi/src/caseload/open-cases.spec.ts works them out (the same in both municipalities).
    expect((await ask('/api/v1/kpis?ids=caseload.open_cases')).body.kpis['caseload.open_cases']).toEqual({ AA: 4, BB: 1, CC: 2 });
    expect((await ask('/api/v1/kpis?ids=caseload.open_cases', 'chef-kbh')).body.kpis['caseload.open_cases']).toEqual({
      AA: 4,
      BB: 1,
      CC: 2,
    });
    expect({ replica: replica.onReplica - before.replica, primary: replica.onPrimary - before.primary }).toEqual({
      replica: 2,
      primary: 0,
    });

    // Row-level security holds on the standby: its connections run as bu_api in the request's scope.
    const { query, on } = await replica.reader('0/0');
    expect(on).toBe('replica');
    const codes = (scope: string) =>
      runInScope(scope, () => query<{ m: number }>('SELECT DISTINCT municipality_code AS m FROM child_case ORDER BY 1'));
    expect(await codes('461')).toEqual([{ m: 461 }]);
    expect(await codes('101')).toEqual([{ m: 101 }]);
    expect(await codes('')).toEqual([]);
    expect(await codes('*')).toEqual([{ m: 101 }, { m: 461 }]);
  });

  it('computes on the primary until the standby has replayed an import, never caching a stale figure, then on the standby', async () => {
    const route = app.get(ReadReplica);
    expect((await ask('/api/v1/kpis?ids=caseload.open_cases')).body.kpis['caseload.open_cases']).toEqual({ AA: 4, BB: 1, CC: 2 });

    // A new export of 461: BB's case C5 is now CC's.
    const target = await imported(movedExport());
    // The standby has not replayed the import's commit yet.
    expect(await version(standbyPool, '461')).not.toBe(target);

    const before = { replica: route.onReplica, primary: route.onPrimary };
    const fresh = await ask('/api/v1/kpis?ids=caseload.open_cases');
    expect(fresh.headers['x-kpi-cache']).toBe('miss');
    expect(fresh.body.kpis['caseload.open_cases']).toEqual({ AA: 4, CC: 3 });
    expect(route.onPrimary - before.primary).toBe(1);
    // Copenhagen's data did not move: its new question is computed on the standby meanwhile.
    const kbh = await ask('/api/v1/kpis?ids=caseload.unassigned', 'chef-kbh');
    expect(kbh.body.kpis['caseload.unassigned'].rows.map((r: { case: string }) => r.case)).toEqual(['C5', 'C6', 'C8']);
    expect(route.onReplica - before.replica).toBe(1);
    // The answer kept under the new version is the new figure.
    const again = await ask('/api/v1/kpis?ids=caseload.open_cases');
    expect(again.headers['x-kpi-cache']).toBe('hit');
    expect(again.body.kpis['caseload.open_cases']).toEqual({ AA: 4, CC: 3 });

    // Once the standby has replayed the import, 461's reads go there, and see the new export.
    await replayed();
    expect(await version(standbyPool, '461')).toBe(target);
    const after = { replica: route.onReplica, primary: route.onPrimary };
    const unassigned = await ask('/api/v1/kpis?ids=caseload.unassigned');
    // C5 is CC's now: only C6 (its worker's employment ended) and C8 (never assigned) are left.
    expect(unassigned.body.kpis['caseload.unassigned'].rows.map((r: { case: string }) => r.case)).toEqual(['C6', 'C8']);
    expect({ replica: route.onReplica - after.replica, primary: route.onPrimary - after.primary }).toEqual({ replica: 1, primary: 0 });
  });

  it('re-warms after an import on the primary while the standby lags: the answer kept is the new figure', async () => {
    const cache = app.get(KpiCache);
    const route = app.get(ReadReplica);
    const path = '/api/v1/kpis?ids=caseload.open_cases';
    expect((await ask(path)).body.kpis['caseload.open_cases']).toEqual({ AA: 4, CC: 3 });
    cache.setRewarm(50);
    try {
      // Asked once more with re-warming on, so it is among the answers computed again after a change.
      expect((await ask(path)).headers['x-kpi-cache']).toBe('hit');
      await cache.warming;
      const before = { rewarmed: cache.rewarmed['461'] ?? 0, primary: route.onPrimary, replica: route.onReplica };
      // The first export again: C5 is BB's once more.
      const target = await imported(export461);
      await cache.warming;
      // Computed again before anyone asked, on the primary: the standby has not replayed the import.
      expect(cache.rewarmed['461']).toBe(before.rewarmed + 1);
      expect(await version(standbyPool, '461')).not.toBe(target);
      expect(route.onPrimary).toBeGreaterThan(before.primary);
      expect(route.onReplica).toBe(before.replica);
      const warm = await ask(path);
      expect(warm.headers['x-kpi-cache']).toBe('hit');
      expect(warm.body.kpis['caseload.open_cases']).toEqual({ AA: 4, BB: 1, CC: 2 });
    } finally {
      cache.setRewarm(0);
      // The moved export back in force for the next test.
      await imported(movedExport());
    }
  });

  it('sends the reads to the primary while the standby is down', async () => {
    const route = app.get(ReadReplica);
    await standbyPool.end();
    standbyPool = undefined as never;
    standby.stop();
    const before = { replica: route.onReplica, primary: route.onPrimary };
    // A new question for 461 (the replica was known to be far enough: its connection fails, the primary answers).
    const res = await ask('/api/v1/kpis?ids=caseload.open_cases&asOf=2024-03-31');
    expect(res.headers['x-kpi-cache']).toBe('miss');
    // At D = 31.03.2024 (the new export): AA has C1, C2, C3, C4 and C6 (its assignment ends on D)
    // = 5; CC has C5, C7 and C9 = 3; BB, still employed on D, none.
    expect(res.body.kpis['caseload.open_cases']).toEqual({ AA: 5, BB: 0, CC: 3 });
    const next = await ask('/api/v1/kpis?ids=caseload.open_cases&asOf=2024-02-29');
    expect(next.status).toBe(200);
    expect(route.onPrimary - before.primary).toBeGreaterThanOrEqual(1);
  });
});
