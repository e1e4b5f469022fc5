import { spawn, spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { createServer } from 'net';
import { tmpdir } from 'os';
import { basename, dirname, join, resolve } from 'path';
import { Client, Pool } from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '@bu/db';
import { importDubu } from '@bu/etl';
import { chooseTool, embeddedBinFolder, installedTools } from '../../scripts/lib/backup';
import { seedUsers, startTestApi, tokenFor } from '../support/api';
import { createTestDatabase, dropDatabase, TEST_SECRET, TEST_SERVER_URL, TestDatabase } from '../support/database';
import { DUBU_SMALL, DUBU_SMALL_D } from '../support/fixtures';

// Issue 13, point 10: `npm run admin -- backup <file>` and `restore <file>` with PostgreSQL's own
// pg_dump and pg_restore, run as real processes. Back up a database with an import, users, goals
// and an audit log written through the API; drop it; restore into a new database owned by another,
// non-superuser role; the API answers the same bytes, and the audit chain is the same and goes on.

const ROOT = resolve(__dirname, '../..');
const PASSWORD_IN_URL = `hemmeligt-${randomBytes(6).toString('hex')}`;

const admin = (args: string[], databaseUrl: string) =>
  spawnSync(process.execPath, ['tools/run.js', 'scripts/admin.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });

/** The URL of `database` on the test server, as `user` (trust authentication: the password is not checked, only carried). */
function urlFor(database: string, user?: string, password?: string): string {
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${database}`;
  if (user) url.username = user;
  if (password) url.password = password;
  return url.toString();
}

async function serverQuery(sql: string): Promise<void> {
  const c = new Client({ connectionString: TEST_SERVER_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** A new empty database owned by a new login role without superuser (what a fresh production server has). */
async function emptyDatabaseOfNewRole(): Promise<TestDatabase & { role: string }> {
  const suffix = randomBytes(4).toString('hex');
  const role = `bu_restorer_${suffix}`;
  const name = `bu_test_restore_${suffix}`;
  // CREATEROLE: may grant itself membership of bu_api (as the migrations do for a non-superuser owner).
  await serverQuery(`CREATE ROLE ${role} LOGIN CREATEROLE`);
  await serverQuery(`CREATE DATABASE ${name} OWNER ${role}`);
  const url = urlFor(name, role);
  const pool = new Pool({ connectionString: url, max: 5 });
  return {
    url,
    pool,
    role,
    async drop() {
      await pool.end();
      await dropDatabase(name);
      await serverQuery(`DROP ROLE IF EXISTS ${role}`);
    },
  };
}

async function auditHead(db: TestDatabase): Promise<{ count: number; head: string }> {
  const { rows } = await db.pool.query(
    `SELECT (SELECT count(*)::int FROM audit_log) AS count, (SELECT head_hash FROM audit_chain) AS head`,
  );
  return rows[0];
}

const freePort = () =>
  new Promise<number>((r) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => r(p));
    });
  });

/** The pid of a running pg_dump writing (the temporary file of) `file` (waited for up to 10 s). */
async function pgDumpProcess(file: string): Promise<string | undefined> {
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const found = readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .find((p) => {
        try {
          const args = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
          return args[0].endsWith('pg_dump') && args.some((a) => a.includes(basename(file)));
        } catch {
          return false;
        }
      });
    if (found) return found;
  }
  return undefined;
}

interface Cluster {
  dir: string;
  url(database: string, user: string): string;
  query(sql: string): Promise<void>;
  stop(): void;
}

/** A new PostgreSQL cluster of the binaries in `bin` (initdb, pg_ctl) in a temporary folder, on a free port. */
async function startCluster(bin: string): Promise<Cluster> {
  // initdb and the server refuse root: as root, they run as the system user postgres.
  const asServer: { uid?: number; gid?: number } = {};
  if (process.getuid?.() === 0) {
    const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
    Object.assign(asServer, { uid: id('-u'), gid: id('-g') });
  }
  const dir = mkdtempSync(join(tmpdir(), 'bu-cluster-'));
  if (asServer.uid !== undefined && asServer.gid !== undefined) chownSync(dir, asServer.uid, asServer.gid);
  const pgCtl = (args: string[]) => spawnSync(join(bin, 'pg_ctl'), ['-D', join(dir, 'pg'), ...args], { encoding: 'utf8', ...asServer });
  const port = await freePort();
  const init = spawnSync(join(bin, 'initdb'), ['-D', join(dir, 'pg'), '-U', 'root', '--auth=trust', '-E', 'UTF8', '--locale=C'], {
    encoding: 'utf8',
    ...asServer,
  });
  expect(init.status, init.stderr).toBe(0);
  const started = pgCtl([
    '-o',
    `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir}`,
    '-l',
    join(dir, 'log'),
    '-w',
    'start',
  ]);
  expect(started.status, started.stderr).toBe(0);
  const url = (database: string, user: string) => `postgres://${user}@127.0.0.1:${port}/${database}`;
  return {
    dir,
    url,
    async query(sql: string) {
      const c = new Client({ connectionString: url('postgres', 'root') });
      await c.connect();
      try {
        await c.query(sql);
      } finally {
        await c.end();
      }
    },
    stop() {
      pgCtl(['-m', 'immediate', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 300));

// What each role asks; the answers must come back byte for byte after the restore.
const QUESTIONS: [string, string][] = [
  ['chef', '/api/v1/kpis'],
  ['chef', '/api/v1/kpis?ids=caseload.open_cases'],
  ['teamleder', '/api/v1/kpis'],
  ['udvalg', '/api/v1/kpis'],
  ['udvalg', '/api/v1/goals'],
  ['chef', '/api/v1/comments?municipality=461'],
];

async function answers(db: TestDatabase): Promise<string[]> {
  const app = await startTestApi(db);
  try {
    const tokens: Record<string, string> = {};
    for (const u of ['chef', 'teamleder', 'udvalg']) tokens[u] = await tokenFor(app, u);
    const out: string[] = [];
    for (const [user, path] of QUESTIONS) {
      const res = await request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${tokens[user]}`).expect(200);
      out.push(res.text);
    }
    await settle();
    return out;
  } finally {
    await app.close();
  }
}

describe('npm run admin -- backup and restore', () => {
  let source: TestDatabase;
  let dir: string;
  let file: string;
  let before: string[];
  let head: { count: number; head: string };
  const partials = () => readdirSync(dir).filter((f) => f.endsWith('.part'));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bu-backup-'));
    file = join(dir, 'boerneblik.dump');
    source = await createTestDatabase();
    await importDubu(source.pool, DUBU_SMALL, { pseudonymSecret: TEST_SECRET, exportDate: DUBU_SMALL_D });
    await seedUsers(source, 461, 'Team Syd');
    // A goal and a comment, written through the API (audited changes).
    const app = await startTestApi(source);
    try {
      const as = async (u: string) => ({ Authorization: `Bearer ${await tokenFor(app, u)}` });
      const goal = {
        municipality: 461,
        kpi: 'activity.family_care_share',
        title: 'Mindst 65 % i familiepleje',
        direction: '>=',
        target: 0.65,
        tolerance: 0.05,
      };
      await request(app.getHttpServer())
        .post('/api/v1/goals')
        .set(await as('admin'))
        .send(goal)
        .expect(201);
      await request(app.getHttpServer())
        .put('/api/v1/comments')
        .set(await as('chef'))
        .send({ subjectType: 'budget', subjectKey: '5.28.20', period: '2024', text: 'Kommentar før sikkerhedskopien' })
        .expect(200);
      await settle();
    } finally {
      await app.close();
    }
    // A failed import of long ago whose message the daily purge has not reached yet when the backup
    // is taken: the restore purges it again (ADR 0118).
    await source.pool.query(
      `INSERT INTO import_run (municipality_code, source, status, started_at, finished_at, error)
       VALUES (461, 'dubu', 'failed', now() - interval '200 days', now() - interval '200 days', 'sager.csv linje 3: Anne Bach')`,
    );
    // The KPI answers (each an audited read of its cases).
    before = await answers(source);
    head = await auditHead(source);
  }, 120_000);
  afterAll(async () => {
    // The backup holds personal data (of the fixture): removed even when the drop fails.
    rmSync(dir, { recursive: true, force: true });
    await source?.drop();
  });

  it('has audit rows with cases to carry over', async () => {
    expect((await verifyAuditChain(source.pool)).ok).toBe(true);
    const { rows } = await source.pool.query(
      `SELECT count(*) FILTER (WHERE case_set_id IS NOT NULL)::int AS with_cases, count(DISTINCT action)::int AS actions FROM audit_log`,
    );
    expect(rows[0].with_cases).toBeGreaterThan(0);
    expect(rows[0].actions).toBeGreaterThan(2);
    expect(head.count).toBeGreaterThan(5);
  });

  it('backs up to a file only its owner can read, without the password on any command line', async () => {
    // An open lock on one table holds pg_dump (it locks every table it dumps) while the process list is read.
    const locker = new Client({ connectionString: source.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE app_user IN ACCESS EXCLUSIVE MODE');
    const child = spawn(process.execPath, ['tools/run.js', 'scripts/admin.ts', 'backup', file], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: urlFor(new URL(source.url).pathname.slice(1), 'root', PASSWORD_IN_URL) },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('close', r));
    const dumper = await pgDumpProcess(file);
    try {
      expect(dumper, 'pg_dump was started and waits for the lock').toBeDefined();
      const cmdline = readFileSync(`/proc/${dumper}/cmdline`, 'utf8');
      expect(cmdline).toContain('--format=custom');
      expect(cmdline).not.toContain(PASSWORD_IN_URL);
      // The password travels in pg_dump's environment, which only its user can read.
      expect(readFileSync(`/proc/${dumper}/environ`, 'utf8').split('\0')).toContain(`PGPASSWORD=${PASSWORD_IN_URL}`);
      // No process on the machine shows it: not pg_dump's, not admin.ts's.
      for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
        let line = '';
        try {
          line = readFileSync(`/proc/${p}/cmdline`, 'utf8');
        } catch {
          continue;
        }
        expect(line, `process ${p}`).not.toContain(PASSWORD_IN_URL);
      }
      // Nothing under the final name while pg_dump writes.
      expect(existsSync(file)).toBe(false);
    } finally {
      await locker.query('COMMIT');
      await locker.end();
    }
    expect(await exited, stderr).toBe(0);
    expect(stdout).toContain(`revisionsloggen har ${head.count} rækker, kædens hoved ${head.head}`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(partials()).toEqual([]);
    expect(readFileSync(file).subarray(0, 5).toString()).toBe('PGDMP');
  }, 60_000);

  it('stopped by SIGTERM mid-dump, leaves neither the file nor a partial one', async () => {
    const locker = new Client({ connectionString: source.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE app_user IN ACCESS EXCLUSIVE MODE');
    const target = join(dir, 'stopped.dump');
    try {
      const child = spawn(process.execPath, ['tools/run.js', 'scripts/admin.ts', 'backup', target], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: source.url },
      });
      const exited = new Promise<number | null>((r) => child.on('close', r));
      const dumper = await pgDumpProcess(target);
      expect(dumper).toBeDefined();
      expect(partials()).toHaveLength(1);
      child.kill('SIGTERM');
      expect(await exited).toBe(130);
      expect(existsSync(target)).toBe(false);
      expect(partials()).toEqual([]);
      await new Promise((r) => setTimeout(r, 200));
      expect(existsSync(`/proc/${dumper}`), 'pg_dump is stopped too').toBe(false);
    } finally {
      await locker.query('COMMIT');
      await locker.end();
    }
  }, 60_000);

  it('restores into a new database of another, non-superuser role: the same answers byte for byte and the same audit chain, which goes on', async () => {
    expect(existsSync(file)).toBe(true);
    await source.drop();
    source = undefined as unknown as TestDatabase;
    const target = await emptyDatabaseOfNewRole();
    try {
      const restored = admin(['restore', file], target.url);
      expect(restored.status, restored.stderr).toBe(0);
      expect(restored.stdout).toContain('Skemaet er aktuelt.');
      expect(restored.stdout).toContain(`Revisionsloggens kæde er hel: ${head.count} rækker, kædens hoved ${head.head}`);
      // What ran out since the backup goes again, and the import log says so.
      expect(restored.stdout).toContain('1 ting, hvis opbevaringsfrist er udløbet siden sikkerhedskopien blev taget, er slettet igen');
      expect((await target.pool.query(`SELECT error FROM import_run WHERE status = 'failed' AND source = 'dubu'`)).rows).toEqual([
        { error: 'Fejlbeskeden er slettet efter opbevaringsfristen.' },
      ]);
      expect((await target.pool.query(`SELECT removed FROM import_run WHERE source = 'purge'`)).rows).toEqual([
        { removed: expect.objectContaining({ importErrors: 1 }) },
      ]);

      // Owned by the restoring role; the API's role, its grants and the row-level security are back.
      const owners = await target.pool.query(
        `SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relnamespace = 'public'::regnamespace`,
      );
      expect(owners.rows).toEqual([{ owner: target.role }]);
      const rls = await target.pool.query(
        `SELECT count(*)::int AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relrowsecurity`,
      );
      expect(rls.rows[0].n).toBeGreaterThan(15);
      const policies = await target.pool.query(
        `SELECT count(*)::int AS n FROM pg_policies WHERE schemaname = 'public' AND 'bu_api' = ANY (roles)`,
      );
      expect(policies.rows[0].n).toBeGreaterThan(20);
      const grants = await target.pool.query(
        `SELECT has_table_privilege('bu_api', 'audit_log', 'INSERT') AS ins, has_table_privilege('bu_api', 'audit_log', 'UPDATE') AS upd, has_table_privilege('bu_api', 'child_case', 'SELECT') AS sel`,
      );
      expect(grants.rows[0]).toEqual({ ins: true, upd: false, sel: true });
      const defaults = await target.pool.query(`SELECT pg_get_userbyid(defaclrole) AS owner, defaclacl::text AS acl FROM pg_default_acl`);
      expect(defaults.rows).toEqual([{ owner: target.role, acl: `{bu_api=U/${target.role}}` }]);

      const verify = admin(['audit', 'verify'], target.url);
      expect(verify.status, verify.stderr).toBe(0);
      expect(verify.stdout).toContain(`${head.count} rækker`);
      const chain = await verifyAuditChain(target.pool);
      expect(chain).toMatchObject({ ok: true, count: head.count });
      expect(await auditHead(target)).toEqual(head);

      // The same answers over HTTP, byte for byte, from an API on the restored database.
      expect(await answers(target)).toEqual(before);

      // New audit rows (these logins and reads) chain on from the old head.
      const after = await auditHead(target);
      expect(after.count).toBeGreaterThan(head.count);
      const next = await target.pool.query(`SELECT prev_hash FROM audit_log ORDER BY id OFFSET $1 LIMIT 1`, [head.count]);
      expect(next.rows[0].prev_hash).toBe(head.head);
      expect(await verifyAuditChain(target.pool)).toMatchObject({ ok: true, count: after.count });
      // The owner-only rule holds for the API's role on the restored database.
      const asApi = new Client({ connectionString: target.url, options: '-c role=bu_api' });
      await asApi.connect();
      try {
        await expect(asApi.query('DELETE FROM audit_log')).rejects.toThrow(/permission denied/);
      } finally {
        await asApi.end();
      }
    } finally {
      await target.drop();
    }
  }, 120_000);

  it('restores onto a new server without the role bu_api, as a user that is no superuser, and the API answers the same', async () => {
    // A server of the machine's own PostgreSQL (its initdb beside its pg_restore, e.g. /usr/lib/postgresql/15/bin).
    const serverBin = installedTools('pg_restore')
      .map((t) => dirname(t.path))
      .find((d) => existsSync(join(d, 'initdb')));
    expect(serverBin, 'a PostgreSQL server installation with initdb').toBeDefined();
    const cluster = await startCluster(serverBin as string);
    try {
      // A user that may not create roles: refused with the two lines for the administrator, nothing restored.
      await cluster.query('CREATE ROLE uden_roller LOGIN');
      await cluster.query('CREATE DATABASE forsoeg OWNER uden_roller');
      const refused = admin(['restore', file], cluster.url('forsoeg', 'uden_roller'));
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain(
        'Bed en databaseadministrator køre: CREATE ROLE bu_api NOLOGIN; GRANT bu_api TO uden_roller; og gendan igen. Intet er gendannet.',
      );
      await cluster.query('CREATE ROLE drift LOGIN CREATEROLE');
      await cluster.query('CREATE DATABASE boerneblik OWNER drift');
      const url = cluster.url('boerneblik', 'drift');
      const roleBefore = new Client({ connectionString: url });
      await roleBefore.connect();
      expect((await roleBefore.query(`SELECT count(*)::int AS n FROM pg_roles WHERE rolname = 'bu_api'`)).rows[0].n).toBe(0);
      await roleBefore.end();
      const restored = admin(['restore', file], url);
      expect(restored.status, restored.stderr).toBe(0);
      const db: TestDatabase = { url, pool: new Pool({ connectionString: url, max: 3 }), drop: async () => undefined };
      try {
        const role = await db.pool.query(
          `SELECT rolcanlogin AS login, pg_has_role('drift', 'bu_api', 'MEMBER') AS member FROM pg_roles WHERE rolname = 'bu_api'`,
        );
        expect(role.rows).toEqual([{ login: false, member: true }]);
        expect(admin(['audit', 'verify'], url).status).toBe(0);
        expect(await answers(db)).toEqual(before);
        expect(await verifyAuditChain(db.pool)).toMatchObject({ ok: true });
      } finally {
        await db.pool.end();
      }
    } finally {
      cluster.stop();
    }
  }, 120_000);

  it('refuses a database that has Børneblik data unless --force (and --force while Børneblik is connected)', async () => {
    const other = await createTestDatabase();
    try {
      await seedUsers(other, 101, 'Team Nord');
      const refused = admin(['restore', file], other.url);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(
        /Databasen bu_test_\w+ er ikke tom: skemaet public har \d+ objekter .*brug --force .*Intet er ændret\./,
      );
      expect((await other.pool.query(`SELECT count(*)::int AS n FROM app_user WHERE municipality_code = 101`)).rows[0].n).toBe(4);
      // With --force, but another connection open (the test's pool, as a running API would be): refused.
      const busy = admin(['restore', file, '--force'], other.url);
      expect(busy.status).toBe(1);
      expect(busy.stderr).toContain('Stop Børneblik (API og worker) før du gendanner med --force. Intet er ændret.');
      await other.pool.end();
      const forced = admin(['restore', file, '--force'], other.url);
      expect(forced.status, forced.stderr).toBe(0);
      const check = new Client({ connectionString: other.url });
      await check.connect();
      try {
        // The database now holds the backup (municipality 461's users), not its own (101's).
        const users = await check.query(
          `SELECT municipality_code AS m, count(*)::int AS n FROM app_user GROUP BY 1 ORDER BY 1 NULLS FIRST`,
        );
        expect(users.rows).toEqual([
          { m: null, n: 1 },
          { m: 101, n: 1 },
          { m: 461, n: 3 },
        ]);
        expect(await verifyAuditChain(check)).toMatchObject({ ok: true, count: head.count });
        // A backup of a newer release (a migration this code does not know): restored, but exit 1 with what to do.
        await check.query(`INSERT INTO migrations (timestamp, name) VALUES (1999999999999, 'FutureRelease1999999999999')`);
      } finally {
        await check.end();
      }
      const newer = join(dir, 'newer.dump');
      expect(admin(['backup', newer], other.url).status).toBe(0);
      const empty = `bu_test_newer_${randomBytes(4).toString('hex')}`;
      await serverQuery(`CREATE DATABASE ${empty}`);
      try {
        const result = admin(['restore', newer], urlFor(empty));
        expect(result.status).toBe(1);
        expect(result.stdout).toContain('Gendannet fra');
        expect(result.stderr).toContain(
          'Sikkerhedskopien er fra en nyere udgave af Børneblik (ukendte migreringer: FutureRelease1999999999999): opdatér Børneblik, før den startes på denne database.',
        );
      } finally {
        await serverQuery(`DROP DATABASE IF EXISTS ${empty} WITH (FORCE)`);
      }
    } finally {
      // Its pool may already be closed (above): drop the database without drop()'s second end().
      await other.pool.end().catch(() => undefined);
      await serverQuery(`DROP DATABASE IF EXISTS ${new URL(other.url).pathname.slice(1)} WITH (FORCE)`);
    }
  }, 120_000);

  it('says the database is restored, and not to restore again, when the purge after it fails', async () => {
    const broken = await createTestDatabase();
    const empty = `bu_test_purge_${randomBytes(4).toString('hex')}`;
    try {
      // A retention setting no purge can use (written past the API's check, by hand): the purge fails.
      await broken.pool.query(`INSERT INTO setting (municipality_code, key, value) VALUES (0, 'retention.audit_days', '"fem år"')`);
      const dump = join(dir, 'broken-setting.dump');
      expect(admin(['backup', dump], broken.url).status).toBe(0);
      await serverQuery(`CREATE DATABASE ${empty}`);
      const result = admin(['restore', dump], urlFor(empty));
      expect(result.status).toBe(1);
      expect(result.stdout).toContain('Gendannet fra');
      expect(result.stderr).toContain(
        'Databasen er gendannet, men sletningen af det, hvis opbevaringsfrist er udløbet siden sikkerhedskopien, mislykkedes',
      );
      expect(result.stderr).toContain('Gendan ikke igen');
      const check = new Client({ connectionString: urlFor(empty) });
      await check.connect();
      try {
        expect((await check.query(`SELECT value FROM setting WHERE key = 'retention.audit_days'`)).rows).toEqual([{ value: 'fem år' }]);
      } finally {
        await check.end();
      }
    } finally {
      await serverQuery(`DROP DATABASE IF EXISTS ${empty} WITH (FORCE)`);
      await broken.drop();
    }
  }, 120_000);

  it('leaves no file and exits 1 with a Danish message when the database cannot be reached', async () => {
    const port = await freePort();
    const target = join(dir, 'unreachable.dump');
    const result = admin(['backup', target], `postgres://root:${PASSWORD_IN_URL}@127.0.0.1:${port}/boerneblik`);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Kan ikke forbinde til databasen');
    expect(result.stderr).toContain('Intet er ændret.');
    expect(result.stderr).not.toContain(PASSWORD_IN_URL);
    expect(existsSync(target)).toBe(false);
    expect(partials()).toEqual([]);
  });

  it('removes its partial file when pg_dump fails mid-way (a role that may not read the tables)', async () => {
    const db = await createTestDatabase();
    const role = `bu_noread_${randomBytes(4).toString('hex')}`;
    await serverQuery(`CREATE ROLE ${role} LOGIN`);
    // It may read what the backup's summary reads, and nothing else: pg_dump itself then fails.
    await db.pool.query(`GRANT SELECT ON audit_log, audit_chain TO ${role}`);
    try {
      const target = join(dir, 'denied.dump');
      const result = admin(['backup', target], urlFor(new URL(db.url).pathname.slice(1), role));
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/pg_dump fejlede \(kode 1\): .*permission denied/);
      expect(existsSync(target)).toBe(false);
      expect(partials()).toEqual([]);
    } finally {
      await db.drop();
      await serverQuery(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
    }
  });

  it('restores all or nothing: a truncated backup fails and leaves the empty database empty', async () => {
    const truncated = join(dir, 'truncated.dump');
    // Cut in the data at the end, after the table of contents (which holds every definition): the
    // longest cut whose contents pg_restore still lists.
    const bytes = readFileSync(file);
    const pgRestore = installedTools('pg_restore')[0].path;
    let cut = 0;
    for (let keep = bytes.length - 64; keep > bytes.length / 2 && !cut; keep -= 256) {
      writeFileSync(truncated, bytes.subarray(0, keep));
      if (spawnSync(pgRestore, ['--list', truncated]).status === 0) cut = keep;
    }
    expect(cut).toBeGreaterThan(0);
    const empty = `bu_test_truncated_${randomBytes(4).toString('hex')}`;
    await serverQuery(`CREATE DATABASE ${empty}`);
    try {
      const result = admin(['restore', truncated], urlFor(empty));
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('Gendannelsen mislykkedes, og intet fra sikkerhedskopien er gendannet. Databasen er uændret.');
      const c = new Client({ connectionString: urlFor(empty) });
      await c.connect();
      try {
        expect((await c.query(`SELECT count(*)::int AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace`)).rows[0].n).toBe(0);
      } finally {
        await c.end();
      }
    } finally {
      await serverQuery(`DROP DATABASE IF EXISTS ${empty} WITH (FORCE)`);
    }
  });

  it('refuses a file that is not a Børneblik backup, and a missing file', () => {
    const missing = admin(['restore', join(dir, 'findes-ikke.dump')], urlFor('postgres'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('findes ikke');
    const notADump = admin(['restore', join(ROOT, 'package.json')], urlFor('postgres'));
    expect(notADump.status).toBe(1);
    expect(notADump.stderr).toContain('er ikke en sikkerhedskopi fra pg_dump');
  });
});

describe('the embedded default (PostgreSQL 18 from npm, which ships no pg_dump)', () => {
  const bin = embeddedBinFolder() as string;
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster(bin);
  }, 60_000);
  afterAll(() => cluster?.stop());

  it('refuses backup and restore in Danish, with what to install, and writes nothing', () => {
    expect(existsSync(join(bin, 'postgres')), 'the folder searched for the embedded tools').toBe(true);
    expect(existsSync(join(bin, 'pg_dump')), 'the embedded package now ships pg_dump: use it, and change this test').toBe(false);
    const url = cluster.url('postgres', 'root');
    const file = join(cluster.dir, 'boerneblik.dump');
    const backedUp = admin(['backup', file], url);
    expect(backedUp.status).toBe(1);
    expect(backedUp.stderr).toMatch(
      /Der findes ingen pg_dump til PostgreSQL 18 på denne maskine: databasen kører PostgreSQL 18, og pg_dump skal være mindst samme version \(fundet: pg_dump 1[0-7] .*\)\. Installér PostgreSQL 18's klientværktøjer \(fx pakken postgresql-client-18\)/,
    );
    expect(readdirSync(cluster.dir).filter((f) => f.includes('dump'))).toEqual([]);
    writeFileSync(file, 'PGDMP');
    const restored = admin(['restore', file], url);
    expect(restored.status).toBe(1);
    expect(restored.stderr).toContain('Der findes ingen pg_restore til PostgreSQL 18 på denne maskine');
  });
});

describe('which pg_dump and pg_restore', () => {
  it("takes the server's major version or the oldest newer one, and refuses in Danish when none is new enough", () => {
    const found = installedTools('pg_dump');
    expect(found.length).toBeGreaterThan(0);
    const newest = Math.max(...found.map((t) => t.major));
    expect(chooseTool('pg_dump', newest, found).major).toBe(newest);
    const tools = [
      { path: '/a/pg_dump', major: 15 },
      { path: '/b/pg_dump', major: 18 },
      { path: '/c/pg_dump', major: 17 },
    ];
    expect(chooseTool('pg_dump', 15, tools).path).toBe('/a/pg_dump');
    expect(chooseTool('pg_dump', 16, tools).path).toBe('/c/pg_dump');
    // The embedded default's PostgreSQL 18 with only the machine's own (older) client tools.
    expect(() => chooseTool('pg_restore', newest + 1, installedTools('pg_restore'))).toThrow(
      new RegExp(
        `Der findes ingen pg_restore til PostgreSQL ${newest + 1} på denne maskine.*Installér PostgreSQL ${newest + 1}'s klientværktøjer \\(fx pakken postgresql-client-${newest + 1}\\)`,
      ),
    );
  });
});
