import { execFileSync, spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { describe, expect, it } from 'vitest';
import { cspHeader } from '../../apps/api/src/security/headers';

const COMPOSE = '/usr/bin/docker-compose';
const FILE = resolve(__dirname, '../../docker/compose.yml');
const SECRETS = { JWT_SECRET: 'x', PSEUDONYM_SECRET: 'y', POSTGRES_PASSWORD: 'z', API_DB_PASSWORD: 'w' };

function compose(args: string[], env: Record<string, string>) {
  const base = { ...process.env };
  for (const name of Object.keys(SECRETS)) delete base[name];
  return spawnSync(COMPOSE, ['-f', FILE, ...args], { encoding: 'utf8', env: { ...base, ...env } });
}

describe('docker/compose.yml', () => {
  // .ci/run installs Debian's docker-compose; no engine runs here, so the file is validated, not run.
  it.skipIf(!existsSync(COMPOSE))('is a valid compose file with postgres, redis, api, worker and web', () => {
    const result = compose(['config', '--services'], SECRETS);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n').sort()).toEqual(['api', 'migrate', 'postgres', 'redis', 'web', 'worker']);
  });

  it.skipIf(!existsSync(COMPOSE))(
    'refuses to run without JWT_SECRET, PSEUDONYM_SECRET, POSTGRES_PASSWORD or API_DB_PASSWORD (no written-down defaults)',
    () => {
      for (const missing of Object.keys(SECRETS)) {
        const env = Object.fromEntries(Object.entries(SECRETS).filter(([name]) => name !== missing));
        const result = compose(['config', '-q'], env);
        expect(result.status, missing).not.toBe(0);
        expect(result.stderr).toContain(`set ${missing} (openssl rand -hex 32)`);
      }
    },
  );

  it.skipIf(!existsSync(COMPOSE))('publishes only the proxy, on 443; the worker gets no JWT key', () => {
    const config = compose(['config'], SECRETS).stdout;
    const services = config.split(/\n  (?=\S)/);
    const published = services.filter((s) => /\n    ports:/.test(s)).map((s) => s.split(':')[0].trim());
    expect(published).toEqual(['web']);
    expect(services.find((s) => s.startsWith('web'))).toMatch(/published: "?443"?|443:443/);
    expect(services.find((s) => s.startsWith('worker'))).not.toContain('JWT_SECRET');
    // The API runs without its worker: it never pseudonymises, so it does not hold the key.
    expect(services.find((s) => s.startsWith('api'))).not.toContain('PSEUDONYM_SECRET');
    // The API logs in as its own role, never as the owner that migrations use.
    expect(services.find((s) => s.startsWith('api'))).toMatch(/DATABASE_URL: postgres:\/\/bu_api:w@postgres/);
    expect(services.find((s) => s.startsWith('migrate'))).toMatch(/DATABASE_URL: postgres:\/\/boerneblik:z@postgres/);
    expect(services.find((s) => s.startsWith('api'))).toMatch(/HSTS: '1'/);
  });

  it('the app image compiles in a build stage and runs node dist/server with production dependencies only, not as root', () => {
    const dockerfile = readFileSync(resolve(__dirname, '../../docker/Dockerfile'), 'utf8');
    const [build, runtime, ...more] = dockerfile.split(/^FROM /m).slice(1);
    expect(more).toEqual([]);
    expect(build).toMatch(/^RUN npm ci --no-audit --no-fund$/m);
    expect(build).toMatch(/^RUN npm run build:server$/m);
    expect(runtime).toMatch(/^RUN npm ci --omit=dev\b/m);
    // Only the compiled code from the build stage: no sources, no dev node_modules, no compiler.
    expect(runtime.match(/^COPY .*/gm)).toEqual([
      'COPY package.json package-lock.json ./',
      'COPY --from=build /app/dist/server /app/dist/server',
    ]);
    expect(runtime.replace(/^#.*$/gm, '')).not.toMatch(/tools\/run\.js|npm run|swc|typescript/i);
    expect(runtime).toMatch(/^USER boerneblik$/m);
    expect(runtime).toMatch(/^CMD \["node", "dist\/server\/scripts\/serve\.js"\]$/m);
    // Every process compose starts from the image is one of the compiled entry points.
    const compose = readFileSync(FILE, 'utf8');
    const commands = [...compose.matchAll(/command: \['node', '(dist\/server\/[^']+)'/g)].map((m) => m[1]);
    expect(commands).toEqual(['dist/server/scripts/migrate.js', 'dist/server/scripts/serve.js', 'dist/server/apps/worker/src/main.js']);
    for (const command of commands)
      expect(existsSync(resolve(__dirname, '../..', command.replace(/^dist\/server\//, '').replace(/\.js$/, '.ts')))).toBe(true);
    expect(compose).not.toMatch(/command: \['npm'/);
  });

  it("nginx sends the API's Content-Security-Policy and headers for the dashboard, over TLS only", () => {
    const nginx = readFileSync(resolve(__dirname, '../../docker/nginx.conf'), 'utf8');
    expect(nginx).toContain(`add_header Content-Security-Policy "${cspHeader()}" always;`);
    for (const header of [
      'X-Content-Type-Options "nosniff"',
      'X-Frame-Options "DENY"',
      'Referrer-Policy "no-referrer"',
      'Strict-Transport-Security',
    ])
      expect(nginx).toContain(header);
    expect(nginx).toMatch(/listen 443 ssl;/);
    expect(nginx).not.toMatch(/listen 80\b/);
  });

  it('nginx answers only for TLS_HOSTNAME: another name gets no handshake, another Host header 421', () => {
    const nginx = readFileSync(resolve(__dirname, '../../docker/nginx.conf'), 'utf8');
    const servers = nginx.split(/^server \{/m).slice(1);
    expect(servers).toHaveLength(2);
    const [fallback, product] = servers;
    expect(fallback).toMatch(/listen 443 ssl default_server;/);
    expect(fallback).toMatch(/ssl_reject_handshake on;/);
    expect(fallback).toMatch(/return 421;/);
    expect(fallback).not.toMatch(/location|proxy_pass|root /);
    expect(product).toMatch(/server_name \$\{TLS_HOSTNAME\};/);
    // The image's entrypoint fills the name in from the environment (its templates folder); compose sets it.
    expect(readFileSync(resolve(__dirname, '../../docker/web.Dockerfile'), 'utf8')).toMatch(
      /^COPY docker\/nginx\.conf \/etc\/nginx\/templates\/default\.conf\.template$/m,
    );
    // nginx's own variables are lower case: the template fills in only the environment's upper-case names.
    expect([...nginx.matchAll(/\$\{?([A-Za-z_]+)/g)].map((m) => m[1]).filter((v) => v !== v.toLowerCase())).toEqual(['TLS_HOSTNAME']);
  });

  it("nginx's access and error lines for the API name the resource, never the path's ids or the query", () => {
    const nginx = readFileSync(resolve(__dirname, '../../docker/nginx.conf'), 'utf8');
    const api = /location \/api\/ \{([^}]*)\}/.exec(nginx)![1];
    expect(api).toMatch(/access_log \S+ bu_api;/);
    // Its error lines quote the whole request line: only critical ones are written.
    expect(api).toMatch(/error_log \S+ crit;/);
    const format = /log_format bu_api ([^;]*);/.exec(nginx)![1];
    expect(format).toContain('$bu_api_resource');
    for (const variable of ['$request ', '$request"', '$request_uri', '$uri', '$args', '$query_string'])
      expect(format).not.toContain(variable);
  });

  it('runs every PostgreSQL server with error lines that quote no row values (log_error_verbosity=terse)', () => {
    const text = (file: string) => readFileSync(resolve(__dirname, '../../docker', file), 'utf8');
    /** A top-level entry (`x-citus`) or a service's block, up to the next one at its indentation. */
    const block = (file: string, name: string) => {
      const all = text(file);
      const at = all.search(new RegExp(`^( *)${name}:`, 'm'));
      expect(at, `${file} ${name}`).toBeGreaterThanOrEqual(0);
      const indent = /^ */.exec(all.slice(at))![0].length;
      const body = all.indexOf('\n', at) + 1;
      const next = all.slice(body).search(new RegExp(`^ {0,${indent}}\\S`, 'm'));
      return all.slice(at, next < 0 ? undefined : body + next);
    };
    const terse = /'-c',\s*'log_error_verbosity=terse'/;
    expect(block('compose.yml', 'postgres')).toMatch(terse);
    for (const name of ['postgres', 'postgres-standby']) expect(block('compose.scale.yml', name)).toMatch(terse);
    expect(block('compose.citus.yml', 'x-citus')).toMatch(terse);
    for (const name of ['postgres', 'citus-worker-1', 'citus-worker-2']) {
      expect(block('compose.citus.yml', name)).toContain('<<: *citus');
      expect(block('compose.citus.yml', name)).not.toContain('command:');
    }
  });

  it('the proxy makes a self-signed certificate at first start and keeps one that is there', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bu-tls-'));
    try {
      const script = resolve(__dirname, '../../docker/web-tls.sh');
      execFileSync('sh', [script], { env: { ...process.env, TLS_DIR: dir, TLS_HOSTNAME: 'boerneblik.example.dk' } });
      expect(statSync(join(dir, 'tls.key')).mode & 0o777).toBe(0o600);
      const subject = execFileSync('openssl', ['x509', '-in', join(dir, 'tls.crt'), '-noout', '-subject', '-ext', 'subjectAltName'], {
        encoding: 'utf8',
      });
      expect(subject).toContain('boerneblik.example.dk');
      const before = readFileSync(join(dir, 'tls.crt'), 'utf8');
      execFileSync('sh', [script], { env: { ...process.env, TLS_DIR: dir } });
      expect(readFileSync(join(dir, 'tls.crt'), 'utf8')).toBe(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('every compose file', () => {
  // The logs carry usernames and client addresses (request lines): no container's grows without end.
  it.skipIf(!existsSync(COMPOSE))("caps every container's log, by settings with defaults", () => {
    const env = { ...SECRETS, REPLICATION_PASSWORD: 'r' };
    for (const file of ['compose.yml', 'compose.scale.yml', 'compose.citus.yml']) {
      const result = spawnSync(COMPOSE, ['-f', resolve(__dirname, '../../docker', file), 'config'], {
        encoding: 'utf8',
        env: { ...process.env, ...env },
      });
      expect(result.status, result.stderr).toBe(0);
      const services = result.stdout
        .split(/\nvolumes:/)[0]
        .split(/\n  (?=\S)/)
        .slice(1);
      expect(services.length, file).toBeGreaterThanOrEqual(6);
      for (const service of services)
        expect(service, `${file} ${service.split(':')[0]}`).toContain(
          "    logging:\n      driver: json-file\n      options:\n        max-file: '5'\n        max-size: 10m",
        );
    }
    const small = spawnSync(COMPOSE, ['-f', FILE, 'config'], {
      encoding: 'utf8',
      env: { ...process.env, ...SECRETS, LOG_MAX_SIZE: '50m', LOG_MAX_FILES: '20' },
    });
    expect(small.stdout).toContain("        max-file: '20'\n        max-size: 50m\n");
  });
});

describe('docker/compose.scale.yml', () => {
  const SCALE = resolve(__dirname, '../../docker/compose.scale.yml');
  const SCALE_SECRETS = { ...SECRETS, REPLICATION_PASSWORD: 'r' };
  const scale = (args: string[], env: Record<string, string>) => {
    const base = { ...process.env };
    for (const name of Object.keys(SCALE_SECRETS)) delete base[name];
    return spawnSync(COMPOSE, ['-f', SCALE, ...args], { encoding: 'utf8', env: { ...base, ...env } });
  };
  let rendered: string[] | undefined;
  /** The resolved file, one entry per service (docker-compose is slow to start: asked once). */
  const services = () => (rendered ??= scale(['config'], SCALE_SECRETS).stdout.split(/\n  (?=\S)/));
  const service = (name: string) => services().find((s) => s.startsWith(`${name}:`))!;

  it.skipIf(!existsSync(COMPOSE))('is valid, with two API containers, two workers, a primary and a standby made by pg_basebackup', () => {
    const result = scale(['config', '--services'], SCALE_SECRETS);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n').sort()).toEqual(
      ['api-1', 'api-2', 'migrate', 'postgres', 'postgres-standby', 'redis', 'standby-init', 'web', 'worker-1', 'worker-2'].sort(),
    );
    // The standby starts only from the copy standby-init made, which runs once the primary is up.
    expect(service('postgres-standby')).toMatch(/standby-init:\n\s+condition: service_completed_successfully/);
    expect(service('standby-init')).toMatch(/postgres:\n\s+condition: service_healthy/);
    expect(readFileSync(resolve(__dirname, '../../docker/pg-standby-init.sh'), 'utf8')).toMatch(/^pg_basebackup .* -X stream -R/m);
    // The primary lets the replication role stream (an init script of the postgres image).
    expect(service('postgres')).toContain('/docker-entrypoint-initdb.d/10-replication.sh');
    // A standby that is down or gone cannot hold WAL on the primary past a limit (its slot is then
    // lost and it is made again), so it cannot fill the primary's disk and stop it.
    expect(service('postgres')).toMatch(/- -c\n\s+- max_slot_wal_keep_size=10GB\n/);
  });

  it.skipIf(!existsSync(COMPOSE))('refuses to run without any of its five secrets', () => {
    for (const missing of Object.keys(SCALE_SECRETS)) {
      const env = Object.fromEntries(Object.entries(SCALE_SECRETS).filter(([name]) => name !== missing));
      const result = scale(['config', '-q'], env);
      expect(result.status, missing).not.toBe(0);
      expect(result.stderr).toContain(`set ${missing} (openssl rand -hex 32)`);
    }
  });

  it.skipIf(!existsSync(COMPOSE))('publishes only the proxy, and keeps the keys where compose.yml keeps them', () => {
    const published = services()
      .filter((s) => /\n    ports:/.test(s))
      .map((s) => s.split(':')[0].trim());
    expect(published).toEqual(['web']);
    for (const api of ['api-1', 'api-2']) {
      // Both are `api` to the proxy, which spreads requests over them.
      expect(service(api)).toMatch(/aliases:\n\s+- api\n/);
      expect(service(api)).toMatch(/DATABASE_URL: postgres:\/\/bu_api:w@postgres:5432/);
      // The KPI reads go to the standby (as the API's own role) when it has replayed enough (ADR 0071).
      expect(service(api)).toMatch(/DATABASE_REPLICA_URL: postgres:\/\/bu_api:w@postgres-standby:5432/);
      expect(service(api)).not.toContain('PSEUDONYM_SECRET');
      expect(service(api)).toContain('command:\n    - node\n    - dist/server/scripts/serve.js\n    - api');
    }
    for (const worker of ['worker-1', 'worker-2']) {
      expect(service(worker)).not.toContain('JWT_SECRET');
      expect(service(worker)).toContain('dist/server/apps/worker/src/main.js');
    }
    // The replication password reaches the database containers only.
    const holders = services()
      .filter((s) => s.includes('REPLICATION_PASSWORD'))
      .map((s) => s.split(':')[0].trim());
    expect(holders.sort()).toEqual(['postgres', 'standby-init']);
  });
});
