import { writeFileSync } from 'fs';
import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etlQueue, pullDropFolders, scheduleDropFolderPull, startEtlWorker } from '@bu/etl';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { copyFixture, DUBU_SMALL, editFile } from '../support/fixtures';

describe('drop folders: a scheduled pull imports a new, complete export once', () => {
  let db: TestDatabase;
  let queue: ReturnType<typeof etlQueue>;
  beforeAll(async () => {
    db = await createTestDatabase();
    queue = etlQueue({ databaseUrl: db.url });
  });
  afterAll(async () => {
    await queue?.close();
    await db?.drop();
  });

  const addFolder = async (path: string) =>
    (await db.pool.query(`INSERT INTO drop_folder (municipality_code, source, path) VALUES (461, 'dubu', $1) RETURNING id`, [path])).rows[0].id;

  it('waits for the same checksum twice, queues once, and waits again for a changed delivery', async () => {
    const dir = copyFixture(DUBU_SMALL);
    const id = await addFolder(dir);
    expect(await pullDropFolders(db.pool, queue)).toEqual({ [dir]: 'incomplete' });
    expect(await pullDropFolders(db.pool, queue)).toEqual({ [dir]: 'queued' });
    expect(await pullDropFolders(db.pool, queue)).toEqual({ [dir]: 'unchanged' });
    const jobs = await queue.getJobs(['waiting']);
    expect(jobs.map((j) => j.data)).toEqual([{ source: 'dubu', dir, municipality: 461, requestedBy: `drop-folder:${id}` }]);
    // A new delivery is being written: not complete until it is the same on the next check.
    editFile(dir, 'sager.csv', (t) => t + 'S14;131117-4135;461;Udsatte;01-02-2024;\n');
    expect(await pullDropFolders(db.pool, queue)).toEqual({ [dir]: 'incomplete' });
    expect(await pullDropFolders(db.pool, queue)).toEqual({ [dir]: 'queued' });
    await queue.obliterate({ force: true });
    await db.pool.query('DELETE FROM drop_folder');
  });

  it('takes a .done marker as complete at once', async () => {
    const dir = copyFixture(DUBU_SMALL);
    writeFileSync(join(dir, '.done'), '');
    await addFolder(dir);
    expect(await pullDropFolders(db.pool, queue)).toEqual({ [dir]: 'queued' });
    await queue.obliterate({ force: true });
    await db.pool.query('DELETE FROM drop_folder');
  });

  it('records a folder that cannot be read as a failed import', async () => {
    await addFolder('/no/such/folder');
    expect(await pullDropFolders(db.pool, queue)).toEqual({ '/no/such/folder': 'error' });
    const { rows } = await db.pool.query(`SELECT status, source, error FROM import_run ORDER BY id DESC LIMIT 1`);
    expect(rows[0]).toEqual({ status: 'failed', source: 'dubu', error: 'Hentning fra /no/such/folder fejlede: Mappen /no/such/folder findes ikke.' });
    const { rows: folder } = await db.pool.query(`SELECT last_error FROM drop_folder`);
    expect(folder[0].last_error).toMatch(/findes ikke/);
    await db.pool.query('DELETE FROM drop_folder');
  });

  it('runs on the BullMQ job scheduler with the worker: the delivery lands in the database', async () => {
    const dir = copyFixture(DUBU_SMALL);
    writeFileSync(join(dir, '.done'), '');
    await addFolder(dir);
    const worker = startEtlWorker({ databaseUrl: db.url }, db.pool, TEST_SECRET);
    try {
      await scheduleDropFolderPull(queue, 300);
      let cases = 0;
      for (let i = 0; i < 100 && cases === 0; i++) {
        await new Promise((r) => setTimeout(r, 200));
        cases = (await db.pool.query(`SELECT count(*)::int AS n FROM child_case`)).rows[0].n;
      }
      expect(cases).toBe(11);
      const { rows } = await db.pool.query(`SELECT status, requested_by FROM import_run WHERE status = 'succeeded'`);
      expect(rows).toEqual([{ status: 'succeeded', requested_by: expect.stringMatching(/^drop-folder:\d+$/) }]);
    } finally {
      await queue.removeJobScheduler('pull-drop-folders');
      await worker.close();
    }
  });
});
