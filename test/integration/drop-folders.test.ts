import {
  cpSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'fs';
import { tmpdir } from 'os';
import { Client } from 'pg';
import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etlQueue, pullDropFolders, scheduleDropFolderPull, startEtlWorker } from '@bu/etl';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { copyFixture, DUBU_SMALL } from '../support/fixtures';
import { until } from '../support/wait';
import { delivery, ls, settled } from '../support/drop-folders';

// Issue 13, item 7: a delivery is read only when complete (.done, or the same checksum on two
// checks), then moved with its marker to processing/<time>/ and, when its import is done,
// processed/<time>/ (its files deleted) or failed/<time>/; it is never read again. Links and paths
// outside are refused. What is left is purged after its time: drop-folders-retention.test.ts.

describe('drop folders: a complete delivery is imported once and moved out of the way', () => {
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

  const addFolder = async (path: string, municipality = 461, source = 'dubu') =>
    (
      await db.pool.query(`INSERT INTO drop_folder (municipality_code, source, path) VALUES ($1, $2, $3) RETURNING id`, [
        municipality,
        source,
        path,
      ])
    ).rows[0].id;
  const cleanUp = async () => {
    await queue.obliterate({ force: true });
    await db.pool.query('DELETE FROM drop_folder');
  };
  const lastRun = async () =>
    (await db.pool.query(`SELECT status, source, requested_by, error FROM import_run ORDER BY id DESC LIMIT 1`)).rows[0];
  /** A complete delivery whose move into processing/<stamp> stopped after `names`: those in the hidden folder, the rest not. */
  const halfMoved = async (stamp: string, names: string[]) => {
    const dir = copyFixture(DUBU_SMALL);
    writeFileSync(join(dir, '.done'), '');
    const id = await addFolder(dir);
    const moving = join(dir, 'processing', `.${stamp}.partial`);
    mkdirSync(moving, { recursive: true });
    for (const name of names) renameSync(join(dir, name), join(moving, name));
    return { dir, id, moving, target: join(dir, 'processing', stamp) };
  };
  /** A drop-folder check running on another worker: it holds the checks' lock until its connection ends. */
  const runningCheck = async () => {
    const check = new Client({ connectionString: db.url });
    await check.connect();
    await check.query(`SELECT pg_advisory_lock(hashtext('pull-drop-folders'), 0)`);
    return check;
  };

  it('waits for the same checksum twice, takes the delivery into processing/ and queues it once', async () => {
    const dir = copyFixture(DUBU_SMALL);
    const id = await addFolder(dir);
    expect(await pullDropFolders(db.pool, queue)).toEqual({ [dir]: 'incomplete' });
    expect(await pullDropFolders(db.pool, queue)).toEqual({ [dir]: 'queued' });
    // Taken: nothing of it is left to be read again.
    expect(ls(dir)).toEqual(['processing']);
    const taken = delivery(dir, 'processing');
    expect(ls(taken)).toEqual(['medarbejdere.csv', 'sager.csv', 'sagsansvar.csv']);
    expect(await pullDropFolders(db.pool, queue)).toEqual({ [dir]: 'empty' });
    const jobs = await queue.getJobs(['waiting']);
    expect(jobs.map((j) => j.data)).toEqual([
      { source: 'dubu', dir: taken, municipality: 461, requestedBy: `drop-folder:${id}`, delivery: true },
    ]);
    // The next delivery is being written: not complete until it is the same on the next check.
    cpSync(DUBU_SMALL, dir, { recursive: true });
    expect(await pullDropFolders(db.pool, queue)).toEqual({ [dir]: 'incomplete' });
    expect(await pullDropFolders(db.pool, queue)).toEqual({ [dir]: 'queued' });
    expect(ls(join(dir, 'processing'))).toHaveLength(2);
    expect(await queue.getJobs(['waiting'])).toHaveLength(2);
    await cleanUp();
  });

  it('takes a delivery with a .done marker at once; the marker moves with it', async () => {
    const dir = copyFixture(DUBU_SMALL);
    writeFileSync(join(dir, '.done'), '');
    await addFolder(dir);
    expect(await pullDropFolders(db.pool, queue)).toEqual({ [dir]: 'queued' });
    expect(ls(dir)).toEqual(['processing']);
    expect(ls(delivery(dir, 'processing'))).toEqual(['.done', 'medarbejdere.csv', 'sager.csv', 'sagsansvar.csv']);
    await cleanUp();
  });

  it('moves a lone .done marker to failed/: it must not make the next delivery look complete', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bu-drop-'));
    writeFileSync(join(dir, '.done'), '');
    await addFolder(dir);
    expect(await pullDropFolders(db.pool, queue)).toEqual({ [dir]: 'refused' });
    expect(ls(delivery(dir, 'failed'))).toEqual(['.done']);
    expect((await lastRun()).error).toMatch(/\.done-markør, men ingen filer/);
    expect(await queue.getJobs(['waiting'])).toEqual([]);
    await cleanUp();
  });

  it('refuses, unread, a delivery with a symbolic link, a hard link or a subfolder, and moves it to failed/', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'bu-outside-'));
    writeFileSync(join(outside, 'secret.csv'), 'not for the import\n');
    const cases: [string, (dir: string) => void, RegExp][] = [
      [
        'a link to a file outside',
        (dir) => {
          unlinkSync(join(dir, 'sager.csv'));
          symlinkSync(join(outside, 'secret.csv'), join(dir, 'sager.csv'));
        },
        /sager\.csv er en symbolsk henvisning; den følges ikke/,
      ],
      ['a link to a folder', (dir) => symlinkSync(outside, join(dir, 'more')), /more er en symbolsk henvisning/],
      [
        'a hard link',
        (dir) => {
          unlinkSync(join(dir, 'sager.csv'));
          linkSync(join(outside, 'secret.csv'), join(dir, 'sager.csv'));
        },
        /sager\.csv har flere hårde henvisninger/,
      ],
      ['a subfolder', (dir) => mkdirSync(join(dir, 'extra')), /extra er ikke en almindelig fil/],
    ];
    for (const [, damage, message] of cases) {
      const dir = copyFixture(DUBU_SMALL);
      writeFileSync(join(dir, '.done'), '');
      damage(dir);
      const id = await addFolder(dir);
      expect(await pullDropFolders(db.pool, queue)).toEqual({ [dir]: 'refused' });
      expect(ls(dir)).toEqual(['failed']);
      const failed = delivery(dir, 'failed');
      expect(ls(failed)).toContain('.done');
      expect(await lastRun()).toMatchObject({
        status: 'failed',
        source: 'dubu',
        requested_by: `drop-folder:${id}`,
        error: expect.stringMatching(message),
      });
      expect((await lastRun()).error).toMatch(/Intet er indlæst/);
      expect(await queue.getJobs(['waiting'])).toEqual([]);
      await cleanUp();
    }
    // Moved, not followed: the link is still a link and its target is where it was.
    expect(readFileSync(join(outside, 'secret.csv'), 'utf8')).toBe('not for the import\n');
  });

  it('refuses a drop folder reached through a link, or whose processing/ is a link, and moves nothing', async () => {
    const real = copyFixture(DUBU_SMALL);
    writeFileSync(join(real, '.done'), '');
    const link = join(mkdtempSync(join(tmpdir(), 'bu-link-')), 'drop');
    symlinkSync(real, link);
    await addFolder(link);
    expect(await pullDropFolders(db.pool, queue)).toEqual({ [link]: 'error' });
    expect((await lastRun()).error).toMatch(/går gennem en symbolsk henvisning/);
    expect(ls(real)).toContain('sager.csv');
    await cleanUp();

    const outside = mkdtempSync(join(tmpdir(), 'bu-outside-'));
    symlinkSync(outside, join(real, 'processing'));
    await addFolder(real);
    expect(await pullDropFolders(db.pool, queue)).toEqual({ [real]: 'error' });
    expect((await lastRun()).error).toMatch(/processing er ikke en almindelig mappe/);
    expect(ls(outside)).toEqual([]);
    expect(ls(real)).toContain('sager.csv');
    await cleanUp();
  });

  it('records a folder that cannot be read as a failed import', async () => {
    await addFolder('/no/such/folder');
    expect(await pullDropFolders(db.pool, queue)).toEqual({ '/no/such/folder': 'error' });
    expect(await lastRun()).toMatchObject({
      status: 'failed',
      source: 'dubu',
      error: 'Hentning fra /no/such/folder fejlede: Mappen /no/such/folder findes ikke.',
    });
    const { rows: folder } = await db.pool.query(`SELECT last_error FROM drop_folder`);
    expect(folder[0].last_error).toMatch(/findes ikke/);
    await db.pool.query('DELETE FROM drop_folder');
  });

  it('runs on the job scheduler with the worker: one good, one refused and one failing delivery; each ends in its place, once', async () => {
    const good = copyFixture(DUBU_SMALL);
    const linked = copyFixture(DUBU_SMALL);
    const wrong = copyFixture(DUBU_SMALL);
    for (const dir of [good, linked, wrong]) writeFileSync(join(dir, '.done'), '');
    unlinkSync(join(linked, 'sager.csv'));
    symlinkSync(join(DUBU_SMALL, 'sager.csv'), join(linked, 'sager.csv'));
    await addFolder(linked);
    await addFolder(wrong, 751); // the export is 461's: every case row is rejected, the import fails as a whole
    await addFolder(good);
    const {
      rows: [{ last }],
    } = await db.pool.query(`SELECT coalesce(max(id), 0) AS last FROM import_run`);
    const worker = startEtlWorker({ databaseUrl: db.url }, db.pool, TEST_SECRET);
    try {
      await scheduleDropFolderPull(queue, 300);
      await until(
        // A state folder is made before the delivery is moved into it: wait for the deliveries themselves.
        async () => settled(good, 'processed') && settled(wrong, 'failed') && settled(linked, 'failed'),
        'every delivery to end in its place',
      );
      expect(ls(good)).toEqual(['processed', 'processing']);
      expect(ls(join(good, 'processing'))).toEqual([]);
      // Imported: its files (full CPR numbers) are deleted; the empty folder is the receipt.
      expect(ls(delivery(good, 'processed'))).toEqual([]);
      expect(ls(delivery(wrong, 'failed'))).toEqual(['.done', 'medarbejdere.csv', 'sager.csv', 'sagsansvar.csv']);
      expect(lstatSync(join(delivery(linked, 'failed'), 'sager.csv')).isSymbolicLink()).toBe(true);
      // More pulls run: nothing is imported again.
      await new Promise((r) => setTimeout(r, 1500));
      expect((await db.pool.query(`SELECT count(*)::int AS n FROM child_case WHERE municipality_code = 461`)).rows[0].n).toBe(11);
      const { rows } = await db.pool.query(`SELECT status, municipality_code AS m, error FROM import_run WHERE id > $1 ORDER BY id`, [
        last,
      ]);
      expect(rows.filter((r) => r.status === 'succeeded')).toEqual([{ status: 'succeeded', m: 461, error: null }]);
      expect(rows.filter((r) => r.status === 'failed').map((r) => r.error)).toEqual(
        expect.arrayContaining([expect.stringMatching(/symbolsk henvisning/), expect.stringMatching(/sager\.csv/)]),
      );
      expect(rows).toHaveLength(3);
    } finally {
      await queue.removeJobScheduler('pull-drop-folders');
      await worker.close();
      await cleanUp();
    }
  });

  it('checks a taken delivery again before the job reads it: a link put in its place is refused', async () => {
    const dir = copyFixture(DUBU_SMALL);
    writeFileSync(join(dir, '.done'), '');
    await addFolder(dir);
    expect(await pullDropFolders(db.pool, queue)).toEqual({ [dir]: 'queued' });
    const taken = delivery(dir, 'processing');
    rmSync(join(taken, 'sager.csv'));
    symlinkSync(join(DUBU_SMALL, 'sager.csv'), join(taken, 'sager.csv'));
    const before = (await db.pool.query(`SELECT count(*)::int AS n FROM import_run`)).rows[0].n;
    const worker = startEtlWorker({ databaseUrl: db.url }, db.pool, TEST_SECRET);
    try {
      await until(async () => settled(dir, 'failed'), 'the delivery to be moved to failed/');
      expect(ls(join(dir, 'processing'))).toEqual([]);
      const { rows } = await db.pool.query(`SELECT status, error FROM import_run ORDER BY id DESC LIMIT 1`);
      expect(rows[0]).toEqual({
        status: 'failed',
        error: expect.stringMatching(/Leverancen er afvist: sager\.csv er en symbolsk henvisning/),
      });
      expect((await db.pool.query(`SELECT count(*)::int AS n FROM import_run`)).rows[0].n).toBe(before + 1);
    } finally {
      await worker.close();
      await cleanUp();
    }
  });

  it('leaves a delivery where it is when the queue cannot take its job, and takes it at the next check', async () => {
    const dir = copyFixture(DUBU_SMALL);
    writeFileSync(join(dir, '.done'), '');
    await addFolder(dir);
    // The queue fails at that moment (Redis out of memory, PostgreSQL failing over).
    const failing = new Proxy(queue, {
      get: (target, name) => (name === 'add' ? () => Promise.reject(new Error('Køen svarer ikke')) : Reflect.get(target, name)),
    });
    expect(await pullDropFolders(db.pool, failing)).toEqual({ [dir]: 'error' });
    expect(await lastRun()).toMatchObject({ status: 'failed', error: expect.stringMatching(/Køen svarer ikke/) });
    // Nothing was moved away with no job to import it.
    expect(ls(dir)).toEqual(['.done', 'medarbejdere.csv', 'processing', 'sager.csv', 'sagsansvar.csv']);
    expect(ls(join(dir, 'processing'))).toEqual([]);
    expect(await pullDropFolders(db.pool, queue)).toEqual({ [dir]: 'queued' });
    const [job] = await queue.getJobs(['waiting']);
    expect(job.data.dir).toBe(delivery(dir, 'processing'));
    expect(ls(job.data.dir)).toEqual(['.done', 'medarbejdere.csv', 'sager.csv', 'sagsansvar.csv']);
    await cleanUp();
  });

  it('puts the files back when its move fails half-way (a file taken back by the sender), for the next check', async () => {
    const dir = copyFixture(DUBU_SMALL);
    writeFileSync(join(dir, '.done'), '');
    await addFolder(dir);
    // The sender takes its last file back just as the check moves the delivery (sorted: it goes last,
    // so the others are in the hidden folder already when its move fails).
    const takenBack = new Proxy(queue, {
      get: (target, name) =>
        name === 'add'
          ? async (...args: Parameters<typeof queue.add>) => {
              const job = await target.add(...args);
              unlinkSync(join(dir, 'sagsansvar.csv'));
              return job;
            }
          : Reflect.get(target, name),
    });
    expect(await pullDropFolders(db.pool, takenBack)).toEqual({ [dir]: 'error' });
    expect(await lastRun()).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(new RegExp(`^Hentning fra ${dir} fejlede: ENOENT.*sagsansvar\\.csv`)),
    });
    // Back where they were, the hidden folder gone: nothing half-moved for a job or a check to find.
    expect(ls(dir)).toEqual(['.done', 'medarbejdere.csv', 'processing', 'sager.csv']);
    expect(ls(join(dir, 'processing'))).toEqual([]);
    // Sent again, the delivery is taken whole at the next check.
    cpSync(join(DUBU_SMALL, 'sagsansvar.csv'), join(dir, 'sagsansvar.csv'));
    expect(await pullDropFolders(db.pool, queue)).toEqual({ [dir]: 'queued' });
    expect(ls(delivery(dir, 'processing'))).toEqual(['.done', 'medarbejdere.csv', 'sager.csv', 'sagsansvar.csv']);
    await cleanUp();
  });

  it('fails, in Danish, a delivery job whose files were never moved, and leaves them for the next check', async () => {
    const dir = copyFixture(DUBU_SMALL);
    const id = await addFolder(dir);
    // Queued, then the worker stopped before it moved the files.
    const never = join(dir, 'processing', '2026-12-06T03-00-00-000Z');
    await queue.add('import', { source: 'dubu', dir: never, municipality: 461, requestedBy: `drop-folder:${id}`, delivery: true });
    const worker = startEtlWorker({ databaseUrl: db.url }, db.pool, TEST_SECRET);
    try {
      // Its row is written as running first (ADR 0115), then failed.
      await until(async () => {
        const run = await lastRun();
        return run?.requested_by === `drop-folder:${id}` && run.status !== 'running';
      }, 'the job to end');
      expect(await lastRun()).toMatchObject({
        status: 'failed',
        error: `Leverancen blev ikke flyttet til ${never}, før dens import skulle begynde; filerne ligger stadig i afleveringsmappen og hentes ved næste kontrol. Intet er indlæst.`,
      });
      expect(ls(dir)).toEqual(['medarbejdere.csv', 'sager.csv', 'sagsansvar.csv']);
    } finally {
      await worker.close();
      await cleanUp();
    }
  });

  it('puts back the files of a move that was cut off, and says so; a job settled before writes nothing', async () => {
    // The worker was killed while it moved the delivery: two files in the hidden folder, the rest not.
    const { dir, id, target } = await halfMoved('2026-12-06T03-00-00-000Z', ['.done', 'medarbejdere.csv']);
    await queue.add('import', { source: 'dubu', dir: target, municipality: 461, requestedBy: `drop-folder:${id}`, delivery: true });
    // And a job whose delivery an earlier attempt had settled already.
    mkdirSync(join(dir, 'processed', 'earlier'), { recursive: true });
    await queue.add('import', {
      source: 'dubu',
      dir: join(dir, 'processing', 'earlier'),
      municipality: 461,
      requestedBy: `drop-folder:${id}`,
      delivery: true,
    });
    const runs = async () =>
      (await db.pool.query(`SELECT error FROM import_run WHERE requested_by = $1 ORDER BY id`, [`drop-folder:${id}`])).rows.map(
        (r) => r.error,
      );
    const worker = startEtlWorker({ databaseUrl: db.url }, db.pool, TEST_SECRET);
    try {
      await until(async () => (await queue.getJobCounts('failed')).failed === 2, 'both jobs to end');
      expect(await runs()).toEqual([
        `Flytningen af leverancen til ${target} blev afbrudt; filerne er lagt tilbage i afleveringsmappen og hentes ved næste kontrol. Intet er indlæst.`,
      ]);
      expect(ls(dir)).toEqual(['.done', 'medarbejdere.csv', 'processed', 'processing', 'sager.csv', 'sagsansvar.csv']);
      expect(ls(join(dir, 'processing'))).toEqual([]);
    } finally {
      await worker.close();
      await cleanUp();
    }
    // Whole again: the next check takes it.
    await addFolder(dir);
    expect(await pullDropFolders(db.pool, queue)).toEqual({ [dir]: 'queued' });
    await cleanUp();
  });

  it('waits while a running check is still moving the delivery (a slow mount), then imports it whole', async () => {
    // A check on another worker holds its lock, one file into a move that outlasts DELIVERY_MOVE_MS.
    const check = await runningCheck();
    let held = true;
    const stamp = '2026-12-06T04-00-00-000Z';
    const { dir, id, moving, target } = await halfMoved(stamp, ['medarbejdere.csv']);
    // Its last attempt: waiting is no failure, so nothing is settled as failed meanwhile.
    const job = await queue.add(
      'import',
      { source: 'dubu', dir: target, municipality: 461, requestedBy: `drop-folder:${id}`, delivery: true },
      { attempts: 1 },
    );
    const worker = startEtlWorker({ databaseUrl: db.url }, db.pool, TEST_SECRET);
    try {
      await until(async () => (await job.getState()) === 'delayed', 'the job to wait for the move');
      // Nothing failed, nothing put back: the move goes on.
      expect(
        (await db.pool.query(`SELECT count(*)::int AS n FROM import_run WHERE requested_by = $1`, [`drop-folder:${id}`])).rows[0].n,
      ).toBe(0);
      expect(ls(moving)).toEqual(['medarbejdere.csv']);
      // The move ends: the rest in, the folder renamed, the check's lock let go.
      for (const name of ls(dir).filter((n) => !['processing', 'medarbejdere.csv'].includes(n)))
        renameSync(join(dir, name), join(moving, name));
      renameSync(moving, target);
      await check.end();
      held = false;
      await job.promote();
      await until(async () => (await job.getState()) === 'completed', 'the delivery to be imported');
      expect(await lastRun()).toMatchObject({ status: 'succeeded', source: 'dubu', requested_by: `drop-folder:${id}`, error: null });
      expect(ls(join(dir, 'processed'))).toEqual([stamp]);
      // The wait settled nothing as failed (it was the job's last attempt).
      expect(existsSync(join(dir, 'failed'))).toBe(false);
    } finally {
      if (held) await check.end();
      await worker.close();
      await cleanUp();
    }
  });

  it('takes a move as cut off when the check that holds the lock has run for an hour since the job was queued', async () => {
    const check = await runningCheck();
    const { dir, id, target } = await halfMoved('2026-12-06T05-00-00-000Z', ['medarbejdere.csv']);
    await queue.add(
      'import',
      { source: 'dubu', dir: target, municipality: 461, requestedBy: `drop-folder:${id}`, delivery: true },
      { timestamp: Date.now() - 2 * 3_600_000 },
    );
    const worker = startEtlWorker({ databaseUrl: db.url }, db.pool, TEST_SECRET);
    try {
      await until(async () => (await queue.getJobCounts('failed')).failed === 1, 'the job to end');
      expect(await lastRun()).toMatchObject({
        status: 'failed',
        error: `Flytningen af leverancen til ${target} blev afbrudt; filerne er lagt tilbage i afleveringsmappen og hentes ved næste kontrol. Intet er indlæst.`,
      });
      expect(ls(dir)).toEqual(['.done', 'medarbejdere.csv', 'processing', 'sager.csv', 'sagsansvar.csv']);
    } finally {
      await check.end();
      await worker.close();
      await cleanUp();
    }
  });

  it('takes a delivery once when two checks run at the same time (two workers)', async () => {
    const dir = copyFixture(DUBU_SMALL);
    writeFileSync(join(dir, '.done'), '');
    await addFolder(dir);
    const outcomes = await Promise.all([pullDropFolders(db.pool, queue), pullDropFolders(db.pool, queue)]);
    expect(outcomes.filter((o) => o[dir] === 'queued')).toHaveLength(1);
    expect(await queue.getJobs(['waiting', 'delayed'])).toHaveLength(1);
    expect(ls(join(dir, 'processing'))).toHaveLength(1);
    await cleanUp();
  });
});
