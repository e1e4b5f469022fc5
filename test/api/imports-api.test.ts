import type { INestApplication } from '@nestjs/common';
import { zipSync } from 'fflate';
import { existsSync, readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtlWorker } from '@bu/etl';
import { seedUsers, startTestApi, tokenFor, waitForJob as waitForJobOverApi } from '../support/api';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { DUBU_SMALL } from '../support/fixtures';

function zipFolder(dir: string, extra: Record<string, Uint8Array> = {}): Buffer {
  const files: Record<string, Uint8Array> = {};
  for (const f of readdirSync(dir)) files[`udtraek/${f}`] = readFileSync(join(dir, f));
  return Buffer.from(zipSync({ ...files, ...extra }));
}

describe('imports over HTTP: upload a zip, watch the job, read the import log and rejected rows', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let worker: ReturnType<typeof startEtlWorker>;
  const tokens: Record<string, string> = {};
  const http = () => request(app.getHttpServer());
  const as = (user: string) => ({ Authorization: `Bearer ${tokens[user]}` });

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedUsers(db, 461, 'Team Syd');
    app = await startTestApi(db);
    worker = startEtlWorker({ databaseUrl: db.url }, db.pool, TEST_SECRET);
    for (const u of ['udvalg', 'chef', 'teamleder', 'admin']) tokens[u] = await tokenFor(app, u);
  });
  afterAll(async () => {
    await worker?.close();
    await app?.close();
    await db?.drop();
  });

  const waitForJob = (id: string) => waitForJobOverApi(app, tokens.admin, id);

  it('lets an administrator upload an export; the job imports it and reports progress', async () => {
    const upload = await http()
      .post('/api/v1/imports')
      .set(as('admin'))
      .field('source', 'dubu')
      .field('exportDate', '2024-02-29')
      .attach('file', zipFolder(DUBU_SMALL), 'udtraek.zip')
      .expect(201);
    // Paths inside the zip are flattened to the export files' base names.
    expect(upload.body.files).toEqual(['medarbejdere.csv', 'sager.csv', 'sagsansvar.csv']);
    const job = await waitForJob(upload.body.jobId);
    expect(job.state).toBe('completed');
    // The last file read: sager.csv comes first, then the larger files (sagsansvar.csv, 16 rows) before the smaller.
    expect(job.progress).toMatchObject({ file: 'medarbejdere.csv', rowsRead: 6 });
    expect(job.result.loaded).toMatchObject({ cases: 11, caseworkers: 6, assignments: 14 });
  });

  it('lists the import with who, files, checksums and counts, and its rejected rows by rule', async () => {
    const list = await http().get('/api/v1/imports').set(as('chef')).expect(200);
    expect(list.body[0]).toMatchObject({
      source: 'dubu',
      municipality: 461,
      exportDate: '2024-02-29',
      status: 'succeeded',
      requestedBy: 'admin',
      rejectedCount: 3,
    });
    expect(list.body[0].files.map((f: { file: string }) => f.file)).toEqual(['sager.csv', 'medarbejdere.csv', 'sagsansvar.csv']);
    expect(list.body[0].files[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    const issues = await http().get(`/api/v1/imports/${list.body[0].id}/issues?severity=error`).set(as('chef')).expect(200);
    expect(issues.body.count).toBe(3);
    expect(issues.body.byRule).toEqual([
      { rule: 'R003', title: 'Dato før 1970', severity: 'error', count: 1 },
      { rule: 'R005', title: 'Slutdato før startdato', severity: 'error', count: 1 },
      { rule: 'R011', title: 'Henviser til en ukendt sag', severity: 'error', count: 1 },
    ]);
    expect(issues.body.rows[0]).toEqual({
      severity: 'error',
      file: 'sager.csv',
      line: 14,
      rule: 'R005',
      title: 'Slutdato før startdato',
      value: '01-01-2024',
      message: 'Slutdato før startdato: Lukket = "01-01-2024" (oprettet 01-02-2024).',
    });
  });

  it('lists the same export uploaded again as unchanged, with the rejected rows of the import whose data stand', async () => {
    const [first] = (await http().get('/api/v1/imports').set(as('chef')).expect(200)).body;
    expect(first.sameAs).toBeNull();
    const upload = await http()
      .post('/api/v1/imports')
      .set(as('admin'))
      .field('source', 'dubu')
      .field('exportDate', '2024-02-29')
      .attach('file', zipFolder(DUBU_SMALL), 'udtraek.zip')
      .expect(201);
    const job = await waitForJob(upload.body.jobId);
    expect(job.state).toBe('completed');
    // Nothing staged: no file's progress, nothing loaded, all 11 cases, 6 caseworkers and 14 assignments unchanged.
    expect(job.progress).toBe(0);
    expect(job.result).toMatchObject({ sameAs: first.id, loaded: {}, unchanged: { cases: 11, caseworkers: 6, assignments: 14 } });
    const [again] = (await http().get('/api/v1/imports').set(as('chef')).expect(200)).body;
    expect(again).toMatchObject({ sameAs: first.id, status: 'succeeded', exportDate: '2024-02-29', rejectedCount: 3, files: first.files });
    const issues = await http().get(`/api/v1/imports/${again.id}/issues?severity=error`).set(as('chef')).expect(200);
    expect(issues.body.count).toBe(3);
  });

  it('fails a bad export without retry and shows it among the failed jobs', async () => {
    const bad = Buffer.from(zipSync({ 'sager.csv': new TextEncoder().encode('Sagsnummer,CPR\nS1,010115-4123\n') }));
    const upload = await http().post('/api/v1/imports').set(as('admin')).field('source', 'dubu').attach('file', bad, 'bad.zip').expect(201);
    const job = await waitForJob(upload.body.jobId);
    expect(job.state).toBe('failed');
    expect(job.attempts).toBe(1);
    expect(job.failedReason).toMatch(/mangler filen medarbejdere.csv/);
    const failed = await http().get('/api/v1/imports/jobs?state=failed').set(as('admin')).expect(200);
    expect(failed.body.map((j: { id: string }) => j.id)).toContain(upload.body.jobId);
  });

  it('answers a file that is not a zip with 400 and a Danish message', async () => {
    const res = await http()
      .post('/api/v1/imports')
      .set(as('admin'))
      .field('source', 'dubu')
      .attach('file', Buffer.from('not a zip'), 'x.zip')
      .expect(400);
    expect(res.body.message).toBe('Filen er ikke en gyldig zip-fil.');
    await http()
      .post('/api/v1/imports')
      .set(as('admin'))
      .field('source', 'nope')
      .attach('file', zipFolder(DUBU_SMALL), 'x.zip')
      .expect(400);
  });

  it('keeps uploads and the import log to the roles that may have them', async () => {
    await http().post('/api/v1/imports').set(as('chef')).field('source', 'dubu').attach('file', zipFolder(DUBU_SMALL), 'x.zip').expect(403);
    await http().get('/api/v1/imports').set(as('teamleder')).expect(403);
    await http().get('/api/v1/imports').set(as('udvalg')).expect(403);
    const rules = await http().get('/api/v1/etl/rules').set(as('teamleder')).expect(200);
    expect(rules.body).toContainEqual({ id: 'R005', severity: 'error', title: 'Slutdato før startdato', since: '2024.1' });
  });

  it('refuses a zip with an entry pointing outside the export folder, and writes nothing outside the upload folder', async () => {
    const evil = zipFolder(DUBU_SMALL, { '../../evil.csv': new TextEncoder().encode('x') });
    const res = await http()
      .post('/api/v1/imports')
      .set(as('admin'))
      .field('source', 'dubu')
      .attach('file', evil, 'udtraek.zip')
      .expect(400);
    expect(res.body.message).toBe('Zip-filen afvises: ../../evil.csv peger uden for udtrækkets mappe (../).');
    expect(existsSync(join(process.cwd(), '..', 'evil.csv'))).toBe(false);
  });
});
