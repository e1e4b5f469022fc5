import type { INestApplication } from '@nestjs/common';
import { join } from 'path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { seedDemoReviews } from '../../scripts/lib/demo-reviews';
import { seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { FIXTURES } from '../support/fixtures';

// The demo's case reviews (issue 16, point 7) on test/fixtures/dubu-deadlines at D = 30-04-2024,
// read back through the API as a new user would: a finished ledelsestilsyn, a learning review in
// progress, and action areas the committee sees.
const D = '2024-04-30';

describe('the demo case reviews', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const get = (user: string, path: string) =>
    request(app.getHttpServer()).get(`/api/v1${path}`).set('Authorization', `Bearer ${tokens[user]}`);

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, join(FIXTURES, 'dubu-deadlines'), { pseudonymSecret: TEST_SECRET, exportDate: D });
    await seedDemoReviews(db.pool, 461, D);
    await seedDemoReviews(db.pool, 461, D);
    await seedUsers(db, 461, 'Team Nord');
    app = await startTestApi(db);
    for (const u of ['udvalg', 'chef']) tokens[u] = await tokenFor(app, u);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('gives a finished ledelsestilsyn and a learning review in progress, once however often it runs', async () => {
    // Newest first: same date, the learning review made last.
    const rounds = (await get('chef', '/reviews').expect(200)).body.reverse();
    expect(rounds.map((r: { title: string }) => r.title)).toEqual([
      'Ledelsestilsyn 2024',
      'Sagsgennemgang: barnets perspektiv i anbringelsessager',
    ]);
    // 2 per caseworker: AA 2 of C1-C4, BB C5, CC C7 and C9.
    const tilsyn = (await get('chef', `/reviews/${rounds[0].id}`).expect(200)).body;
    expect(tilsyn).toMatchObject({ requested: 6, found: 5, sampling: { kind: 'random_per_caseworker', perCaseworker: 2, seed: 2026 } });
    expect(tilsyn.cases.every((c: { status: string }) => c.status === 'faerdig')).toBe(true);
    const c9 = tilsyn.cases.find((c: { case: string }) => c.case === 'C9');
    // The formal answers are the data's (libs/kpi/src/review/formal.spec.ts): one visit, not alone.
    expect(c9.items.find((i: { id: string }) => i.id === 'formal.supervision_visits')).toMatchObject({ answer: 'nej', source: 'data' });
    expect(c9.items.filter((i: { kind: string; answer: string | null }) => i.kind === 'professional' && i.answer !== null)).toHaveLength(6);
    // The learning review: placements open at D not drawn for the tilsyn, chosen with a forklæde.
    const learning = (await get('chef', `/reviews/${rounds[1].id}`).expect(200)).body;
    expect(learning.sampling.kind).toBe('chosen');
    for (const c of learning.cases) expect(c).toMatchObject({ chosen: true, forklaede: expect.stringMatching(/^Valgt fordi/) });
    expect(
      learning.cases.map((c: { case: string }) => c.case).filter((c: string) => tilsyn.cases.some((t: { case: string }) => t.case === c)),
    ).toEqual([]);
  });

  it('shows results and the action areas, also to the committee', async () => {
    const results = (await get('chef', '/reviews/results').expect(200)).body;
    expect(results.reviewedCases).toBeGreaterThanOrEqual(5);
    const areas = (await get('udvalg', '/reviews/actions').expect(200)).body;
    expect(areas.map((a: { title: string; status: string; kpi: string | null }) => [a.title, a.status, a.kpi])).toEqual([
      ['Samtale med barnet før afgørelse', 'i_gang', 'deadline.child_conversation'],
      ['Netværkskort i alle nye sager', 'planlagt', null],
    ]);
  });
});
