import type { INestApplication } from '@nestjs/common';
import { join } from 'path';
import { Pool } from 'pg';
import request from 'supertest';
import { expect } from 'vitest';
import { migrate } from '@bu/db';
import { importDubu } from '@bu/etl';
import { KpiCache } from '../../apps/api/src/kpi/kpi-cache.service';
import { seedUsers, startTestApi, tokenFor } from './api';
import { TEST_SECRET } from './database';
import { FIXTURES } from './fixtures';

/**
 * The product's whole way through one database URL (a server of a test's own, reached as in
 * production): the migrations, an import with its staging thread, the API's pool and its KPI
 * cache's listener, and a KPI answered over HTTP. The pool and the app, for the caller to close.
 */
export async function migrateImportAndAnswer(url: string): Promise<{ pool: Pool; app: INestApplication }> {
  await migrate(url);
  const pool = new Pool({ connectionString: url, max: 4 });
  // A threshold of one byte: the largest file is staged by the import's thread, on a connection of its own.
  const result = await importDubu(pool, join(FIXTURES, 'dubu-deadlines'), {
    pseudonymSecret: TEST_SECRET,
    exportDate: '2024-04-30',
    stagingThreadBytes: 1,
  });
  expect(result.status).toBe('succeeded');
  await seedUsers({ url, pool, drop: async () => undefined }, 461, 'Team Nord');
  const app = await startTestApi({ url, pool, drop: async () => undefined }, {}, { versionsFromListener: true });
  app.get(KpiCache).setRewarm(0);
  const token = await tokenFor(app, 'chef');
  const res = await request(app.getHttpServer())
    .get('/api/v1/kpis?ids=caseload.open_cases')
    .set('Authorization', `Bearer ${token}`)
    .expect(200);
  // AA 4, BB 1, CC 2: libs/kpi/src/caseload/open-cases.spec.ts works them out.
  expect(res.body.kpis['caseload.open_cases']).toEqual({ AA: 4, BB: 1, CC: 2 });
  return { pool, app };
}
