import type { INestApplication } from '@nestjs/common';
import { tableFromIPC } from 'apache-arrow';
import { join } from 'path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { FIXTURES } from '../support/fixtures';

describe('series and Apache Arrow answers', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const as = (u: string) => ({ Authorization: `Bearer ${tokens[u]}` });

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

  it('gives a KPI per month: D = the month end (or the as-of date), P = the month', async () => {
    const res = await request(app.getHttpServer())
      .get('/api/v1/kpis/activity.notifications/series?by=month&from=2024-01-01')
      .set(as('chef'))
      .expect(200);
    // dubu-chief: N1, N2 (January), N8 (February), N3 (March), N4, N5, N7 (April; N4 29-04, N5 30-04).
    expect(res.body.points).toEqual([
      { period: '2024-01', asOf: '2024-01-31', value: 2 },
      { period: '2024-02', asOf: '2024-02-29', value: 1 },
      { period: '2024-03', asOf: '2024-03-31', value: 1 },
      { period: '2024-04', asOf: '2024-04-30', value: 3 },
    ]);
  });

  it('gives a KPI per year, suppressed for the committee', async () => {
    const res = await request(app.getHttpServer())
      .get('/api/v1/kpis/activity.summary/series?by=year&from=2024-01-01')
      .set(as('udvalg'))
      .expect(200);
    expect(res.body.points[0].value['2024'].placedChildren).toEqual({ suppressed: true });
    await request(app.getHttpServer()).get('/api/v1/kpis/caseload.unassigned/series').set(as('chef')).expect(400);
    await request(app.getHttpServer()).get('/api/v1/kpis/caseload.open_cases/series').set(as('udvalg')).expect(403);
  });

  it('answers a list KPI as an Arrow IPC stream with typed columns', async () => {
    const res = await request(app.getHttpServer())
      .get('/api/v1/kpis?ids=cost.top_cases')
      .set(as('chef'))
      .set('Accept', 'application/vnd.apache.arrow.stream')
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(res.headers['content-type']).toContain('application/vnd.apache.arrow.stream');
    const table = tableFromIPC(res.body as Buffer);
    expect(table.numRows).toBe(6);
    expect(table.getChild('case')!.toArray()).toEqual(['C9', 'C7', 'C1', 'C5', 'C3', 'C2']);
    expect(Array.from(table.getChild('annualisedCost')!.toArray() as Float64Array)).toEqual([
      1_020_000, 780_000, 384_000, 144_000, 127_200, 48_000,
    ]);
    expect(table.getChild('measureTypes')!.get(4)).toBe('Aflastning, Merudgifter');
  });

  it('refuses Arrow for a non-tabular answer', async () => {
    await request(app.getHttpServer())
      .get('/api/v1/kpis?ids=activity.notifications')
      .set(as('chef'))
      .set('Accept', 'application/vnd.apache.arrow.stream')
      .expect(406);
  });
});
