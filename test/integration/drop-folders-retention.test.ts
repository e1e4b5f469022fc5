import { chmodSync, mkdirSync, mkdtempSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { etlQueue, pullDropFolders, purgeExpired, startEtlWorker } from '@bu/etl';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { copyFixture, DUBU_SMALL } from '../support/fixtures';
import { until } from '../support/wait';
import { delivery, ls, settled } from '../support/drop-folders';

// Raw deliveries hold full CPR numbers: once imported their files are deleted (the database holds
// what they said, pseudonymised); a failed or refused one is kept for diagnosis, private to the
// worker (0700 folders, 0600 files), until the product-wide retention.upload_days has passed, and
// so is one left in processing/ that no job waits for.

const DAY = 86_400_000;
const mode = (path: string) => statSync(path).mode & 0o777;
const FILES = ['.done', 'medarbejdere.csv', 'sager.csv', 'sagsansvar.csv'];
/** A delivery as its account wrote it: readable by everyone. */
const delivered = () => {
  const dir = copyFixture(DUBU_SMALL);
  writeFileSync(join(dir, '.done'), '');
  for (const name of ls(dir)) chmodSync(join(dir, name), 0o644);
  return dir;
};
const age = (path: string, ms: number) => {
  const t = new Date(Date.now() - ms);
  utimesSync(path, t, t);
};

describe('drop folders: deliveries are private, deleted once imported, and purged after their time', () => {
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

  const addFolder = async (path: string, municipality = 461) =>
    (
      await db.pool.query(`INSERT INTO drop_folder (municipality_code, source, path) VALUES ($1, 'dubu', $2) RETURNING id`, [
        municipality,
        path,
      ])
    ).rows[0].id;
  const cleanUp = async () => {
    await queue.obliterate({ force: true });
    await db.pool.query(`DELETE FROM drop_folder`);
    await db.pool.query(`DELETE FROM setting WHERE key = 'retention.upload_days'`);
  };
  afterEach(cleanUp);

  it('takes a delivery into 0700 folders with 0600 files; imported, its files are deleted and processed/ keeps an empty receipt', async () => {
    const dir = delivered();
    await addFolder(dir);
    expect(await pullDropFolders(db.pool, queue)).toEqual({ [dir]: 'queued' });
    const taken = delivery(dir, 'processing');
    expect(mode(join(dir, 'processing'))).toBe(0o700);
    expect(mode(taken)).toBe(0o700);
    expect(ls(taken)).toEqual(FILES);
    for (const name of FILES) expect(mode(join(taken, name))).toBe(0o600);
    const worker = startEtlWorker({ databaseUrl: db.url }, db.pool, TEST_SECRET);
    try {
      // processed/ is made before the delivery is moved into it: wait for the receipt itself.
      await until(() => settled(dir, 'processed'), 'the delivery to be settled');
      expect((await db.pool.query(`SELECT count(*)::int AS n FROM child_case WHERE municipality_code = 461`)).rows[0].n).toBe(11);
      expect(ls(join(dir, 'processing'))).toEqual([]);
      const receipt = delivery(dir, 'processed');
      expect(ls(receipt)).toEqual([]);
      expect(mode(join(dir, 'processed'))).toBe(0o700);
      expect(mode(receipt)).toBe(0o700);
    } finally {
      await worker.close();
    }
  });

  it('keeps a failed delivery private in failed/, and purges it (and a receipt) once retention.upload_days has passed', async () => {
    const wrong = delivered();
    await addFolder(wrong, 751); // the export is 461's: the import fails as a whole
    expect(await pullDropFolders(db.pool, queue)).toEqual({ [wrong]: 'queued' });
    const worker = startEtlWorker({ databaseUrl: db.url }, db.pool, TEST_SECRET);
    try {
      await until(() => settled(wrong, 'failed'), 'the failed delivery to be moved to failed/');
    } finally {
      await worker.close();
    }
    const failed = delivery(wrong, 'failed');
    expect(ls(failed)).toEqual(FILES);
    expect(mode(join(wrong, 'failed'))).toBe(0o700);
    expect(mode(failed)).toBe(0o700);
    for (const name of FILES) expect(mode(join(failed, name))).toBe(0o600);
    // A receipt beside it, in another municipality's folder.
    const good = mkdtempSync(join(tmpdir(), 'bu-drop-'));
    mkdirSync(join(good, 'processed', 'receipt'), { recursive: true });
    await addFolder(good, 461);

    await db.pool.query(`INSERT INTO setting (municipality_code, key, value) VALUES (0, 'retention.upload_days', '2')`);
    // Its time counts from when it failed: within two days it stays.
    expect(await purgeExpired(db.pool, { now: new Date(Date.now() + 1.5 * DAY), queue })).toEqual({});
    expect(ls(failed)).toEqual(FILES);
    const summary = await purgeExpired(db.pool, { now: new Date(Date.now() + 2.5 * DAY), queue });
    expect(summary['751']).toMatchObject({ deliveries: 1 });
    expect(summary['461']).toMatchObject({ deliveries: 1 });
    expect(ls(join(wrong, 'failed'))).toEqual([]);
    expect(ls(join(good, 'processed'))).toEqual([]);
    const { rows } = await db.pool.query(
      `SELECT municipality_code AS m, removed->'deliveries' AS n FROM import_run WHERE source = 'purge' AND municipality_code = 751`,
    );
    expect(rows).toEqual([{ m: 751, n: 1 }]);
  });

  it('purges a delivery left in processing/ that no job waits for, after its time; one a job waits for stays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bu-drop-'));
    await addFolder(dir);
    const orphan = join(dir, 'processing', 'cancelled');
    const waiting = join(dir, 'processing', 'waiting');
    const fresh = join(dir, 'processing', 'just-taken');
    // The hidden folder a job's files are still being moved into (a slow move) is that job's too.
    const moving = join(dir, 'processing', '.waiting.partial');
    for (const d of [orphan, waiting, fresh, moving]) {
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, 'sager.csv'), 'CPR\n0102031234\n');
    }
    age(orphan, 2 * 3_600_000);
    age(waiting, 2 * 3_600_000);
    age(moving, 2 * 3_600_000);
    age(fresh, 10 * 60_000);
    await queue.add('import', { source: 'dubu', dir: waiting, municipality: 461, requestedBy: 'drop-folder:1', delivery: true });
    // Without the queue nobody can say which a job waits for: processing/ is left alone.
    expect(await purgeExpired(db.pool, { now: new Date() })).toEqual({});
    expect(ls(join(dir, 'processing'))).toEqual(['.waiting.partial', 'cancelled', 'just-taken', 'waiting']);
    // retention.upload_days is 0 (the default): gone at the next purge, after an hour's grace.
    expect(await purgeExpired(db.pool, { now: new Date(), queue })).toEqual({
      '461': expect.objectContaining({ deliveries: 1 }),
    });
    expect(ls(join(dir, 'processing'))).toEqual(['.waiting.partial', 'just-taken', 'waiting']);
  });

  it('moves a refused delivery into a 0700 folder, never changing the mode of what a link points at', async () => {
    const outside = join(mkdtempSync(join(tmpdir(), 'bu-outside-')), 'secret.csv');
    writeFileSync(outside, 'not for the import\n', { mode: 0o644 });
    chmodSync(outside, 0o644);
    const dir = delivered();
    unlinkSync(join(dir, 'sager.csv'));
    symlinkSync(outside, join(dir, 'sager.csv'));
    await addFolder(dir);
    expect(await pullDropFolders(db.pool, queue)).toEqual({ [dir]: 'refused' });
    const failed = delivery(dir, 'failed');
    expect(mode(join(dir, 'failed'))).toBe(0o700);
    expect(mode(failed)).toBe(0o700);
    expect(mode(join(failed, 'medarbejdere.csv'))).toBe(0o600);
    expect(mode(outside)).toBe(0o644);
  });
});
