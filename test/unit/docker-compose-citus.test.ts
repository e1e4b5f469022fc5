import { spawnSync } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import { resolve } from 'path';
import { describe, expect, it } from 'vitest';
import { READ_MODEL_TABLES } from '@bu/db';
import { createTestDatabase } from '../support/database';

const COMPOSE = '/usr/bin/docker-compose';
const FILE = resolve(__dirname, '../../docker/compose.citus.yml');
const SECRETS = { JWT_SECRET: 'x', PSEUDONYM_SECRET: 'y', POSTGRES_PASSWORD: 'z', API_DB_PASSWORD: 'w' };

// The Citus variant (docs/SCALING.md): validated, not run (no engine here, as for compose.yml).
describe('docker/compose.citus.yml', () => {
  it.skipIf(!existsSync(COMPOSE))('is a valid compose file: a coordinator, two Citus workers, the setup and the product', () => {
    const base = { ...process.env };
    for (const name of Object.keys(SECRETS)) delete base[name];
    const result = spawnSync(COMPOSE, ['-f', FILE, 'config', '--services'], { encoding: 'utf8', env: { ...base, ...SECRETS } });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n').sort()).toEqual([
      'api',
      'citus-setup',
      'citus-worker-1',
      'citus-worker-2',
      'migrate',
      'postgres',
      'redis',
      'web',
      'worker',
    ]);
  });

  it('distributes every table partitioned by municipality, and the read models, and replicates what every KPI joins', async () => {
    const sql = readFileSync(resolve(__dirname, '../../docker/citus-distribute.sql'), 'utf8');
    const listed = (name: string) => sql.includes(`'${name}'`);
    const db = await createTestDatabase();
    try {
      const { rows } = await db.pool.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind = 'p' ORDER BY 1`,
      );
      expect(rows.length).toBeGreaterThan(10);
      for (const { name } of rows) expect(listed(name), name).toBe(true);
    } finally {
      await db.drop();
    }
    // Every read model the build makes, a new one too.
    for (const table of [
      ...READ_MODEL_TABLES,
      'read_model_state',
      'budget_line',
      'municipality',
      'municipal_statistic',
      'population',
      'setting',
    ])
      expect(listed(table), table).toBe(true);
  });
});
