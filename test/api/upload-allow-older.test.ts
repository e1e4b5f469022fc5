import type { INestApplication } from '@nestjs/common';
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtlWorker } from '@bu/etl';
import { seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { DUBU_SMALL } from '../support/fixtures';
import { zipFolder } from '../support/upload-zips';

// An uploaded export older than the loaded one fails its job (F010) unless the form says allowOlder=true.
describe('uploading an older export (allowOlder)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let worker: ReturnType<typeof startEtlWorker>;
  let admin = '';
  const http = () => request(app.getHttpServer());
  const upload = (exportDate: string, allowOlder?: string) => {
    const req = http()
      .post('/api/v1/imports')
      .set('Authorization', `Bearer ${admin}`)
      .field('source', 'dubu')
      .field('exportDate', exportDate);
    return (allowOlder === undefined ? req : req.field('allowOlder', allowOlder)).attach('file', zipFolder(DUBU_SMALL), 'udtraek.zip');
  };
  async function waitForJob(id: string) {
    for (let i = 0; i < 300; i++) {
      const res = await http().get(`/api/v1/imports/jobs/${id}`).set('Authorization', `Bearer ${admin}`).expect(200);
      if (res.body.state === 'completed' || res.body.state === 'failed') return res.body;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('job did not finish');
  }
  const loadedDate = async () =>
    (
      await db.pool.query(
        `SELECT to_char(export_date, 'YYYY-MM-DD') AS d FROM source_snapshot WHERE municipality_code = 461 AND source = 'dubu'`,
      )
    ).rows[0]?.d;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedUsers(db, 461, 'Team Syd');
    app = await startTestApi(db, { uploadDir: join(mkdtempSync(join(tmpdir(), 'bu-older-')), 'uploads') });
    worker = startEtlWorker({ databaseUrl: db.url }, db.pool, TEST_SECRET);
    admin = await tokenFor(app, 'admin');
  });
  afterAll(async () => {
    await worker?.close();
    await app?.close();
    await db?.drop();
  });

  it('fails the older upload with both dates, loads it with allowOlder=true, and refuses another value', async () => {
    expect((await waitForJob((await upload('2024-02-29').expect(201)).body.jobId)).state).toBe('completed');
    const refused = await waitForJob((await upload('2024-01-31').expect(201)).body.jobId);
    expect(refused).toMatchObject({ state: 'failed', attempts: 1 });
    expect(refused.failedReason).toMatch(/Udtrækket er fra 31\.01\.2024.*nyere udtræk.*\(29\.02\.2024\)/);
    expect(await loadedDate()).toBe('2024-02-29');
    const forced = await waitForJob((await upload('2024-01-31', 'true').expect(201)).body.jobId);
    expect(forced.state).toBe('completed');
    expect(await loadedDate()).toBe('2024-01-31');
    const bad = await upload('2024-01-31', 'ja').expect(400);
    expect(bad.body.message).toBe('allowOlder skal være true eller false');
  });
});
