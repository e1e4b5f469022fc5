import type { INestApplication } from '@nestjs/common';
import { join } from 'path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importStatistics } from '@bu/etl';
import { statisticalNeighbours } from '@bu/kpi';
import { seedUsers, startTestApi, tokenFor } from '../../../../test/support/api';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../../../../test/support/database';
import { FIXTURES } from '../../../../test/support/fixtures';

// test/fixtures/statistics-benchmark, 2024 (Odense's latest population year). Features: log10 of the
// children aged 0-17 (Odense, Aalborg 40,000; Aarhus 60,000; Vejle, Esbjerg 25,000) and notifications
// per child (Odense 0.110, Aarhus 0.080, Aalborg 0.150, Esbjerg 0.100; Vejle ".."), each z-scored.
const log = Math.log10;
const sizes = [log(40_000), log(60_000), log(40_000), log(25_000), log(25_000)];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
const zSize = (x: number) => (x - mean(sizes)) / sd(sizes);
const notes = [0.11, 0.08, 0.15, 0.1];
const zNote = (x: number) => (x - mean(notes)) / sd(notes);
const dist = (size: number, note: number) => Math.sqrt(((zSize(log(40_000)) - zSize(size)) ** 2 + (zNote(0.11) - zNote(note)) ** 2) / 2);
describe('statistical neighbours and saved comparison groups', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let token: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    await importStatistics(db.pool, join(FIXTURES, 'statistics-benchmark'), { pseudonymSecret: TEST_SECRET });
    await seedUsers(db, 461, 'Team Nord');
    app = await startTestApi(db);
    token = await tokenFor(app, 'chef');
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('orders by the root mean square of z-score differences; one shared indicator is not enough (Vejle)', async () => {
    const result = await statisticalNeighbours(async (sql, params) => (await db.pool.query(sql, params)).rows, 461);
    // Esbjerg ≈ 1.041, Aalborg ≈ 1.109, Aarhus ≈ 1.200.
    expect(result.map((n) => n.code)).toEqual([561, 851, 751]);
    expect(result[0].distance).toBeCloseTo(dist(log(25_000), 0.1), 10);
    expect(result[1].distance).toBeCloseTo(dist(log(40_000), 0.15), 10);
    expect(result[2].distance).toBeCloseTo(dist(log(60_000), 0.08), 10);
    expect(result.every((n) => n.indicators === 2)).toBe(true);
  });

  it('suggests the group over HTTP, saves it, and benchmarks against it by id', async () => {
    const auth = { Authorization: `Bearer ${token}` };
    const suggested = await request(app.getHttpServer()).get('/api/v1/comparison-groups/suggested?size=2').set(auth).expect(200);
    expect(suggested.body.map((n: { name: string }) => n.name)).toEqual(['Esbjerg', 'Aalborg']);
    const saved = await request(app.getHttpServer())
      .post('/api/v1/comparison-groups')
      .set(auth)
      .send({ name: 'Naboer', members: [561, 851] })
      .expect(201);
    expect((await request(app.getHttpServer()).get('/api/v1/comparison-groups').set(auth).expect(200)).body).toEqual([
      { id: saved.body.id, name: 'Naboer', members: [561, 851] },
    ]);
    const res = await request(app.getHttpServer())
      .get(`/api/v1/kpis?ids=benchmark.activity.notifications_per_1000&groupId=${saved.body.id}&asOf=2024-12-31`)
      .set(auth)
      .expect(200);
    // Odense 110, Esbjerg 100, Aalborg 150 → median 110, rank 2.
    expect(res.body.kpis['benchmark.activity.notifications_per_1000']).toMatchObject({
      group: { '461': 110, '561': 100, '851': 150 },
      median: 110,
      rank: 2,
    });
    await request(app.getHttpServer())
      .get('/api/v1/kpis?ids=benchmark.activity.notifications_per_1000&groupId=9999&asOf=2024-12-31')
      .set(auth)
      .expect(400);
  });
});
