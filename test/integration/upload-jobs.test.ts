import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePrivateDir, etlQueue, startEtlWorker, unpackDirFor, unpackUploadZip, type EtlJobData } from '@bu/etl';
import type { Job } from '@bu/queue';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { copyFixture, DUBU_SMALL, DUBU_SMALL_D } from '../support/fixtures';
import { badZips, lyingBomb, zipFolder } from '../support/upload-zips';

const mode = (path: string) => statSync(path).mode & 0o777;

// The worker's side of an upload: it unpacks the zip itself as a stream with every check the API
// makes (a job may reach the queue another way), plus the bytes it actually inflates.
describe('upload jobs: the worker unpacks, checks and deletes the raw export', () => {
  let db: TestDatabase;
  let worker: ReturnType<typeof startEtlWorker>;
  let queue: ReturnType<typeof etlQueue>;
  let uploadDir: string;
  const config = () => ({ databaseUrl: db.url });
  let n = 0;
  const place = (zip: Buffer) => {
    const path = join(uploadDir, `upload-${++n}.zip`);
    writeFileSync(path, zip, { mode: 0o600 });
    return path;
  };
  const uploadJob = (zip: string, opts = {}) =>
    queue.add('import', { source: 'dubu', dir: unpackDirFor(zip), zip, exportDate: DUBU_SMALL_D, requestedBy: 'test' }, opts);
  async function finished(job: Job<EtlJobData>) {
    for (let i = 0; i < 300; i++) {
      const state = await queue.getJobState(job.id!);
      if (state === 'completed' || state === 'failed') return { state, job: (await queue.getJob(job.id!))! };
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('job did not finish');
  }
  const count = async (sql: string) => (await db.pool.query(sql)).rows[0].n as number;

  beforeAll(async () => {
    db = await createTestDatabase();
    uploadDir = join(mkdtempSync(join(tmpdir(), 'bu-upload-jobs-')), 'uploads');
    ensurePrivateDir(uploadDir);
    queue = etlQueue(config());
    worker = startEtlWorker(config(), db.pool, TEST_SECRET);
  });
  afterAll(async () => {
    await worker?.close();
    await queue?.close();
    await db?.drop();
  });

  it('unpacks export files flattened into a private folder (0700) as private files (0600)', async () => {
    const zip = place(zipFolder(DUBU_SMALL, { 'udtraek/laes-mig.pdf': new Uint8Array(10), 'udtraek/indre.zip': zipFolder(DUBU_SMALL) }));
    const target = join(uploadDir, 'unpacked');
    expect(await unpackUploadZip(zip, target)).toEqual(['medarbejdere.csv', 'sager.csv', 'sagsansvar.csv']);
    // Anything but .csv and .txt, a nested zip too, is never unpacked.
    expect(readdirSync(target).sort()).toEqual(['medarbejdere.csv', 'sager.csv', 'sagsansvar.csv']);
    expect(mode(target)).toBe(0o700);
    for (const f of readdirSync(target)) expect(mode(join(target, f))).toBe(0o600);
    rmSync(target, { recursive: true });
    rmSync(zip);
  });

  it('retries an upload the machine could not unpack, and says so in the import log after the last attempt', async () => {
    const zip = place(zipFolder(DUBU_SMALL));
    // The folder to unpack into cannot be made (as with a full disk): the machine's fault, not the zip's.
    const job = await queue.add(
      'import',
      { source: 'dubu', dir: join(uploadDir, 'no-such-folder', 'x.d'), zip, exportDate: DUBU_SMALL_D, requestedBy: 'test' },
      { attempts: 2, backoff: { type: 'fixed', delay: 100 } },
    );
    const { state, job: done } = await finished(job);
    expect(state).toBe('failed');
    expect(done.attemptsMade).toBe(2);
    const { rows } = await db.pool.query(`SELECT status, error FROM import_run WHERE job_id = $1`, [job.id]);
    expect(rows).toEqual([{ status: 'failed', error: expect.stringMatching(/^Serveren kunne ikke pakke uploaden ud \(ENOENT/) }]);
    expect(rows[0].error).not.toContain('ikke en gyldig zip-fil');
    expect(existsSync(zip)).toBe(false);
  });

  it('imports an upload and then deletes the zip and the unpacked folder', async () => {
    const zip = place(zipFolder(DUBU_SMALL));
    const { state, job } = await finished(await uploadJob(zip));
    expect(state).toBe('completed');
    expect(job.returnvalue.loaded).toMatchObject({ cases: 11 });
    expect(existsSync(zip)).toBe(false);
    expect(existsSync(unpackDirFor(zip))).toBe(false);
  });

  const refused = [
    ...badZips(DUBU_SMALL),
    {
      name: 'a bomb its headers hide (sizes say 1000 bytes, it inflates to 20 MB)',
      zip: lyingBomb(DUBU_SMALL),
      message: 'Zip-filen afvises: en fil fylder ikke det, zip-filen angiver (beskadiget eller manipuleret).',
    },
  ];
  for (const bad of refused) {
    it(`fails the job for ${bad.name} at once, in Danish, loading nothing and deleting everything`, async () => {
      await db.pool.query(`TRUNCATE import_run CASCADE`);
      const before = await count(`SELECT count(*)::int AS n FROM child_case`);
      const zip = place(bad.zip);
      const { state, job } = await finished(await uploadJob(zip));
      expect(state).toBe('failed');
      expect(job.attemptsMade).toBe(1);
      expect(job.failedReason).toContain(bad.message);
      // In the import log as a failed import; nothing of the export loaded.
      const runs = await db.pool.query(`SELECT status, error FROM import_run`);
      expect(runs.rows).toHaveLength(1);
      expect(runs.rows[0].status).toBe('failed');
      expect(runs.rows[0].error).toContain(bad.message);
      expect(await count(`SELECT count(*)::int AS n FROM child_case`)).toBe(before);
      expect(readdirSync(uploadDir)).toEqual([]);
    });
  }

  it('keeps the zip for a retry and deletes it after the last attempt; the unpacked folder goes after each', async () => {
    await worker.pause();
    // A failure worth retrying, once the import has begun: the database refuses the run's row. (A
    // database out of reach before it begins makes the job wait instead: import-database-down.test.ts.)
    await db.pool.query(
      `CREATE FUNCTION refuse_run() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'run refused by the test'; END $$`,
    );
    await db.pool.query(`CREATE TRIGGER refuse_run BEFORE INSERT ON import_run FOR EACH ROW EXECUTE FUNCTION refuse_run()`);
    const failing = startEtlWorker(config(), db.pool, TEST_SECRET);
    const seen: { attemptsMade: number; zip: boolean; unpacked: boolean }[] = [];
    const zip = place(zipFolder(DUBU_SMALL));
    failing.on('failed', (job) =>
      seen.push({ attemptsMade: job!.attemptsMade, zip: existsSync(zip), unpacked: existsSync(unpackDirFor(zip)) }),
    );
    try {
      const { state, job } = await finished(await uploadJob(zip, { attempts: 2, backoff: { type: 'fixed', delay: 300 } }));
      expect(state).toBe('failed');
      expect(job.attemptsMade).toBe(2);
      // The job's state can read failed before this worker's last 'failed' event has run.
      for (let i = 0; seen.length < 2 && i < 100; i++) await new Promise((r) => setTimeout(r, 50));
      expect(seen).toEqual([
        { attemptsMade: 1, zip: true, unpacked: false },
        { attemptsMade: 2, zip: false, unpacked: false },
      ]);
    } finally {
      await failing.close();
      await db.pool.query(`DROP TRIGGER refuse_run ON import_run; DROP FUNCTION refuse_run()`);
      void worker.resume();
    }
  });

  it('completes an upload run again after its import succeeded and its zip went, with that import as its result', async () => {
    await db.pool.query(`TRUNCATE import_run CASCADE`);
    const zip = place(zipFolder(DUBU_SMALL));
    const { state, job } = await finished(await uploadJob(zip, { attempts: 2, backoff: { type: 'fixed', delay: 100 } }));
    expect(state).toBe('completed');
    const first = job.returnvalue;
    expect(existsSync(zip)).toBe(false);
    // As the stalled-job check runs it again when its lock lapsed while Redis was away
    // (redis-restart.test.ts): the first run committed and deleted the zip, the queue never heard.
    await job.retry('completed');
    const again = await finished(job);
    expect(again.state, again.job.failedReason).toBe('completed');
    expect(again.job.returnvalue).toEqual({ ...first, seconds: expect.any(Number) });
    // Nothing more in the import log: no failed run saying the upload could not be unpacked.
    const { rows } = await db.pool.query(`SELECT id::text, status FROM import_run WHERE job_id = $1`, [job.id]);
    expect(rows).toEqual([{ id: first.importId, status: 'succeeded' }]);
  });

  it('fails an upload run again after its import failed and its zip went, writing nothing more', async () => {
    await db.pool.query(`TRUNCATE import_run CASCADE`);
    const zip = place(Buffer.from('not a zip'));
    const { state, job } = await finished(await uploadJob(zip));
    expect(state).toBe('failed');
    await job.retry('failed');
    const again = await finished(job);
    expect(again.state).toBe('failed');
    expect(again.job.failedReason).toBe('Filen er ikke en gyldig zip-fil.');
    const { rows } = await db.pool.query(`SELECT status, error FROM import_run WHERE job_id = $1`, [job.id]);
    expect(rows).toEqual([{ status: 'failed', error: 'Filen er ikke en gyldig zip-fil.' }]);
  });

  it('fails an upload whose zip is gone with no run of its job, at once, and says so in the import log', async () => {
    await db.pool.query(`TRUNCATE import_run CASCADE`);
    const { state, job } = await finished(await uploadJob(join(uploadDir, 'never-there.zip')));
    expect(state).toBe('failed');
    expect(job.attemptsMade).toBe(1);
    const message = 'Den uploadede fil findes ikke længere på serveren; intet er indlæst. Indlæs udtrækket igen.';
    expect(job.failedReason).toBe(message);
    const { rows } = await db.pool.query(`SELECT status, error FROM import_run WHERE job_id = $1`, [job.id]);
    expect(rows).toEqual([{ status: 'failed', error: message }]);
  });

  it('never deletes a folder it was given to read (a drop folder, the CLI, the demo)', async () => {
    const dir = copyFixture(DUBU_SMALL);
    const { state } = await finished(await queue.add('import', { source: 'dubu', dir, exportDate: DUBU_SMALL_D }));
    expect(state).toBe('completed');
    expect(readdirSync(dir).sort()).toEqual(['medarbejdere.csv', 'sager.csv', 'sagsansvar.csv']);
  });
});
