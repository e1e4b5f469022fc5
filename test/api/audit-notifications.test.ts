import type { INestApplication } from '@nestjs/common';
import { rmSync } from 'fs';
import { join } from 'path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { copyFixture, editFile, FIXTURES } from '../support/fixtures';

// A notification about a child with no case (the intake team's) is person-level data as much as
// a case row: whoever sees it in a work list is written to the audit log, by its notification id.
describe('the audit log of notifications without a case', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let dir: string;
  let token: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = copyFixture(join(FIXTURES, 'dubu-deadlines'));
    // N20's child has no case; not assessed, its 24 hours end after D: the soon-due list, intake team.
    editFile(dir, 'underretninger.csv', (text) => `${text.trimEnd()}\nN20;121214-4012;30-04-2024 07:00;;skole;Nej\n`);
    await importDubu(db.pool, dir, { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' });
    await seedUsers(db, 461, 'Team Nord');
    app = await startTestApi(db);
    token = await tokenFor(app, 'chef');
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records the notification id of a row with no case, beside the cases of the others', async () => {
    await db.pool.query('DELETE FROM audit_log');
    const res = await request(app.getHttpServer())
      .get('/api/v1/kpis?ids=deadline.notification_due_soon')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    const rows = res.body.kpis['deadline.notification_due_soon'].rows as { notification: string; case: string | null }[];
    expect(rows.find((r) => r.notification === 'N20')).toMatchObject({ case: null });
    // Only the answers' rows: the login's own row is written after its response, maybe after the DELETE.
    const { rows: seen } = await db.pool.query(`SELECT username, action, case_ids FROM audit_access WHERE action LIKE 'kpi:%'`);
    const expected = rows.map((r) => r.case ?? `underretning:${r.notification}`).sort();
    expect(seen).toEqual([{ username: 'chef', action: 'kpi:deadline.notification_due_soon', case_ids: expected }]);
    expect(expected).toContain('underretning:N20');
  });

  it('records an answer whose only row has no case (before, such an answer left no row at all)', async () => {
    await db.pool.query('DELETE FROM audit_log');
    // Only the rows with no case: the list filtered to them.
    const res = await request(app.getHttpServer())
      .get('/api/v1/kpis?ids=deadline.notification_due_soon&filter=case:')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(res.body.kpis['deadline.notification_due_soon'].rows.map((r: { notification: string }) => r.notification)).toEqual(['N20']);
    const { rows: seen } = await db.pool.query(`SELECT case_ids FROM audit_access WHERE action LIKE 'kpi:%'`);
    expect(seen).toEqual([{ case_ids: ['underretning:N20'] }]);
  });
});
