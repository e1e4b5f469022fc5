import type { INestApplication } from '@nestjs/common';
import { spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import { resolve } from 'path';
import { Client } from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { DUBU_SMALL, DUBU_SMALL_D } from '../support/fixtures';

const ROOT = resolve(__dirname, '../..');

// The API on a login of its own (docs/SECURITY.md): `npm run db:migrate` with API_DB_PASSWORD lets
// bu_api log in, and an API whose DATABASE_URL names bu_api holds no owner connection: RESET ROLE
// leaves it bu_api, the audit log stays append-only, and row-level security still applies.
describe('the API logged in as its own database role', () => {
  const password = randomBytes(24).toString('hex');
  let db: TestDatabase;
  let app: INestApplication;
  let apiUrl: string;
  const migrate = (env: Record<string, string>) =>
    spawnSync(process.execPath, ['tools/run.js', 'scripts/migrate.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: db.url, ...env },
    });

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, DUBU_SMALL, { pseudonymSecret: TEST_SECRET, exportDate: DUBU_SMALL_D });
    await seedUsers(db, 461, 'Team Syd');
    const url = new URL(db.url);
    url.username = 'bu_api';
    url.password = password;
    apiUrl = url.toString();
  });
  afterAll(async () => {
    await app?.close();
    // The role is the cluster's: back to NOLOGIN, as the migrations leave it.
    await db?.pool.query('ALTER ROLE bu_api WITH NOLOGIN PASSWORD NULL').catch(() => undefined);
    await db?.drop();
  });

  it('refuses a weak API_DB_PASSWORD and changes nothing', () => {
    const weak = migrate({ API_DB_PASSWORD: 'kort' });
    expect(weak.status).toBe(1);
    expect(weak.stderr).toContain('API_DB_PASSWORD er for kort');
  });

  it('lets bu_api log in after db:migrate with API_DB_PASSWORD, and the API works on that login', async () => {
    const done = migrate({ API_DB_PASSWORD: password });
    expect(done.stderr).toBe('');
    expect(done.status).toBe(0);
    expect(done.stdout).toContain('bu_api may log in');

    app = await startTestApi(db, { databaseUrl: apiUrl });
    const chef = await tokenFor(app, 'chef');
    const res = await request(app.getHttpServer())
      .get('/api/v1/kpis?ids=caseload.open_cases')
      .set('Authorization', `Bearer ${chef}`)
      .expect(200);
    expect(res.body.municipality).toBe(461);
    await request(app.getHttpServer())
      .get('/api/v1/kpis?ids=caseload.open_cases&municipality=101')
      .set('Authorization', `Bearer ${chef}`)
      .expect(403);
  });

  it('gives a connection of that login no way back to the owner', async () => {
    const client = new Client({ connectionString: apiUrl });
    await client.connect();
    try {
      await client.query('RESET ROLE');
      expect((await client.query('SELECT current_user AS u')).rows[0].u).toBe('bu_api');
      await expect(client.query(`UPDATE audit_log SET detail = '{}'`)).rejects.toThrow(/permission denied/);
      await expect(client.query('DELETE FROM child_case')).rejects.toThrow(/permission denied/);
      // Without a scope the case facts show no rows (row-level security).
      expect((await client.query('SELECT count(*)::int AS n FROM child_case')).rows[0].n).toBe(0);
      await expect(client.query('SET ROLE root')).rejects.toThrow(/permission denied/);
    } finally {
      await client.end();
    }
  });
});
