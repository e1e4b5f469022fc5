import type { INestApplication } from '@nestjs/common';
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import request from 'supertest';
import { createApp } from '../../apps/api/src/app';
import { AuthService } from '../../apps/api/src/auth/auth.service';
import { KpiCache } from '../../apps/api/src/kpi/kpi-cache.service';
import { configFromEnv, type AppConfig } from '@bu/config';
import { addUser } from '../../scripts/lib/users';
import type { Pool } from 'pg';
import type { TestDatabase } from './database';
import { TEST_JWT_SECRET, TEST_SECRET } from './database';

export const PASSWORD = 'test-password-123';

/** One user per role (the role-token test matrix), scoped to the fixture municipality. */
export async function seedUsers(db: TestDatabase, municipality: number, team: string): Promise<void> {
  await addUser(db.pool, { username: 'udvalg', password: PASSWORD, role: 'udvalg', municipality });
  await addUser(db.pool, { username: 'chef', password: PASSWORD, role: 'chef', municipality });
  await addUser(db.pool, { username: 'teamleder', password: PASSWORD, role: 'teamleder', municipality, teams: [team] });
  await addUser(db.pool, { username: 'admin', password: PASSWORD, role: 'admin' });
  await addUser(db.pool, { username: 'chef-kbh', password: PASSWORD, role: 'chef', municipality: 101 });
}

/**
 * Starts the API on a test database. Tests write to the database behind the API's back (fixtures,
 * imports on their own pool): the KPI cache learns of those by a notification that may arrive after
 * the next request. So, unless `versionsFromListener` (the cache's own tests), each request first
 * reads the data versions, as the API does without a listener: a test reads its own writes.
 */
export async function startTestApi(
  db: TestDatabase,
  overrides: Partial<AppConfig> = {},
  {
    versionsFromListener = false,
    logger = false,
  }: { versionsFromListener?: boolean; logger?: NonNullable<Parameters<typeof createApp>[1]>['logger'] } = {},
): Promise<INestApplication> {
  const config = configFromEnv(
    {},
    {
      databaseUrl: db.url,
      pseudonymSecret: TEST_SECRET,
      jwtSecret: TEST_JWT_SECRET,
      runWorker: false,
      webDist: 'dist/does-not-exist',
      // Each test API its own private upload folder, not the repository's .data/uploads.
      uploadDir: mkdtempSync(join(tmpdir(), 'bu-test-uploads-')),
      // The tests' national admin logs in with the password alone (tokenFor, several times a step);
      // the policy itself is tested in test/api/second-factor.test.ts.
      secondFactor: 'none',
      ...overrides,
    },
  );
  const app = await createApp(config, { logger });
  if (!versionsFromListener) {
    const cache = app.get(KpiCache);
    app.use(
      (_req: unknown, _res: unknown, next: (error?: unknown) => void) =>
        void cache.read().then(
          () => next(),
          () => next(), // the request meets the database's failure itself, as it would in production
        ),
    );
  }
  await app.init();
  return app;
}

export async function tokenFor(app: INestApplication, username: string): Promise<string> {
  const res = await request(app.getHttpServer()).post('/api/v1/auth/login').send({ username, password: PASSWORD }).expect(200);
  return res.body.token;
}

/** A single sign-on user of the municipality, written as a sign-in would, and a session for it (no password to log in with). */
export async function ssoUserToken(
  app: INestApplication,
  pool: Pool,
  user: { username: string; externalId: string; role?: string; municipality?: number },
): Promise<string> {
  const [row] = (
    await pool.query(
      `INSERT INTO app_user (username, role, municipality_code, teams, auth_source, external_id) VALUES ($1, $2, $3, '{}', 'oidc', $4)
       RETURNING id, token_version AS "tokenVersion"`,
      [user.username, user.role ?? 'chef', user.municipality ?? 461, user.externalId],
    )
  ).rows;
  return (await app.get(AuthService).session(user.username, row)).token;
}

/** Polls an import job over the API until it has completed or failed (20 s at most); the job as the API sends it. */
export async function waitForJob(app: INestApplication, token: string, id: string): Promise<any> {
  for (let i = 0; i < 200; i++) {
    const res = await request(app.getHttpServer()).get(`/api/v1/imports/jobs/${id}`).set('Authorization', `Bearer ${token}`).expect(200);
    if (res.body.state === 'completed' || res.body.state === 'failed') return res.body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${id} did not finish`);
}

/**
 * A change committed by another connection reaches the API by NOTIFY (ADR 0070): waits (up to 5 s)
 * until its cache has the scope's version the database has now, and returns that version.
 */
export async function caughtUp(app: INestApplication, pool: Pool, scope: string): Promise<string> {
  const cache = app.get(KpiCache);
  const { rows } = await pool.query<{ v: string }>('SELECT version::text AS v FROM data_version WHERE scope = $1', [scope]);
  const target = rows[0]?.v ?? '0';
  for (let i = 0; i < 500 && cache.current(scope) !== target; i++) await new Promise((r) => setTimeout(r, 10));
  if (cache.current(scope) !== target) throw new Error(`the API has version ${cache.current(scope)} of ${scope}, not ${target}`);
  return target;
}
