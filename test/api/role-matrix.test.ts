import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, TEST_SECRET, TestDatabase } from '../support/database';
import { DUBU_SMALL, DUBU_SMALL_D } from '../support/fixtures';

// Every endpoint called with every role's token (and none): who may call what is part of the contract.
type Role = 'udvalg' | 'chef' | 'teamleder' | 'admin';
const ROLES: Role[] = ['udvalg', 'chef', 'teamleder', 'admin'];

const MATRIX: { method: 'get' | 'post' | 'put' | 'patch' | 'delete'; path: string; body?: object; expect: Record<Role, number>; anonymous?: number }[] = [
  { method: 'get', path: '/api/health', expect: { udvalg: 200, chef: 200, teamleder: 200, admin: 200 }, anonymous: 200 },
  { method: 'get', path: '/api/v1/me', expect: { udvalg: 200, chef: 200, teamleder: 200, admin: 200 } },
  { method: 'get', path: '/api/v1/municipalities', expect: { udvalg: 200, chef: 200, teamleder: 200, admin: 200 } },
  { method: 'get', path: '/api/v1/kpis?ids=caseload.open_cases', expect: { udvalg: 403, chef: 200, teamleder: 200, admin: 200 } },
  { method: 'get', path: '/api/v1/kpis?ids=deadline.followup_overdue', expect: { udvalg: 403, chef: 200, teamleder: 200, admin: 200 } },
  { method: 'get', path: '/api/v1/kpis?ids=budget.function', expect: { udvalg: 200, chef: 200, teamleder: 403, admin: 200 } },
  { method: 'get', path: '/api/v1/kpis?ids=activity.summary', expect: { udvalg: 200, chef: 200, teamleder: 403, admin: 200 } },
  { method: 'get', path: '/api/v1/kpis?ids=cost.top_cases', expect: { udvalg: 403, chef: 200, teamleder: 403, admin: 200 } },
  { method: 'get', path: '/api/v1/kpis?ids=benchmark.activity.notifications_per_1000', expect: { udvalg: 200, chef: 200, teamleder: 403, admin: 200 } },
  { method: 'get', path: '/api/v1/kpis?ids=dq.rejected_rows', expect: { udvalg: 403, chef: 200, teamleder: 200, admin: 200 } },
  { method: 'get', path: '/api/v1/kpis/activity.notifications/series', expect: { udvalg: 403, chef: 200, teamleder: 403, admin: 200 } },
  { method: 'get', path: '/api/v1/etl/rules', expect: { udvalg: 403, chef: 200, teamleder: 200, admin: 200 } },
  { method: 'get', path: '/api/v1/imports', expect: { udvalg: 403, chef: 200, teamleder: 403, admin: 200 } },
  { method: 'get', path: '/api/v1/imports/1/issues', expect: { udvalg: 403, chef: 200, teamleder: 403, admin: 200 } },
  { method: 'get', path: '/api/v1/imports/jobs?state=failed', expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 200 } },
  { method: 'post', path: '/api/v1/imports', body: {}, expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 400 } },
  { method: 'get', path: '/api/v1/goals', expect: { udvalg: 200, chef: 200, teamleder: 403, admin: 200 } },
  { method: 'post', path: '/api/v1/goals', body: {}, expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 400 } },
  { method: 'get', path: '/api/v1/comparison-groups', expect: { udvalg: 200, chef: 200, teamleder: 403, admin: 200 } },
  { method: 'get', path: '/api/v1/comparison-groups/suggested', expect: { udvalg: 200, chef: 200, teamleder: 403, admin: 200 } },
  { method: 'post', path: '/api/v1/comparison-groups', body: {}, expect: { udvalg: 403, chef: 400, teamleder: 403, admin: 400 } },
  { method: 'get', path: '/api/v1/comments', expect: { udvalg: 200, chef: 200, teamleder: 200, admin: 200 } },
  { method: 'put', path: '/api/v1/comments', body: {}, expect: { udvalg: 403, chef: 400, teamleder: 403, admin: 400 } },
  { method: 'delete', path: '/api/v1/comments', expect: { udvalg: 403, chef: 400, teamleder: 403, admin: 400 } },
  { method: 'get', path: '/api/v1/settings', expect: { udvalg: 403, chef: 200, teamleder: 403, admin: 200 } },
  { method: 'put', path: '/api/v1/settings/caseload.norms', body: {}, expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 400 } },
  { method: 'delete', path: '/api/v1/settings/caseload.norms?municipality=461', expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 404 } },
  { method: 'get', path: '/api/v1/users', expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 200 } },
  { method: 'post', path: '/api/v1/users', body: {}, expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 400 } },
  { method: 'delete', path: '/api/v1/users/nobody', expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 404 } },
  { method: 'patch', path: '/api/v1/users/nobody', body: { disabled: true }, expect: { udvalg: 403, chef: 403, teamleder: 403, admin: 404 } },
];

describe('role matrix: every endpoint with every role', () => {
  let db: TestDatabase;
  let app: INestApplication;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    db = await createTestDatabase();
    await importDubu(db.pool, DUBU_SMALL, { pseudonymSecret: TEST_SECRET, exportDate: DUBU_SMALL_D });
    await seedUsers(db, 461, 'Team Syd');
    app = await startTestApi(db);
    for (const role of ROLES) tokens[role] = await tokenFor(app, role);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  for (const entry of MATRIX) {
    it(`${entry.method.toUpperCase()} ${entry.path}`, async () => {
      const got: Record<string, number> = {};
      for (const role of ROLES) {
        const req = request(app.getHttpServer())[entry.method](entry.path).set('Authorization', `Bearer ${tokens[role]}`);
        got[role] = (await (entry.body ? req.send(entry.body) : req)).status;
      }
      expect(got).toEqual(entry.expect);
      const anonymous = (await request(app.getHttpServer())[entry.method](entry.path)).status;
      expect(anonymous).toBe(entry.anonymous ?? 401);
    });
  }
});
