import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'fs';
import { request as httpRequest } from 'http';
import type { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etlQueue, startEtlWorker, startWorker } from '@bu/etl';
import { configFromEnv } from '@bu/config';
import { seedUsers, startTestApi, tokenFor, waitForJob as waitForJobOverApi } from '../support/api';
import { createTestDatabase, TEST_JWT_SECRET, TEST_SECRET, TestDatabase } from '../support/database';
import { DUBU_SMALL, fixtureCprs } from '../support/fixtures';
import { badZips, lyingBomb, zipFolder } from '../support/upload-zips';

const mode = (path: string) => statSync(path).mode & 0o777;

// Raw exports carry full CPR numbers: on disk only in a private folder, only while their job runs.
describe('uploads: streamed to a private folder, refused at once when bad, deleted when the job ends', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let worker: ReturnType<typeof startEtlWorker>;
  let uploadDir: string;
  let admin = '';
  const http = () => request(app.getHttpServer());
  const upload = (zip: Buffer, source = 'dubu') =>
    http()
      .post('/api/v1/imports')
      .set('Authorization', `Bearer ${admin}`)
      .field('source', source)
      .field('exportDate', '2024-02-29')
      .attach('file', zip, 'udtraek.zip');
  const importRuns = async () => (await db.pool.query(`SELECT count(*)::int AS n FROM import_run`)).rows[0].n as number;
  const waitForJob = (id: string) => waitForJobOverApi(app, admin, id);

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedUsers(db, 461, 'Team Syd');
    uploadDir = join(mkdtempSync(join(tmpdir(), 'bu-uploads-api-')), 'uploads');
    app = await startTestApi(db, { uploadDir, uploadMaxBytes: 1024 ** 2 });
    worker = startEtlWorker({ databaseUrl: db.url }, db.pool, TEST_SECRET);
    admin = await tokenFor(app, 'admin');
  });
  afterAll(async () => {
    await worker?.close();
    await app?.close();
    await db?.drop();
  });

  it('creates the upload folder 0700 and tightens one made looser; the zip is a 0600 file with a random name; the job deletes it', async () => {
    expect(mode(uploadDir)).toBe(0o700);
    chmodSync(uploadDir, 0o755);
    await worker.pause();
    const res = await upload(zipFolder(DUBU_SMALL)).expect(201);
    expect(mode(uploadDir)).toBe(0o700);
    const [file] = readdirSync(uploadDir);
    expect(file).toMatch(/^[0-9a-f-]{36}\.zip$/);
    expect(mode(join(uploadDir, file))).toBe(0o600);
    // The job carries the path, never the contents.
    const queue = etlQueue({ databaseUrl: db.url });
    const job = await queue.getJob(res.body.jobId).finally(() => queue.close());
    expect(job!.data).toMatchObject({ zip: join(uploadDir, file), dir: `${join(uploadDir, file)}.d`, source: 'dubu' });
    for (const cpr of fixtureCprs(DUBU_SMALL)) expect(JSON.stringify(job!.data)).not.toContain(cpr.slice(0, 6));
    void worker.resume();
    expect((await waitForJob(res.body.jobId)).state).toBe('completed');
    expect(readdirSync(uploadDir)).toEqual([]);
  });

  it('refuses an upload that would remove most open cases unless the form says allowShrink=true', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bu-export-'));
    cpSync(DUBU_SMALL, dir, { recursive: true });
    writeFileSync(join(dir, 'sager.csv'), readFileSync(join(DUBU_SMALL, 'sager.csv'), 'utf8').split('\n').slice(0, 3).join('\n') + '\n');
    const refused = await waitForJob((await upload(zipFolder(dir)).expect(201)).body.jobId);
    expect(refused).toMatchObject({
      state: 'failed',
      failedReason: expect.stringMatching(/ville fjerne for meget: kommune 461: 7 af 9 åbne sager/),
    });
    await upload(zipFolder(dir)).field('allowShrink', 'ja').expect(400);
    const forced = await upload(zipFolder(dir)).field('allowShrink', 'true').expect(201);
    expect((await waitForJob(forced.body.jobId)).state).toBe('completed');
    expect((await waitForJob((await upload(zipFolder(DUBU_SMALL)).expect(201)).body.jobId)).state).toBe('completed');
  });

  it('deletes the upload of a job that fails on bad data as well', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bu-export-'));
    writeFileSync(join(dir, 'sager.csv'), 'Sagsnummer,CPR\nS1,010115-4123\n');
    const res = await upload(zipFolder(dir)).expect(201);
    const job = await waitForJob(res.body.jobId);
    expect(job).toMatchObject({ state: 'failed', attempts: 1 });
    expect(job.failedReason).toMatch(/mangler filen medarbejdere.csv/);
    expect(readdirSync(uploadDir)).toEqual([]);
  });

  it('refuses an upload over the size limit with 413 and a Danish message, leaving no file behind', async () => {
    const before = await importRuns();
    const res = await upload(randomBytes(1024 ** 2 + 1)).expect(413);
    expect(res.body.message).toBe('Filen er for stor: en upload må højst fylde 1 MB.');
    expect(readdirSync(uploadDir)).toEqual([]);
    expect(await importRuns()).toBe(before);
    // Exactly at the limit is not too large (and then refused as not a zip).
    await upload(randomBytes(1024 ** 2)).expect(400);
    expect(readdirSync(uploadDir)).toEqual([]);
  });

  for (const bad of badZips(DUBU_SMALL)) {
    it(`refuses ${bad.name} at once with 400 in Danish; nothing queued, nothing left`, async () => {
      const before = await importRuns();
      const res = await upload(bad.zip).expect(400);
      expect(res.body.message).toBe(bad.message);
      expect(readdirSync(uploadDir)).toEqual([]);
      expect(await importRuns()).toBe(before);
    });
  }

  it('fails the job of a bomb whose headers lie (only inflating shows it), in Danish, and deletes the upload', async () => {
    const res = await upload(lyingBomb(DUBU_SMALL)).expect(201);
    const job = await waitForJob(res.body.jobId);
    expect(job).toMatchObject({ state: 'failed', attempts: 1 });
    expect(job.failedReason).toContain('Zip-filen afvises: en fil fylder ikke det, zip-filen angiver (beskadiget eller manipuleret).');
    expect(readdirSync(uploadDir)).toEqual([]);
  });

  it('deletes the partial file of an upload the client breaks off', async () => {
    const server = app.getHttpServer();
    if (!server.listening) await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const boundary = 'xxBOUNDARYxx';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="source"\r\n\r\ndubu\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="u.zip"\r\nContent-Type: application/zip\r\n\r\n`;
    const req = httpRequest({
      host: '127.0.0.1',
      port: (server.address() as AddressInfo).port,
      method: 'POST',
      path: '/api/v1/imports',
      headers: {
        Authorization: `Bearer ${admin}`,
        'Content-Type': `multipart/form-data; boundary=${boundary}`,
        'Content-Length': String(head.length + 900_000),
      },
    });
    req.on('error', () => undefined);
    req.write(head);
    req.write(randomBytes(400_000));
    for (let i = 0; i < 100 && readdirSync(uploadDir).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(readdirSync(uploadDir)).toHaveLength(1); // being received
    req.destroy();
    for (let i = 0; i < 100 && readdirSync(uploadDir).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(readdirSync(uploadDir)).toEqual([]);
  });

  it('deletes an upload whose form is refused after it was received (an unknown source)', async () => {
    await upload(zipFolder(DUBU_SMALL), 'nope').expect(400);
    expect(readdirSync(uploadDir)).toEqual([]);
  });

  it('sweeps orphaned uploads at worker start-up: old and unreferenced only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bu-sweep-'));
    const old = new Date(Date.now() - 2 * 3600_000);
    const orphanZip = join(dir, 'orphan.zip');
    const orphanDir = join(dir, 'orphan.zip.d');
    const fresh = join(dir, 'receiving.zip');
    const queued = join(dir, 'queued.zip');
    writeFileSync(orphanZip, 'x');
    mkdirSync(orphanDir);
    writeFileSync(join(orphanDir, 'sager.csv'), 'x');
    writeFileSync(fresh, 'x');
    writeFileSync(queued, zipFolder(DUBU_SMALL));
    for (const path of [orphanZip, orphanDir, queued]) utimesSync(path, old, old);
    // A job waiting for a worker (queued before a restart): its zip is not an orphan however old.
    const config = configFromEnv(
      {},
      { databaseUrl: db.url, pseudonymSecret: TEST_SECRET, jwtSecret: TEST_JWT_SECRET, uploadDir: dir, queuePrefix: 'sweep' },
    );
    await worker.pause();
    const queue = etlQueue(config);
    const job = await queue.add('import', { source: 'dubu', dir: `${queued}.d`, zip: queued, exportDate: '2024-02-29' });
    chmodSync(dir, 0o777);
    const started = startWorker(config);
    try {
      expect((await started.swept).sort()).toEqual(['orphan.zip', 'orphan.zip.d']);
      expect(existsSync(fresh)).toBe(true);
      expect(mode(dir)).toBe(0o700);
      // The job then runs on the new worker and its zip goes with it.
      for (let i = 0; i < 200 && (await queue.getJobState(job.id!)) !== 'completed'; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await queue.getJobState(job.id!)).toBe('completed');
      expect(readdirSync(dir)).toEqual(['receiving.zip']);
    } finally {
      await started.close();
      await queue.close();
      void worker.resume();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
