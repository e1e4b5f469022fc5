import type { INestApplication } from '@nestjs/common';
import { zipSync } from 'fflate';
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtlWorker } from '@bu/etl';
import { hashPassword } from '../../apps/api/src/auth/auth.service';
import { PASSWORD, seedUsers, startTestApi, tokenFor, waitForJob as waitForJobOverApi } from '../support/api';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { DUBU_SMALL } from '../support/fixtures';
import { addUser } from '../../scripts/lib/users';

// Issue 12, point 3: every endpoint is scoped to the caller's municipality. The fixture export is
// municipality 461's; "admin-101" administers Copenhagen, "admin-461" administers 461.

function zipFolder(dir: string): Buffer {
  const files: Record<string, Uint8Array> = {};
  for (const f of readdirSync(dir)) files[`udtraek/${f}`] = readFileSync(join(dir, f));
  return Buffer.from(zipSync(files));
}

describe('scoping: a municipality sees and changes only its own', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let worker: ReturnType<typeof startEtlWorker>;
  const tokens: Record<string, string> = {};
  const http = () => request(app.getHttpServer());
  const as = (user: string) => ({ Authorization: `Bearer ${tokens[user]}` });
  const jobs: Record<string, string> = {};

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedUsers(db, 461, 'Team Syd');
    await addUser(db.pool, { username: 'admin-461', password: PASSWORD, role: 'admin', municipality: 461 });
    await addUser(db.pool, { username: 'admin-101', password: PASSWORD, role: 'admin', municipality: 101 });
    // A team leader without teams, as an older version could create one (the API refuses it now).
    await db.pool.query(
      `INSERT INTO app_user (username, password_hash, role, municipality_code, teams) VALUES ('leder-uden-team', $1, 'teamleder', 461, '{}')`,
      [await hashPassword(PASSWORD)],
    );
    app = await startTestApi(db);
    worker = startEtlWorker({ databaseUrl: db.url }, db.pool, TEST_SECRET);
    for (const u of ['admin', 'admin-461', 'admin-101', 'chef', 'chef-kbh', 'teamleder', 'leder-uden-team'])
      tokens[u] = await tokenFor(app, u);
  });
  afterAll(async () => {
    await worker?.close();
    await app?.close();
    await db?.drop();
  });

  const waitForJob = (id: string) => waitForJobOverApi(app, tokens.admin, id);

  const caseCount = async (municipality: number) =>
    (await db.pool.query('SELECT count(*)::int AS n FROM child_case WHERE municipality_code = $1', [municipality])).rows[0].n;

  it("refuses, as a whole, another municipality's export uploaded by a municipality's administrator", async () => {
    const upload = await http()
      .post('/api/v1/imports')
      .set(as('admin-101'))
      .field('source', 'dubu')
      .field('exportDate', '2024-02-29')
      .attach('file', zipFolder(DUBU_SMALL), 'x.zip')
      .expect(201);
    jobs.foreign = upload.body.jobId;
    const job = await waitForJob(upload.body.jobId);
    expect(job.state).toBe('failed');
    expect(job.failedReason).toBe('Udtrækket er fra kommune 461; du må kun indlæse data for kommune 101. Intet er indlæst.');
    expect(await caseCount(461)).toBe(0);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM source_snapshot')).rows[0].n).toBe(0);
    // The failed run is in the uploader's own log, not in 461's.
    const runs = (await db.pool.query(`SELECT municipality_code, status FROM import_run`)).rows;
    expect(runs).toEqual([{ municipality_code: 101, status: 'failed' }]);
    // Naming another municipality outright is refused at once.
    const named = await http()
      .post('/api/v1/imports')
      .set(as('admin-101'))
      .field('source', 'dubu')
      .field('municipality', '461')
      .attach('file', zipFolder(DUBU_SMALL), 'x.zip')
      .expect(403);
    expect(named.body.message).toBe('Du har ikke adgang til at indlæse data for kommune 461');
  });

  it("loads the municipality's own export for its administrator", async () => {
    const upload = await http()
      .post('/api/v1/imports')
      .set(as('admin-461'))
      .field('source', 'dubu')
      .field('exportDate', '2024-02-29')
      .attach('file', zipFolder(DUBU_SMALL), 'x.zip')
      .expect(201);
    jobs.own = upload.body.jobId;
    const job = await waitForJob(upload.body.jobId);
    expect(job.state).toBe('completed');
    expect(await caseCount(461)).toBe(11);
  });

  it('keeps economy and statistics uploads, which touch every municipality, to national administrators', async () => {
    for (const source of ['economy', 'statistics']) {
      const res = await http()
        .post('/api/v1/imports')
        .set(as('admin-461'))
        .field('source', source)
        .attach('file', zipFolder(DUBU_SMALL), 'x.zip')
        .expect(403);
      expect(res.body.message).toMatch(/^Du har ikke adgang til at indlæse/);
    }
  });

  it("shows a municipality's administrator its own import jobs only; another's job is 404", async () => {
    await http().get(`/api/v1/imports/jobs/${jobs.own}`).set(as('admin-101')).expect(404);
    await http().get(`/api/v1/imports/jobs/${jobs.foreign}`).set(as('admin-461')).expect(404);
    await http().get(`/api/v1/imports/jobs/${jobs.own}`).set(as('admin-461')).expect(200);
    const completed = async (user: string) =>
      (await http().get('/api/v1/imports/jobs?state=completed').set(as(user)).expect(200)).body.map((j: { id: string }) => j.id);
    const failed = async (user: string) =>
      (await http().get('/api/v1/imports/jobs?state=failed').set(as(user)).expect(200)).body.map((j: { id: string }) => j.id);
    expect(await completed('admin-101')).toEqual([]);
    expect(await completed('admin-461')).toEqual([jobs.own]);
    expect(await failed('admin-461')).toEqual([]);
    expect(await failed('admin-101')).toEqual([jobs.foreign]);
    // The national administrator sees both.
    expect(await completed('admin')).toContain(jobs.own);
    expect(await failed('admin')).toContain(jobs.foreign);
  });

  it("hides another municipality's import log and rejected values", async () => {
    const mine = (await http().get('/api/v1/imports').set(as('admin-461')).expect(200)).body;
    expect(mine.map((r: { municipality: number }) => r.municipality)).toEqual([461]);
    const theirs = (await http().get('/api/v1/imports').set(as('chef-kbh')).expect(200)).body;
    expect(theirs.map((r: { municipality: number }) => r.municipality)).toEqual([101]);
    await http().get(`/api/v1/imports/${mine[0].id}/issues`).set(as('chef-kbh')).expect(404);
    await http().get(`/api/v1/imports/${mine[0].id}/issues`).set(as('admin-101')).expect(404);
    await http().get(`/api/v1/imports/${mine[0].id}/issues`).set(as('chef')).expect(200);
  });

  it("answers another municipality's goal with 404 and leaves it in place", async () => {
    const goal = { kpi: 'activity.family_care_share', title: 'Mindst 65 % i familiepleje', direction: '>=', target: 0.65 };
    const { id } = (await http().post('/api/v1/goals').set(as('admin-461')).send(goal).expect(201)).body;
    await http().delete(`/api/v1/goals/${id}`).set(as('admin-101')).expect(404);
    await http().put(`/api/v1/goals/${id}`).set(as('admin-101')).send(goal).expect(404);
    await http().get('/api/v1/goals?municipality=461').set(as('admin-101')).expect(403);
    expect((await http().get('/api/v1/goals').set(as('chef')).expect(200)).body.map((g: { id: number }) => g.id)).toEqual([id]);
    await http().delete(`/api/v1/goals/${id}`).set(as('admin-461')).expect(204);
  });

  it("answers another municipality's comparison groups, comments and settings with 404 or 403", async () => {
    const { id } = (
      await http()
        .post('/api/v1/comparison-groups')
        .set(as('chef'))
        .send({ name: 'Naboer', members: [410, 479] })
        .expect(201)
    ).body;
    await http().delete(`/api/v1/comparison-groups/${id}`).set(as('chef-kbh')).expect(404);
    await http().delete(`/api/v1/comparison-groups/${id}?municipality=461`).set(as('chef-kbh')).expect(403);
    await http().get('/api/v1/comparison-groups?municipality=461').set(as('chef-kbh')).expect(403);
    // A saved group of another municipality is unknown to a KPI request.
    await http().get(`/api/v1/kpis?ids=benchmark.activity.notifications_per_1000&groupId=${id}`).set(as('chef-kbh')).expect(400);

    const comment = { subjectType: 'budget', subjectKey: '5.28.20', period: '2024', text: 'Forventet merforbrug' };
    await http().put('/api/v1/comments').set(as('chef')).send(comment).expect(200);
    await http()
      .put('/api/v1/comments')
      .set(as('chef-kbh'))
      .send({ ...comment, municipality: 461 })
      .expect(403);
    await http().get('/api/v1/comments?municipality=461').set(as('chef-kbh')).expect(403);
    expect((await http().get('/api/v1/comments').set(as('chef-kbh')).expect(200)).body).toEqual([]);
    await http()
      .delete('/api/v1/comments?subjectType=budget&subjectKey=5.28.20&period=2024&municipality=461')
      .set(as('chef-kbh'))
      .expect(403);

    await http().put('/api/v1/settings/intake_team').set(as('admin-461')).send({ value: 'Team Syd' }).expect(200);
    await http().put('/api/v1/settings/intake_team').set(as('admin-101')).send({ municipality: 461, value: 'X' }).expect(403);
    await http().delete('/api/v1/settings/intake_team?municipality=461').set(as('admin-101')).expect(403);
    await http().get('/api/v1/settings?municipality=461').set(as('admin-101')).expect(403);
    await http().put('/api/v1/settings/intake_team').set(as('admin-461')).send({ municipality: 0, value: 'X' }).expect(403);
  });

  it("answers another municipality's users with 404, and does not let a new user take their name", async () => {
    await http().delete('/api/v1/users/chef').set(as('admin-101')).expect(404);
    const taken = await http()
      .post('/api/v1/users')
      .set(as('admin-101'))
      .send({ username: 'chef', password: 'en-lang-adgangskode', role: 'chef' })
      .expect(409);
    expect(taken.body.message).toBe('Brugernavnet chef er optaget');
    const listed = (await http().get('/api/v1/users').set(as('admin-101')).expect(200)).body.map((u: { username: string }) => u.username);
    expect(listed).toEqual(['admin-101', 'chef-kbh']);
    // The user is untouched.
    await tokenFor(app, 'chef');
  });

  it('refuses to create a team leader without teams, over the API and in the CLI helper', async () => {
    const res = await http()
      .post('/api/v1/users')
      .set(as('admin-461'))
      .send({ username: 'ny.leder', password: 'en-lang-adgangskode', role: 'teamleder' })
      .expect(400);
    expect(res.body.message).toBe('En teamleder skal have mindst ét team (--team).');
    await http()
      .post('/api/v1/users')
      .set(as('admin-461'))
      .send({ username: 'ny.leder', password: 'en-lang-adgangskode', role: 'teamleder', teams: [] })
      .expect(400);
    await expect(
      addUser(db.pool, { username: 'ny.leder', password: 'en-lang-adgangskode', role: 'teamleder', municipality: 461 }),
    ).rejects.toThrow('En teamleder skal have mindst ét team');
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM app_user WHERE username = 'ny.leder'`)).rows[0].n).toBe(0);
  });

  it('gives a team leader without teams (already in the database) 403 on every figure, never every team', async () => {
    for (const path of [
      '/api/v1/kpis',
      '/api/v1/kpis?ids=caseload.open_cases',
      '/api/v1/kpis?ids=deadline.followup_overdue',
      '/api/v1/kpis/caseload.open_cases/series',
    ]) {
      const res = await http().get(path).set(as('leder-uden-team')).expect(403);
      expect(res.body.message).toMatch(/^Du har ikke adgang til nøgletal: din bruger er teamleder uden teams/);
    }
    // The team leader with a team still sees that team's figures.
    await http().get('/api/v1/kpis?ids=caseload.open_cases').set(as('teamleder')).expect(200);
  });
});
