import { spawn, spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import { resolve } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TestDatabase } from '../support/database';

// The real entry points refuse to start on a missing, empty, short or published secret, with one
// line that names the variable and says how to make one, and no stack trace.
const ROOT = resolve(__dirname, '../..');
const GOOD_JWT = randomBytes(32).toString('hex');
const GOOD_PSEUDONYM = randomBytes(32).toString('hex');

function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    PORT: '0',
    REDIS_URL: '',
    DROP_FOLDER_INTERVAL_MS: '0',
  };
  delete env.JWT_SECRET;
  delete env.PSEUDONYM_SECRET;
  return env;
}

function run(entry: string[], env: NodeJS.ProcessEnv) {
  const result = spawnSync(process.execPath, ['tools/run.js', ...entry], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stderr: result.stderr, stdout: result.stdout };
}

function expectRefused(result: ReturnType<typeof run>, variable: string): void {
  expect(result.status, result.stderr).not.toBe(0);
  expect(result.status).not.toBeNull();
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^Konfigurationsfejl: ${variable} .*openssl rand -hex 32`));
}

const ENTRIES = {
  api: ['scripts/serve.ts'],
  worker: ['apps/worker/src/main.ts'],
  etl: ['etl/src/cli.ts', 'import', 'dubu', 'test/fixtures/dubu-small', '--json'],
};

describe('the API, the worker and the ETL CLI refuse weak secrets', () => {
  const cases: [string, string | undefined][] = [
    ['missing', undefined],
    ['empty', ''],
    ['short', 'x'.repeat(31)],
    ['published (compose default)', 'change-me-to-a-long-random-secret'],
    ['published (test)', 'test-pseudonym-secret-0123456789'],
  ];

  for (const [what, value] of cases) {
    it(`PSEUDONYM_SECRET ${what}: the API, the worker and the ETL CLI exit with one line`, () => {
      for (const entry of Object.values(ENTRIES)) {
        const env: NodeJS.ProcessEnv = { ...baseEnv(), JWT_SECRET: GOOD_JWT };
        if (value !== undefined) env.PSEUDONYM_SECRET = value;
        expectRefused(run(entry, env), 'PSEUDONYM_SECRET');
      }
    });
  }

  for (const [what, value] of [
    ...cases,
    ['published (compose default of JWT_SECRET)', 'change-me-to-another-long-random-secret'] as [string, string],
  ]) {
    it(`JWT_SECRET ${what}: the API exits with one line`, () => {
      const env: NodeJS.ProcessEnv = { ...baseEnv(), PSEUDONYM_SECRET: GOOD_PSEUDONYM };
      if (value !== undefined) env.JWT_SECRET = value;
      expectRefused(run(ENTRIES.api, env), 'JWT_SECRET');
    });
  }

  it('the worker and the ETL CLI do not need JWT_SECRET, but refuse a published one that is set', () => {
    for (const entry of [ENTRIES.worker, ENTRIES.etl]) {
      expectRefused(run(entry, { ...baseEnv(), PSEUDONYM_SECRET: GOOD_PSEUDONYM, JWT_SECRET: 'test-jwt-secret' }), 'JWT_SECRET');
    }
  });
});

describe('a wrong value of a setting that modules read as they load', () => {
  it('the API, the worker and the ETL CLI exit with one Danish line per value, and no stack trace', () => {
    const env: NodeJS.ProcessEnv = {
      ...baseEnv(),
      JWT_SECRET: GOOD_JWT,
      PSEUDONYM_SECRET: GOOD_PSEUDONYM,
      KPI_SLOTS: '0',
      KPI_REWARM: '-1',
    };
    for (const entry of Object.values(ENTRIES)) {
      const result = run(entry, env);
      expect(result.status, result.stderr).not.toBe(0);
      expect(result.status).not.toBeNull();
      expect(result.stderr.trim().split('\n'), result.stderr).toEqual([
        'Konfigurationsfejl: KPI_REWARM har en ugyldig værdi ("-1"): den skal være mindst 0',
        'Konfigurationsfejl: KPI_SLOTS har en ugyldig værdi ("0"): den skal være mindst 1',
      ]);
    }
  });
});

describe('with good secrets', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('the ETL CLI imports and the API starts', async () => {
    const env = {
      ...baseEnv(),
      DATABASE_URL: db.url,
      PSEUDONYM_SECRET: GOOD_PSEUDONYM,
      JWT_SECRET: GOOD_JWT,
      WEB_DIST: 'dist/does-not-exist',
    };
    const etl = run(ENTRIES.etl, env);
    expect(etl.status, etl.stderr).toBe(0);
    expect(JSON.parse(etl.stdout).status).toBe('succeeded');

    const api = spawn(process.execPath, ['tools/run.js', 'scripts/serve.ts', 'api'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    api.stdout.on('data', (d) => (output += d));
    api.stderr.on('data', (d) => (output += d));
    try {
      await new Promise<void>((done, fail) => {
        const timer = setInterval(() => output.includes('Børneblik on') && (clearInterval(timer), done()), 100);
        api.once('exit', (code) => (clearInterval(timer), fail(new Error(`exited ${code}: ${output}`))));
      });
      const url = /Børneblik on (\S+) /.exec(output)![1];
      const health = await fetch(`${url.replace('localhost', '127.0.0.1')}/api/health`);
      expect(health.status).toBe(200);
    } finally {
      const exited = new Promise((r) => api.once('exit', r));
      api.kill('SIGTERM');
      await exited;
    }
  });
});
