import { randomBytes } from 'crypto';
import { execFileSync } from 'child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  configFromEnv,
  KNOWN_SECRETS,
  parseEnv,
  processesFromEnv,
  secretProblem,
  shownValue,
  workerConfigFromEnv,
} from '@bu/config';
import { localSecrets } from '../../scripts/lib/secrets';

const ROOT = resolve(__dirname, '../..');
const GOOD = 'a'.repeat(20) + '0123456789abcdef';
const OTHER = 'b'.repeat(20) + '0123456789abcdef';
const BASE = { DATABASE_URL: 'postgres://x@127.0.0.1/x', JWT_SECRET: GOOD, PSEUDONYM_SECRET: OTHER };

function problems(read: () => unknown): string[] {
  try {
    read();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('@bu/config: one schema for every setting', () => {
  it('reads the environment with defaults and types', () => {
    const config = configFromEnv({ ...BASE, PORT: '4000', RUN_WORKER: 'false', REDIS_URL: '', KPI_CACHE_MB: '16' });
    expect(config).toMatchObject({
      databaseUrl: BASE.DATABASE_URL,
      port: 4000,
      host: '0.0.0.0',
      runWorker: false,
      redisUrl: undefined,
      jwtTtlSeconds: 8 * 3600,
      apiDocs: 'off',
      hsts: false,
      etlLockDurationMs: 30_000,
      dropFolderIntervalMs: 900_000,
    });
    expect(parseEnv({ KPI_CACHE_MB: '16', ETL_TRACE: '1' })).toMatchObject({ KPI_CACHE_MB: 16, ETL_TRACE: true, EMBEDDED_PG_PORT: 54329 });
    expect(configFromEnv({ ...BASE, API_HOST: '127.0.0.1' }).host).toBe('127.0.0.1');
    // A host name (tcsh exports HOST as the machine's name) is not an address to listen on.
    expect(problems(() => configFromEnv({ ...BASE, API_HOST: 'mymachine' }))).toEqual([
      'API_HOST skal være en IP-adresse, fx 127.0.0.1 eller 0.0.0.0 (fik "mymachine").',
    ]);
  });

  it('runs one process with its worker by default, and supervises API_PROCESSES and WORKER_PROCESSES children otherwise', () => {
    expect(processesFromEnv({})).toEqual({ api: 1, workers: 1, supervised: false });
    expect(processesFromEnv({ WORKER_PROCESSES: '0' })).toEqual({ api: 1, workers: 0, supervised: false });
    expect(processesFromEnv({ API_PROCESSES: '2', WORKER_PROCESSES: '2' })).toEqual({ api: 2, workers: 2, supervised: true });
    expect(processesFromEnv({ API_PROCESSES: '1', WORKER_PROCESSES: '3' })).toEqual({ api: 1, workers: 3, supervised: true });
    // RUN_WORKER off, or `serve api` (runWorker false): no worker, however many are asked for.
    expect(processesFromEnv({ API_PROCESSES: '2', WORKER_PROCESSES: '2', RUN_WORKER: 'off' })).toEqual({
      api: 2,
      workers: 0,
      supervised: true,
    });
    expect(processesFromEnv({ WORKER_PROCESSES: '2' }, false)).toEqual({ api: 1, workers: 0, supervised: false });
    expect(problems(() => processesFromEnv({ API_PROCESSES: '0' }))).toEqual([
      expect.stringMatching(/^API_PROCESSES har en ugyldig værdi/),
    ]);
    expect(problems(() => processesFromEnv({ WORKER_PROCESSES: 'to' }))).toEqual([
      expect.stringMatching(/^WORKER_PROCESSES har en ugyldig værdi/),
    ]);
  });

  it('reaches a database on another machine only with sslmode=verify-full, unless DATABASE_REQUIRE_TLS=0 (ADR 0092)', () => {
    const remote = 'postgres://bu_api:kode@db.kommune.dk:5432/boerneblik';
    for (const url of [
      remote,
      `${remote}?sslmode=require`,
      `${remote}?sslmode=verify-ca`,
      `${remote}?sslmode=prefer`,
      `${remote}?sslmode=no-verify`,
    ]) {
      for (const read of [() => configFromEnv({ ...BASE, DATABASE_URL: url }), () => workerConfigFromEnv({ ...BASE, DATABASE_URL: url })]) {
        const found = problems(read);
        expect(found, url).toHaveLength(1);
        expect(found[0]).toMatch(/^DATABASE_URL går til databaseserveren db\.kommune\.dk (uden TLS|med sslmode=)/);
        expect(found[0]).toContain('sslmode=verify-full');
        expect(found[0]).not.toContain('kode');
      }
    }
    // The replica is checked alike.
    expect(problems(() => configFromEnv({ ...BASE, DATABASE_REPLICA_URL: 'postgres://bu_api@standby.kommune.dk/boerneblik' }))).toEqual([
      expect.stringMatching(/^DATABASE_REPLICA_URL går til databaseserveren standby\.kommune\.dk uden TLS/),
    ]);
    // Verified TLS; this machine's server (loopback, a Unix socket); or the operator's explicit choice.
    for (const url of [
      `${remote}?sslmode=verify-full`,
      'postgres://bu_api@localhost/boerneblik',
      'postgres://bu_api@127.0.0.1:5432/boerneblik',
      'postgres://bu_api@[::1]:5432/boerneblik',
      'postgres://bu_api@/boerneblik?host=/var/run/postgresql',
    ]) {
      expect(
        problems(() => configFromEnv({ ...BASE, DATABASE_URL: url })),
        url,
      ).toEqual([]);
    }
    expect(problems(() => configFromEnv({ ...BASE, DATABASE_URL: remote, DATABASE_REQUIRE_TLS: '0' }))).toEqual([]);
    // pg takes the last sslmode given: a second one cannot hide behind the first.
    expect(problems(() => configFromEnv({ ...BASE, DATABASE_URL: `${remote}?sslmode=verify-full&sslmode=disable` }))).toEqual([
      expect.stringMatching(/^DATABASE_URL går til databaseserveren db\.kommune\.dk uden TLS/),
    ]);
    // No host in the URL: pg takes PGHOST, which is checked as the host.
    expect(problems(() => configFromEnv({ ...BASE, DATABASE_URL: 'postgres://bu_api@/boerneblik', PGHOST: 'db.kommune.dk' }))).toEqual([
      expect.stringMatching(/^DATABASE_URL går til databaseserveren db\.kommune\.dk uden TLS/),
    ]);
    expect(problems(() => configFromEnv({ ...BASE, DATABASE_URL: 'postgres://bu_api@/boerneblik' }))).toEqual([]);
    // A name that starts with 127 is not this machine.
    expect(problems(() => configFromEnv({ ...BASE, DATABASE_URL: 'postgres://bu_api@127.0.0.1.nip.io/boerneblik' }))).toHaveLength(1);
    // What libpq's tools would read otherwise than pg: hostaddr, a list of hosts.
    for (const url of [
      'postgres://bu_api@localhost/boerneblik?hostaddr=10.0.0.5',
      'postgres://bu_api@127.0.0.1,db.kommune.dk/boerneblik',
    ]) {
      expect(
        problems(() => configFromEnv({ ...BASE, DATABASE_URL: url })),
        url,
      ).toEqual(['DATABASE_URL: hostaddr og flere værter i én adresse bruges ikke; angiv én databaseserver.']);
    }
    // A password with an unencoded @ is not echoed as the host.
    const [leak] = problems(() => configFromEnv({ ...BASE, DATABASE_URL: 'postgres://bu_api:hemmelig@del/to@db.kommune.dk/boerneblik' }));
    expect(leak).toMatch(/^DATABASE_URL går til en anden maskine uden TLS/);
    expect(leak).not.toMatch(/hemmelig|del\b/);
    // A host given as a parameter is the host.
    expect(problems(() => configFromEnv({ ...BASE, DATABASE_URL: 'postgres://bu_api@/boerneblik?host=db.kommune.dk' }))).toHaveLength(1);
    // A CA file that is not there is said at start, not at the first connection.
    expect(
      problems(() => configFromEnv({ ...BASE, DATABASE_URL: `${remote}?sslmode=verify-full&sslrootcert=/findes/ikke/ca.crt` })),
    ).toEqual(['DATABASE_URL: sslrootcert-filen /findes/ikke/ca.crt findes ikke.']);
  });

  it('reaches Redis on another machine only over TLS (rediss://), unless REDIS_REQUIRE_TLS=0 (ADR 0093)', () => {
    for (const read of [
      () => configFromEnv({ ...BASE, REDIS_URL: 'redis://:kode@redis.kommune.dk:6379' }),
      () => workerConfigFromEnv({ ...BASE, REDIS_URL: 'redis://:kode@redis.kommune.dk:6379' }),
    ]) {
      const found = problems(read);
      expect(found).toEqual([expect.stringMatching(/^REDIS_URL går til Redis på redis\.kommune\.dk uden TLS\. Brug rediss:\/\//)]);
      expect(found[0]).not.toContain('kode');
    }
    const [leak] = problems(() => configFromEnv({ ...BASE, REDIS_URL: 'redis://u:hemmelig@del/to@redis.kommune.dk:6379' }));
    expect(leak).toMatch(/^REDIS_URL går til Redis på en anden maskine uden TLS/);
    expect(leak).not.toMatch(/hemmelig|del\b/);
    for (const url of [
      'rediss://redis.kommune.dk:6380',
      'redis://127.0.0.1:6379',
      'redis://localhost',
      'redis://[::1]:6379',
      '/run/redis.sock',
    ]) {
      expect(
        problems(() => configFromEnv({ ...BASE, REDIS_URL: url })),
        url,
      ).toEqual([]);
    }
    expect(problems(() => configFromEnv({ ...BASE, REDIS_URL: 'redis://redis:6379', REDIS_REQUIRE_TLS: '0' }))).toEqual([]);
    const dir = mkdtempSync(join(tmpdir(), 'bu-redis-ca-'));
    try {
      const ca = join(dir, 'ca.crt');
      writeFileSync(ca, 'PEM');
      expect(problems(() => configFromEnv({ ...BASE, REDIS_URL: 'rediss://redis.kommune.dk:6380', REDIS_TLS_CA_FILE: ca }))).toEqual([]);
      // A CA for a connection without TLS would be a mistake that hides none.
      expect(problems(() => configFromEnv({ ...BASE, REDIS_URL: 'redis://127.0.0.1:6379', REDIS_TLS_CA_FILE: ca }))).toEqual([
        'REDIS_TLS_CA_FILE er sat, men REDIS_URL begynder ikke med rediss:// (Redis over TLS).',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(
      problems(() => configFromEnv({ ...BASE, REDIS_URL: 'rediss://redis.kommune.dk:6380', REDIS_TLS_CA_FILE: '/findes/ikke.crt' })),
    ).toEqual(['REDIS_TLS_CA_FILE: filen /findes/ikke.crt findes ikke.']);
  });

  it('names the variable of a wrong value, and says in Danish what it should be', () => {
    expect(problems(() => configFromEnv({ ...BASE, PORT: 'eighty' }))).toEqual([
      'PORT har en ugyldig værdi ("eighty"): den skal være et helt tal',
    ]);
    expect(problems(() => configFromEnv({ ...BASE, API_DOCS: 'yes' }))).toEqual([
      'API_DOCS har en ugyldig værdi ("yes"): den skal være en af off, admin, public',
    ]);
    expect(problems(() => configFromEnv({ ...BASE, KPI_SLOTS: '0', KPI_REWARM: '-1', KPI_CONCURRENCY: '2.5' }))).toEqual([
      'KPI_REWARM har en ugyldig værdi ("-1"): den skal være mindst 0',
      'KPI_CONCURRENCY har en ugyldig værdi ("2.5"): den skal være et helt tal',
      'KPI_SLOTS har en ugyldig værdi ("0"): den skal være mindst 1',
    ]);
    expect(problems(() => configFromEnv({ ...BASE, PORT: '70000' }))).toEqual([
      'PORT har en ugyldig værdi ("70000"): den må højst være 65535',
    ]);
    // One line per variable, however many of its checks the value fails.
    expect(problems(() => configFromEnv({ ...BASE, PORT: '9007199254740993' }))).toEqual([
      'PORT har en ugyldig værdi ("9007199254740993"): den må højst være 9007199254740991',
    ]);
  });

  it('never shows the value of a secret or of an address that may carry a password', () => {
    const secrets = ['JWT_SECRET', 'PSEUDONYM_SECRET', 'OIDC_CLIENT_SECRET', 'SMTP_PASSWORD', 'API_DB_PASSWORD', 'METRICS_TOKEN'];
    for (const name of [...secrets, 'SAML_SP_PRIVATE_KEY', 'DATABASE_URL', 'DATABASE_REPLICA_URL', 'REDIS_URL'])
      expect(shownValue(name, 'postgres://bu:hemmeligt@db/bu')).toBe('(skjult)');
    expect(shownValue('PORT', 'eighty')).toBe('"eighty"');
    expect(shownValue('KPI_SLOTS', undefined)).toBe(undefined);
  });

  it('refuses a missing, empty, short or published JWT_SECRET and PSEUDONYM_SECRET, with one line saying how to make one', () => {
    for (const name of ['JWT_SECRET', 'PSEUDONYM_SECRET'] as const) {
      for (const value of [undefined, '', '   ', 'x'.repeat(31), ...KNOWN_SECRETS, 'change-me-to-a-long-random-secret-please']) {
        const env: NodeJS.ProcessEnv = { ...BASE, [name]: value };
        const found = problems(() => configFromEnv(env));
        expect(found, `${name}=${value}`).toHaveLength(1);
        expect(found[0]).toMatch(new RegExp(`^${name} .*openssl rand -hex 32`));
        expect(found[0]).not.toContain('\n');
      }
    }
    expect(() => configFromEnv(BASE)).not.toThrow();
  });

  it('checks secrets given as overrides the same way (the tests and the embedded default pass them so)', () => {
    expect(
      problems(() => configFromEnv({ DATABASE_URL: BASE.DATABASE_URL }, { jwtSecret: 'test-jwt-secret', pseudonymSecret: OTHER })),
    ).toEqual([expect.stringMatching(/^JWT_SECRET er en værdi/)]);
  });

  it('refuses a long secret that is not random (one character, a repeated word)', () => {
    for (const value of ['0'.repeat(64), 'abcd'.repeat(16), 'passwordpassword'.repeat(2)]) {
      expect(secretProblem('JWT_SECRET', value)).toMatch(/^JWT_SECRET er ikke tilfældig nok/);
    }
    expect(secretProblem('JWT_SECRET', randomBytes(32).toString('hex'))).toBeNull();
    expect(secretProblem('JWT_SECRET', randomBytes(24).toString('base64'))).toBeNull();
  });

  it('an API without its worker needs no PSEUDONYM_SECRET, but refuses a weak one that is set', () => {
    const api = { DATABASE_URL: BASE.DATABASE_URL, JWT_SECRET: GOOD };
    expect(problems(() => configFromEnv(api))).toEqual([expect.stringMatching(/^PSEUDONYM_SECRET er ikke sat/)]);
    expect(configFromEnv({ ...api, RUN_WORKER: 'false' })).toMatchObject({ runWorker: false, pseudonymSecret: '' });
    expect(configFromEnv(api, { runWorker: false }).runWorker).toBe(false);
    expect(problems(() => configFromEnv({ ...api, RUN_WORKER: 'false', PSEUDONYM_SECRET: 'kort' }))).toEqual([
      expect.stringMatching(/^PSEUDONYM_SECRET er for kort/),
    ]);
  });

  it('the worker and the ETL need PSEUDONYM_SECRET, not JWT_SECRET, but refuse a weak JWT_SECRET that is set', () => {
    expect(workerConfigFromEnv({ DATABASE_URL: BASE.DATABASE_URL, PSEUDONYM_SECRET: OTHER }).pseudonymSecret).toBe(OTHER);
    expect(problems(() => workerConfigFromEnv({ DATABASE_URL: BASE.DATABASE_URL }))).toEqual([
      expect.stringMatching(/^PSEUDONYM_SECRET er ikke sat/),
    ]);
    expect(problems(() => workerConfigFromEnv({ DATABASE_URL: BASE.DATABASE_URL, PSEUDONYM_SECRET: OTHER, JWT_SECRET: '' }))).toEqual([
      expect.stringMatching(/^JWT_SECRET er ikke sat/),
    ]);
  });

  it('every secret-like literal in the repository is refused (so KNOWN_SECRETS cannot go stale)', () => {
    // Values given to the secret variables in code, compose files, docs and tests: NAME: 'value',
    // NAME=value, ${NAME:-value}, secret = 'value', Pseudonymiser('value').
    const patterns = [
      /\b(?:JWT_SECRET|PSEUDONYM_SECRET|POSTGRES_PASSWORD)\s*[:=]\s*['"]?([^'"\s,}]+)/g,
      /\$\{(?:JWT_SECRET|PSEUDONYM_SECRET|POSTGRES_PASSWORD):?-([^}]+)\}/g,
      /\b(?:jwtSecret|pseudonymSecret|[A-Z_]*SECRET|secret)\s*[:=]\s*['"]([^'"]+)['"]/g,
      /Pseudonymiser\(\s*['"]([^'"]+)['"]/g,
    ];
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter(
        (f) =>
          f &&
          !f.startsWith('node_modules') &&
          !f.endsWith('package-lock.json') &&
          /\.(ts|tsx|js|mts|json|ya?ml|md|conf|sh|env|example)$|(^|\/)(run|Dockerfile)$|\.Dockerfile$/.test(f),
      );
    const literals = new Set<string>();
    for (const file of files) {
      let text: string;
      try {
        text = readFileSync(join(ROOT, file), 'utf8');
      } catch {
        continue; // listed but gone (a deleted file not yet committed)
      }
      for (const [index, pattern] of patterns.entries()) {
        for (const m of text.matchAll(pattern)) {
          const value = m[1].replace(/^:?-/, '');
          // References and placeholders are not values: ${VAR}, $(openssl ...), ..., and, unquoted
          // in code, identifiers and calls (JWT_SECRET: GOOD, randomBytes(32)...).
          if (/^[$<?]|^\.\.\./.test(value)) continue;
          if (
            index === 0 &&
            !/['"]$/.test(m[0].slice(0, m[0].length - m[1].length)) &&
            /^[A-Za-z_][\w.]*(\(.*)?$/.test(value) &&
            !/-/.test(value) &&
            !/\.(ya?ml|md|env)$/.test(file)
          )
            continue;
          literals.add(value);
        }
      }
    }
    // The scan finds what it should (a benchmark's key, .ci/run's throwaway compose values).
    expect([...literals]).toEqual(expect.arrayContaining(['bench-secret-0123456789abcdef', 'ci-check']));
    const accepted = [...literals].filter((v) => secretProblem('JWT_SECRET', v) === null);
    expect(accepted, 'secret literals in the repository that a process would accept: add them to KNOWN_SECRETS').toEqual([]);
  });

  it('no product code reads process.env but @bu/config', () => {
    const files = execFileSync(
      'git',
      ['grep', '-lI', '--untracked', '--exclude-standard', 'process\\.env', '--', 'apps', 'libs', 'etl', 'scripts', 'dashboards'],
      { cwd: ROOT, encoding: 'utf8' },
    )
      .split('\n')
      .filter((f) => f && !f.endsWith('.test.ts'));
    expect(files.sort()).toEqual([
      'libs/config/src/index.ts',
      // Sets NODE_ENV for Vite's build of the dashboard (and restores it): not a setting of the product.
      'scripts/lib/build-web.ts',
      // The documentation's screenshot tool (SCREENSHOT_DIR, CHROMIUM_PATH), not part of the product.
      'scripts/screenshots.ts',
    ]);
  });

  it('the embedded default keeps its generated secrets in a file only its user can read (0600)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bu-secrets-'));
    try {
      const file = join(dir, 'data', 'secrets.json');
      const first = localSecrets(file);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(secretProblem('JWT_SECRET', first.jwtSecret)).toBeNull();
      expect(secretProblem('PSEUDONYM_SECRET', first.pseudonymSecret)).toBeNull();
      expect(first.jwtSecret).not.toBe(first.pseudonymSecret);
      expect(localSecrets(file)).toEqual(first);
      // A copy left readable by others is made private again.
      chmodSync(file, 0o644);
      expect(localSecrets(file)).toEqual(first);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
