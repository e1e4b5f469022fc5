import { UnrecoverableError } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeExpired, type EtlJobData } from '@bu/etl';
import { createQueue, createWorker, type Queue } from '@bu/queue';
import { createTestDatabase, TestDatabase } from '../support/database';

// A failed job has no return value to say its municipality: a municipality administrator's upload
// that named none is still that municipality's (allowedMunicipality, as the API scopes jobs), so
// it goes by that municipality's retention.job_results_days, not the product-wide one.

const DAY = 86_400_000;
const NOW = new Date(Date.now() + 3 * DAY);

describe('the retention purge of failed jobs', () => {
  let db: TestDatabase;
  let queue: Queue<EtlJobData>;
  beforeAll(async () => {
    db = await createTestDatabase();
    queue = createQueue<EtlJobData>({ databaseUrl: db.url }, 'retention-failed-test');
  });
  afterAll(async () => {
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    await db?.drop();
  });

  it("removes a municipality administrator's failed upload without an explicit municipality by its municipality's setting", async () => {
    // Odense (461) keeps job results 2 days; København (101) and the product keep the default 7.
    await db.pool.query(`INSERT INTO setting (municipality_code, key, value) VALUES (461, 'retention.job_results_days', '2')`);
    const upload = (by: string, municipality: number) => ({
      source: 'dubu' as const,
      dir: `/uploads/${by}.zip.d`,
      zip: `/uploads/${by}.zip`,
      requestedBy: by,
      allowedMunicipality: municipality,
    });
    const odense = await queue.add('import', upload('admin-461', 461), { attempts: 1 });
    const kbh = await queue.add('import', upload('admin-101', 101), { attempts: 1 });
    const worker = createWorker({ databaseUrl: db.url }, 'retention-failed-test', async () => {
      throw new UnrecoverableError('Filen er ikke en gyldig zip-fil.');
    });
    try {
      for (let i = 0; i < 100 && (await queue.getJobCounts('failed')).failed < 2; i++) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await worker.close();
    }
    expect((await queue.getJob(odense.id!))!.returnvalue ?? null).toBeNull();

    // Three days on: past Odense's 2 days, within the product-wide 7.
    const summary = await purgeExpired(db.pool, { now: NOW, queue });
    expect(summary).toEqual({ '461': expect.objectContaining({ jobs: 1 }) });
    expect(await queue.getJob(odense.id!)).toBeUndefined();
    expect(await queue.getJob(kbh.id!)).toBeDefined();
  });
});
