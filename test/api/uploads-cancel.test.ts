import type { INestApplication } from '@nestjs/common';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etlQueue, pullDropFolders } from '@bu/etl';
import { addUser } from '../../scripts/lib/users';
import { PASSWORD, seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TestDatabase } from '../support/database';
import { copyFixture, DUBU_SMALL } from '../support/fixtures';
import { zipFolder } from '../support/upload-zips';
import { ls } from '../support/drop-folders';

const mode = (path: string) => statSync(path).mode & 0o777;

// A cancelled import job takes its raw export (full CPR numbers) with it: an upload's zip is
// deleted at once (only inside the upload folder), a drop-folder delivery goes to failed/ as one
// whose import failed. No worker runs here: the jobs wait.
describe('cancelling a waiting import job removes its raw export', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let queue: ReturnType<typeof etlQueue>;
  let uploadDir: string;
  const tokens: Record<string, string> = {};
  const http = () => request(app.getHttpServer());
  const as = (user: string) => ({ Authorization: `Bearer ${tokens[user]}` });
  const cancel = (id: string, user = 'admin-461') =>
    http().post(`/api/v1/imports/jobs/${id}/cancel`).set(as(user)).expect(200, { id, state: 'removed' });

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedUsers(db, 461, 'Team Syd');
    await addUser(db.pool, { username: 'admin-461', password: PASSWORD, role: 'admin', municipality: 461 });
    uploadDir = join(mkdtempSync(join(tmpdir(), 'bu-uploads-cancel-')), 'uploads');
    app = await startTestApi(db, { uploadDir });
    queue = etlQueue({ databaseUrl: db.url });
    for (const u of ['admin', 'admin-461']) tokens[u] = await tokenFor(app, u);
  });
  afterAll(async () => {
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    await app?.close();
    await db?.drop();
  });

  it("deletes a cancelled upload's zip and unpacked folder", async () => {
    const res = await http()
      .post('/api/v1/imports')
      .set(as('admin-461'))
      .field('source', 'dubu')
      .attach('file', zipFolder(DUBU_SMALL), 'udtraek.zip')
      .expect(201);
    const [zip] = readdirSync(uploadDir);
    expect(zip).toMatch(/\.zip$/);
    // As an attempt that died would leave it.
    mkdirSync(join(uploadDir, `${zip}.d`));
    writeFileSync(join(uploadDir, `${zip}.d`, 'sager.csv'), 'CPR\n0102031234\n');
    await cancel(res.body.jobId);
    expect(await queue.getJob(res.body.jobId)).toBeUndefined();
    expect(readdirSync(uploadDir)).toEqual([]);
  });

  it('deletes nothing outside the upload folder, whatever the job names', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'bu-outside-'));
    writeFileSync(join(outside, 'export.zip'), 'x');
    const job = await queue.add('import', {
      source: 'dubu',
      zip: join(outside, 'export.zip'),
      dir: outside,
      allowedMunicipality: 461,
      requestedBy: 'admin-461',
    });
    await cancel(job.id!);
    expect(ls(outside)).toEqual(['export.zip']);
  });

  it('moves a cancelled drop-folder delivery from processing/ to failed/ (0700)', async () => {
    const dir = copyFixture(DUBU_SMALL);
    writeFileSync(join(dir, '.done'), '');
    await db.pool.query(`INSERT INTO drop_folder (municipality_code, source, path) VALUES (461, 'dubu', $1)`, [dir]);
    expect(await pullDropFolders(db.pool, queue)).toEqual({ [dir]: 'queued' });
    const [job] = await queue.getJobs(['waiting']);
    expect(job.data).toMatchObject({ delivery: true });
    await cancel(job.id!);
    expect(ls(join(dir, 'processing'))).toEqual([]);
    const [failed] = ls(join(dir, 'failed'));
    expect(ls(join(dir, 'failed', failed))).toEqual(['.done', 'medarbejdere.csv', 'sager.csv', 'sagsansvar.csv']);
    expect(mode(join(dir, 'failed'))).toBe(0o700);
    expect(existsSync(join(dir, 'processing', failed))).toBe(false);
  });
});
