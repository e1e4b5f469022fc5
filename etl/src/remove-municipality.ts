import { lstat, readdir, realpath, rm } from 'fs/promises';
import { dirname, join, resolve } from 'path';
import type { ClientBase, Pool, PoolClient } from 'pg';
import { APPLICATION_NAME } from '@bu/config';
import { RETENTION_DEFAULTS, SOURCES } from '@bu/domain';
import { committeeSchedulerKey, DELIVERY_STATES, jobMunicipality, type EtlJobData, type ReportJobData } from '@bu/jobs';
// For the CLI, which loads this module (and BullMQ) only for this command.
export { etlQueue, reportQueue } from '@bu/jobs';
import type { Job, Queue } from '@bu/queue';
import { lockCaseSnapshot } from './case-snapshot';
import { failAbandonedRuns, importAlive } from './import-run';
import { whileNoCheckRuns } from './jobs/drop-folders';
import { sessionLockHeld, withSessionLock } from './jobs/session-lock';
import { currentPartition } from './load/partition';

// A municipality whose agreement ends leaves the shared service: as data processor Børneblik
// deletes everything it holds for it (ADR 120). Which tables hold a municipality's rows is read
// from the catalog (every table with a municipality_code, and the tables that hang on one of
// those by a foreign key), so a table added later is not forgotten.

/**
 * Tables with a municipality_code whose rows of the municipality stay, and why (in Danish, for the
 * command's output). The audit log is the evidence of who saw which child's data: it is kept for
 * retention.audit_days and the daily purge removes it then (docs/AUDIT-RETENTION.md). The public
 * statistics are Statistics Denmark's national figures, not the municipality's data.
 */
export const KEPT_TABLES: Readonly<Record<string, string>> = {
  audit_log: 'revisionsloggen; slettes af den daglige oprydning efter retention.audit_days',
  audit_purged: 'revisionsloggens kæde: tid og hash af allerede slettede rækker, så kæden kan efterprøves',
  municipal_statistic: 'offentlig statistik (Danmarks Statistik, landsdækkende)',
  population: 'offentlig statistik (Danmarks Statistik, landsdækkende)',
};

/**
 * Rows that name one of the municipality's users without a municipality_code or a foreign key:
 * login traces and the weekly e-mail's log (`u`: the municipality's app_user rows).
 */
const USER_TRACES: readonly { table: string; alias: string; names: string }[] = [
  { table: 'weekly_mail_sent', alias: 'w', names: 'w.username = u.username' },
  { table: 'sso_ticket', alias: 's', names: '(s.user_id = u.id OR s.username = u.username)' },
  { table: 'oidc_session', alias: 's', names: 's.external_id = u.external_id' },
  // The password counters' keys are the name as typed (trimmed, lower case), the codes' as found.
  {
    table: 'login_attempt',
    alias: 'a',
    names: `a.kind IN ('user', 'code') AND a.key IN (left(u.username, 128), left(lower(btrim(u.username)), 128))`,
  },
];

/**
 * The sources whose import can load rows the removal deletes: the case systems and the economy (a
 * national file names every municipality's lines), not the public statistics, which stay.
 */
const RELOADING_SOURCES: readonly string[] = SOURCES.filter((s) => s !== 'statistics');

/** A job that has not run yet, or one whose data and result the queue still keeps. */
const REMOVABLE_JOB_STATES: ['waiting', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] = [
  'waiting',
  'delayed',
  'prioritized',
  'waiting-children',
  'completed',
  'failed',
];

/** A table the municipality has rows in, and which of its rows those are. */
export interface MunicipalityTable {
  table: string;
  partitioned: boolean;
  /** The rows, as a condition on alias `t`, with the municipality code as $1. */
  where: string;
  /**
   * Rows that refer to this table's rows of the municipality by a foreign key that owns them but
   * are not the municipality's (another municipality's, or a kept table's): each a count query with
   * the code as $1. Deleting the parent would take them with it (CASCADE) or fail (NO ACTION).
   */
  strays: { child: string; count: string }[];
}

/** Why nothing was deleted (a Danish message for the operator). */
export class MunicipalityRemovalRefused extends Error {}

/** The refusal of the reasons found (each a Danish sentence), one a line. */
const refused = (reasons: string[]) => new MunicipalityRemovalRefused(`${reasons.join('\n')} Intet er slettet.`);

/** Held by a worker while it imports the municipality (etl-job.ts), and by the removal throughout. */
const importLock = (municipality: number) => ({ name: 'import-municipality', key: municipality, application: APPLICATION_NAME.cli });

/** The refusals met at the locks, said once for the removal and its dry run. */
const IMPORTING = (municipality: number) => `Kommune ${municipality} bliver indlæst lige nu; prøv igen, når importen er færdig.`;
const CHECKING = 'Afleveringsmapperne bliver tjekket lige nu; prøv igen om lidt.';

export interface RemovalOptions {
  /** The 'etl' queue: the municipality's import jobs go (an upload's zip with them, inside `uploadDir`). */
  etlQueue?: Queue<EtlJobData>;
  /** The 'reports' queue: the municipality's report jobs go, and its monthly report's scheduler. */
  reportQueue?: Queue<ReportJobData>;
  /** The upload folder (UPLOAD_DIR): a removed upload job's zip and unpacked folder are deleted when directly in it. */
  uploadDir?: string;
  /** The fact tables' partitions are dropped under a short lock timeout, tried again this many times (as an import's swap). */
  lockAttempts?: number;
}

/** A drop folder of the municipality, and what is in its own subfolders. */
export interface DropFolderContents {
  path: string;
  /** `processing/<time>/`, `processed/<time>/` and `failed/<time>/` (anything in those subfolders). */
  entries: string[];
  /** Entries at the folder's top level (a delivery the check had not taken): left alone, for the operator. */
  topLevel: number;
  /** Why some of it is not looked at (the folder through a link, a subfolder that is not a real folder). */
  problems: string[];
}

export interface MunicipalityOverview {
  municipality: number;
  name: string;
  /** Rows per table, in the order they are deleted; only tables with rows. */
  rows: Record<string, number>;
  /** The municipality's audit rows and the case sets they point at: kept until retention.audit_days. */
  audit: { rows: number; caseSets: number; days: number; ownDays: number | null };
  dropFolders: DropFolderContents[];
  /** The municipality's jobs in the queues: those that can be removed, and those running. */
  jobs: { removable: number; active: number };
  /**
   * What would refuse the removal now (Danish, one sentence each), as the removal checks it: the
   * dry run lists them; a removal that meets one has thrown instead (empty there).
   */
  refusals: string[];
}

export interface MunicipalityRemoval extends MunicipalityOverview {
  /** The import log's national row that records the removal; null when there was nothing to remove. */
  importId: number | null;
  /** Entries deleted from the drop folders' subfolders. */
  deliveries: number;
  /** Jobs removed from the queues; `active` ones could not be (they run: run the command again when they are done). */
  jobsRemoved: number;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * The tables holding rows of a municipality, in an order that deletes every referring row before
 * the row it refers to, and the condition that picks the municipality's rows of each: every table
 * of the schema with a municipality_code (but KEPT_TABLES), and every table that refers to one of
 * those by a foreign key that owns the row (NO ACTION, RESTRICT or CASCADE: the row could not stay
 * without its parent). A row of a table with a municipality_code is the municipality's by that
 * code, or, with none, by its parent (an import issue of the municipality's import); a row of
 * another municipality never is, whatever it refers to: such a row refuses the removal (`strays`)
 * rather than a cascade taking it along. A reference that is set to null on delete does not make a
 * row the municipality's. The fact tables (partitioned) come last: their partitions are dropped
 * under an exclusive lock, held as short a time as possible.
 */
export async function municipalityTables(client: ClientBase): Promise<MunicipalityTable[]> {
  const { rows: tables } = await client.query<{ name: string; partitioned: boolean; scoped: boolean }>(
    `SELECT c.relname AS name, c.relkind = 'p' AS partitioned,
            EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'municipality_code' AND NOT a.attisdropped) AS scoped
     FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition`,
  );
  // Foreign keys between the schema's tables (not the copies PostgreSQL makes on partitions).
  const { rows: keys } = await client.query<{ child: string; parent: string; onDelete: string; childCols: string[]; parentCols: string[] }>(
    `SELECT ch.relname AS child, pa.relname AS parent, k.confdeltype AS "onDelete",
            ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY u(n, i)
                  JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.i) AS "childCols",
            ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY u(n, i)
                  JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.i) AS "parentCols"
     FROM pg_constraint k JOIN pg_class ch ON ch.oid = k.conrelid JOIN pg_class pa ON pa.oid = k.confrelid
     WHERE k.contype = 'f' AND k.conparentid = 0 AND ch.relnamespace = 'public'::regnamespace AND pa.relnamespace = 'public'::regnamespace
       AND NOT ch.relispartition ORDER BY k.conname`,
  );
  const byName = new Map(tables.map((t) => [t.name, t]));
  const cleared = new Set(tables.filter((t) => t.scoped && !(t.name in KEPT_TABLES)).map((t) => t.name));
  const owning = keys.filter((k) => ['a', 'r', 'c'].includes(k.onDelete) && k.child !== k.parent);
  // Tables without a municipality_code whose rows belong to a cleared table's rows (a checklist's items).
  for (let grew = true; grew;) {
    grew = false;
    for (const k of owning) {
      if (cleared.has(k.parent) && !cleared.has(k.child) && !(k.child in KEPT_TABLES) && byName.has(k.child)) {
        cleared.add(k.child);
        grew = true;
      }
    }
  }

  let aliases = 0;
  const condition = (table: string, alias: string, path: readonly string[]): string => {
    if (path.includes(table))
      throw new Error(`Fremmednøglerne går i ring (${[...path, table].join(' → ')}); kommunens rækker kan ikke findes.`);
    const scoped = byName.get(table)!.scoped;
    const viaParents = owning
      .filter((k) => k.child === table && cleared.has(k.parent))
      .map((k) => {
        const p = `p${++aliases}`;
        const inner = condition(k.parent, p, [...path, table]);
        const ofParent = `(${k.childCols.map((c) => `${alias}.${quote(c)}`).join(', ')}) IN (SELECT ${k.parentCols.map((c) => `${p}.${quote(c)}`).join(', ')} FROM ${quote(k.parent)} ${p} WHERE ${inner})`;
        return scoped ? `(${alias}.municipality_code IS NULL AND ${ofParent})` : ofParent;
      });
    return [...(scoped ? [`${alias}.municipality_code = $1`] : []), ...viaParents].join(' OR ');
  };

  // Children before parents (every foreign key between cleared tables, whatever it does on delete);
  // among those free to go, the plain tables first, then by name.
  const refersTo = keys.filter((k) => cleared.has(k.child) && cleared.has(k.parent) && k.child !== k.parent);
  const order: string[] = [];
  const left = new Set(cleared);
  while (left.size > 0) {
    const free = [...left]
      .filter((t) => !refersTo.some((k) => k.parent === t && left.has(k.child)))
      .sort((a, b) => Number(byName.get(a)!.partitioned) - Number(byName.get(b)!.partitioned) || a.localeCompare(b));
    if (free.length === 0)
      throw new Error(`Fremmednøglerne mellem ${[...left].sort().join(', ')} går i ring; de kan ikke slettes i rækkefølge.`);
    order.push(free[0]);
    left.delete(free[0]);
  }
  // A row that is not the municipality's may still refer to one of its rows (the schema lets a
  // review case of one municipality sit in another's round): found before anything is deleted.
  const strays = (parent: string) =>
    owning
      .filter((k) => k.parent === parent && byName.has(k.child))
      .map((k) => {
        const own = cleared.has(k.child) ? condition(k.child, 'c', []) : 'false';
        const refers = `(${k.childCols.map((c) => `c.${quote(c)}`).join(', ')}) IN (SELECT ${k.parentCols.map((c) => `r.${quote(c)}`).join(', ')} FROM ${quote(parent)} r WHERE ${condition(parent, 'r', [])})`;
        return {
          child: k.child,
          count: `SELECT count(*)::int AS n FROM ${quote(k.child)} c WHERE ${refers} AND NOT coalesce((${own}), false)`,
        };
      });
  return order.map((table) => ({
    table,
    partitioned: byName.get(table)!.partitioned,
    where: condition(table, 't', []),
    strays: strays(table),
  }));
}

/** The municipality's name; refused when the code is no municipality's. */
async function municipalityName(client: ClientBase, municipality: number): Promise<string> {
  const { rows } = await client.query<{ name: string }>(`SELECT name FROM municipality WHERE code = $1`, [municipality]);
  if (rows.length === 0) throw new MunicipalityRemovalRefused(`Kommunekoden ${municipality} findes ikke. Intet er slettet.`);
  return rows[0].name;
}

/** Counts per table (only those with rows): the municipality's own, then the traces of its users. */
async function countRows(client: ClientBase, municipality: number, tables: MunicipalityTable[]): Promise<Record<string, number>> {
  const rows: Record<string, number> = {};
  for (const trace of USER_TRACES) {
    const { rows: r } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${trace.table} ${trace.alias} WHERE EXISTS (SELECT 1 FROM app_user u WHERE u.municipality_code = $1 AND ${trace.names})`,
      [municipality],
    );
    if (r[0].n > 0) rows[trace.table] = r[0].n;
  }
  for (const { table, where } of tables) {
    const { rows: r } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${quote(table)} t WHERE ${where}`, [
      municipality,
    ]);
    if (r[0].n > 0) rows[table] = r[0].n;
  }
  return rows;
}

/** The audit rows kept, and the retention that then applies to them: the product-wide one, as the municipality's own setting goes. */
async function auditKept(client: ClientBase, municipality: number): Promise<MunicipalityOverview['audit']> {
  const { rows } = await client.query<{ rows: number; sets: number }>(
    `SELECT count(*)::int AS rows, count(DISTINCT case_set_id)::int AS sets FROM audit_log WHERE municipality_code = $1`,
    [municipality],
  );
  const { rows: settings } = await client.query<{ code: number; value: unknown }>(
    `SELECT municipality_code AS code, value FROM setting WHERE key = 'retention.audit_days' AND municipality_code IN (0, $1)`,
    [municipality],
  );
  const at = (code: number) => settings.find((s) => s.code === code)?.value;
  const productWide = at(0);
  const own = at(municipality);
  return {
    rows: rows[0].rows,
    caseSets: rows[0].sets,
    days: typeof productWide === 'number' ? productWide : RETENTION_DEFAULTS['retention.audit_days'],
    ownDays: typeof own === 'number' ? own : null,
  };
}

/**
 * What is in a drop folder's own subfolders, found as the retention purge finds it
 * (purgeDeliveries): the folder only by its real path, a subfolder only when it is a real folder,
 * nothing followed through a link.
 */
async function dropFolderContents(path: string): Promise<DropFolderContents> {
  const contents: DropFolderContents = { path, entries: [], topLevel: 0, problems: [] };
  let root: string;
  try {
    root = await realpath(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return contents; // gone already: nothing in it to delete
  }
  if (root !== resolve(path) || !(await lstat(root)).isDirectory()) {
    contents.problems.push(`${path} er ikke en almindelig mappe (eller går gennem en symbolsk henvisning); intet er slettet derfra.`);
    return contents;
  }
  for (const state of DELIVERY_STATES) {
    const parent = join(root, state);
    const stat = await lstat(parent).catch(() => null);
    if (!stat) continue;
    if (stat.isSymbolicLink() || !stat.isDirectory()) {
      contents.problems.push(`${parent} er ikke en almindelig mappe; intet er slettet derfra.`);
      continue;
    }
    for (const name of (await readdir(parent)).sort()) contents.entries.push(join(parent, name));
  }
  contents.topLevel = (await readdir(root)).filter((name) => !(DELIVERY_STATES as readonly string[]).includes(name)).length;
  return contents;
}

async function dropFolders(client: ClientBase, municipality: number, lock: boolean): Promise<DropFolderContents[]> {
  const { rows } = await client.query<{ path: string }>(
    `SELECT path FROM drop_folder WHERE municipality_code = $1 ORDER BY id${lock ? ' FOR UPDATE' : ''}`,
    [municipality],
  );
  const found: DropFolderContents[] = [];
  for (const { path } of rows) found.push(await dropFolderContents(path));
  return found;
}

type AnyQueue = Queue<EtlJobData> | Queue<ReportJobData>;

const queuesOf = (options: RemovalOptions): AnyQueue[] => [options.etlQueue, options.reportQueue].filter((q): q is AnyQueue => !!q);

/** A job of the municipality (as the API and the retention purge find a job's municipality). */
const jobOf = (job: Job<EtlJobData | ReportJobData>, municipality: number) => jobMunicipality(job) === municipality;

type JobStates = Parameters<Queue<EtlJobData>['getJobs']>[0];

/**
 * Import jobs not finished that name no municipality (a national administrator's upload, a CLI
 * job: the file decides): one might be of this municipality and load it again after the commit.
 */
async function importJobsOfUnknownMunicipality(queue: Queue<EtlJobData>): Promise<string[]> {
  const jobs = await queue.getJobs(['active', 'waiting', 'delayed', 'prioritized', 'waiting-children']);
  return jobs
    .filter((job) => job.name === 'import' && RELOADING_SOURCES.includes(job.data.source) && jobMunicipality(job) === null)
    .map((job) => String(job.id))
    .sort((a, b) => a.localeCompare(b, 'da', { numeric: true }));
}

async function jobsOf(queue: AnyQueue, municipality: number, states: JobStates) {
  const jobs = (await (queue as Queue<EtlJobData | ReportJobData>).getJobs(states)) as Job<EtlJobData | ReportJobData>[];
  return jobs.filter((job) => jobOf(job, municipality));
}

async function countJobs(options: RemovalOptions, municipality: number): Promise<MunicipalityOverview['jobs']> {
  const jobs = { removable: 0, active: 0 };
  for (const queue of queuesOf(options)) {
    jobs.removable += (await jobsOf(queue, municipality, REMOVABLE_JOB_STATES)).length;
    jobs.active += (await jobsOf(queue, municipality, ['active'])).length;
  }
  return jobs;
}

/**
 * What removing the municipality would delete (nothing is changed): rows per table, the drop
 * folders' contents, the queued jobs, and the audit rows that stay.
 */
export async function municipalityOverview(pool: Pool, municipality: number, options: RemovalOptions = {}): Promise<MunicipalityOverview> {
  const client = await pool.connect();
  let overview: Omit<MunicipalityOverview, 'jobs'>;
  try {
    // One snapshot for every count; read only, so nothing can change.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const name = await municipalityName(client, municipality);
    const tables = await municipalityTables(client);
    const rows = await countRows(client, municipality, tables);
    const audit = await auditKept(client, municipality);
    // The removal's locks looked at, not taken (a worker would delay its import, a check skip its
    // turn), then the removal's own checks: the refusals a --confirm would meet now. A drop-folder
    // check running now is none: --confirm waits for it (CHECK_WAIT_TRIES).
    const refusals: string[] = [];
    if (await sessionLockHeld(client, importLock(municipality))) refusals.push(IMPORTING(municipality));
    refusals.push(...(await refusalsIn(client, municipality, tables, options)));
    overview = { municipality, name, rows, audit, dropFolders: await dropFolders(client, municipality, false), refusals };
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
  return { ...overview, jobs: await countJobs(options, municipality) };
}

/** How long to wait for a running drop-folder check to finish before giving up (it moves files for seconds). */
const CHECK_WAIT_TRIES = 30;

/**
 * Removes every row of a municipality (but the audit log and the public statistics: KEPT_TABLES),
 * the files in its drop folders' subfolders and its jobs. Holding, in this order: the
 * municipality's import lock (no worker imports it meanwhile; its jobs wait), the drop-folder
 * check's lock (no delivery of it is taken meanwhile), and in one transaction its snapshot lock (an
 * import of it that is further along commits first, and is removed with the rest) and its read
 * models' lock (no build of them commits after). An import that started, or an import job still
 * queued, that does not know its municipality yet refuses the removal: it might be of this one; so
 * does a row of another municipality that hangs on one of its rows. The import log gets one national
 * row (no municipality: it survives the removal) with the counts and who asked; the municipality's
 * data version moves, so every API process drops its cached answers. Run again, it removes what is
 * left (a job that was running, say) and records only when it removed something.
 */
export async function removeMunicipality(
  pool: Pool,
  municipality: number,
  requestedBy: string,
  options: RemovalOptions = {},
): Promise<MunicipalityRemoval> {
  return withSessionLock(pool, importLock(municipality), async (got) => {
    if (!got) throw refused([IMPORTING(municipality)]);
    let removal: MunicipalityRemoval | undefined;
    for (let i = 0; i < CHECK_WAIT_TRIES && !removal; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 1000));
      removal = (await whileNoCheckRuns(pool, () => removeInTransaction(pool, municipality, requestedBy, options)))?.value;
    }
    if (!removal) throw refused([CHECKING]);
    // After the commit, still under the import lock: a job of the municipality that a worker took
    // meanwhile has gone back to the queue (delayed), where it is found now.
    const { removed, active } = await removeJobs(options, municipality);
    removal.jobsRemoved = removed;
    removal.jobs = { removable: 0, active };
    if (removed > 0 && removal.importId === null) removal.importId = await record(pool, removal, requestedBy);
    else if (removal.importId !== null)
      await pool.query(`UPDATE import_run SET removed = removed || $2 WHERE id = $1`, [
        removal.importId,
        JSON.stringify({ jobs: removed }),
      ]);
    return removal;
  });
}

async function removeInTransaction(
  pool: Pool,
  municipality: number,
  requestedBy: string,
  options: RemovalOptions,
): Promise<MunicipalityRemoval> {
  const client = await pool.connect();
  try {
    // An import whose process died holds nothing: it must not stop the removal.
    await failAbandonedRuns(client);
    await client.query('BEGIN');
    await lockCaseSnapshot(client, municipality);
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1), $2)', ['read-models', municipality]);
    const name = await municipalityName(client, municipality);
    const tables = await municipalityTables(client);
    const refusals = await refusalsIn(client, municipality, tables, options);
    if (refusals.length > 0) throw refused(refusals);
    const audit = await auditKept(client, municipality);
    const folders = await dropFolders(client, municipality, true);
    // The files first: one that cannot be deleted stops the removal with everything still in place to try again.
    let deliveries = 0;
    for (const folder of folders) {
      for (const entry of folder.entries) {
        // rm never follows a link: a link is removed, not what it points at.
        await rm(entry, { recursive: true, force: true });
        deliveries++;
      }
    }
    const rows: Record<string, number> = {};
    for (const trace of USER_TRACES) {
      const { rowCount } = await client.query(
        `DELETE FROM ${trace.table} ${trace.alias} USING app_user u WHERE u.municipality_code = $1 AND ${trace.names}`,
        [municipality],
      );
      if (rowCount) rows[trace.table] = rowCount;
    }
    // The partitions' rows are counted before the exclusive lock, which every reader waits for: the
    // import and snapshot locks held keep them as counted.
    const partitions = new Map<string, { name: string; rows: number }>();
    for (const { table, partitioned } of tables) {
      const partition = partitioned ? await currentPartition(client, table, municipality) : null;
      if (partition)
        partitions.set(table, {
          name: partition,
          rows: (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${quote(partition)}`)).rows[0].n,
        });
    }
    let locked = false;
    for (const { table, partitioned, where } of tables) {
      let n = 0;
      if (partitioned) {
        if (!locked) {
          await lockPartitioned(client, [...partitions.keys()], options.lockAttempts ?? 60);
          locked = true;
        }
        // Its own partition goes whole (as an import replaces it), rows elsewhere (none as laid out now) by DELETE.
        const partition = partitions.get(table);
        if (partition) {
          n += partition.rows;
          await client.query(`DROP TABLE ${quote(partition.name)}`);
        }
      }
      n += (await client.query(`DELETE FROM ${quote(table)} t WHERE ${where}`, [municipality])).rowCount ?? 0;
      if (n > 0) rows[table] = n;
    }
    // Whatever was deleted: the API's processes drop the municipality's cached answers.
    await client.query('SELECT move_data_version($1)', [String(municipality)]);
    const removal: MunicipalityRemoval = {
      municipality,
      name,
      rows,
      audit,
      dropFolders: folders,
      jobs: { removable: 0, active: 0 },
      refusals: [],
      importId: null,
      deliveries,
      jobsRemoved: 0,
    };
    if (Object.keys(rows).length > 0 || deliveries > 0) removal.importId = await record(client, removal, requestedBy);
    await client.query('COMMIT');
    return removal;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * What in the data and the queue refuses the removal, one Danish sentence each: an import that runs
 * and may be of the municipality, an import job queued that names no municipality, a row of
 * another municipality that hangs on one of its rows. The removal asks under its locks and throws;
 * the dry run asks without them and lists what a --confirm would meet now. Only reads.
 */
async function refusalsIn(
  client: ClientBase,
  municipality: number,
  tables: MunicipalityTable[],
  options: RemovalOptions,
): Promise<string[]> {
  const refusals: string[] = [];
  // Its own, or one that does not know its municipality yet: it could load the data again after
  // the commit. Only one whose process lives (the dry run does not mark the dead ones failed).
  const { rows: running } = await client.query<{ id: string }>(
    `SELECT id::text AS id FROM import_run WHERE status = 'running'
       AND (municipality_code = $1 OR (municipality_code IS NULL AND source = ANY ($2))) ORDER BY id`,
    [municipality, RELOADING_SOURCES],
  );
  const alive: string[] = [];
  for (const { id } of running) if (await importAlive(client, id)) alive.push(id);
  if (alive.length > 0) refusals.push(`Import ${alive.join(', ')} kører og kan være kommunens; prøv igen, når den er færdig.`);
  if (options.etlQueue) {
    const queued = await importJobsOfUnknownMunicipality(options.etlQueue);
    if (queued.length > 0)
      refusals.push(
        `Importjob ${queued.join(', ')} i køen angiver ingen kommune og kan indlæse kommunens data igen efter sletningen; ` +
          'vent, til de er kørt, eller annullér dem, og prøv igen.',
      );
  }
  const strays: string[] = [];
  for (const { table, strays: checks } of tables) {
    for (const { child, count } of checks) {
      const { rows: r } = await client.query<{ n: number }>(count, [municipality]);
      if (r[0].n > 0) strays.push(`${r[0].n} i ${child} (under ${table})`);
    }
  }
  if (strays.length > 0)
    refusals.push(
      `Rækker, der ikke er kommunens, hænger på kommunens rækker og ville forsvinde eller standse sletningen: ${strays.join(', ')}. ` +
        'Ret eller flyt dem først.',
    );
  return refusals;
}

/**
 * The fact tables' parents, locked at once before their partitions are dropped (ACCESS EXCLUSIVE,
 * which every reader waits for): with a short lock timeout, tried again, so that a long KPI query
 * delays the removal rather than every other reader queueing behind it (as swapPartitions).
 */
async function lockPartitioned(client: PoolClient, parents: string[], attempts: number): Promise<void> {
  if (parents.length === 0) return;
  for (let attempt = 1; ; attempt++) {
    await client.query('SAVEPOINT lock_partitioned');
    try {
      await client.query(`SET LOCAL lock_timeout = '500ms'`);
      await client.query(`LOCK TABLE ONLY ${parents.map(quote).join(', ')} IN ACCESS EXCLUSIVE MODE`);
      await client.query(`SET LOCAL lock_timeout = 0`);
      await client.query('RELEASE SAVEPOINT lock_partitioned');
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== '55P03' || attempt >= attempts) throw error;
      await client.query('ROLLBACK TO SAVEPOINT lock_partitioned');
      await new Promise((r) => setTimeout(r, Math.min(5000, 250 * attempt)));
    }
  }
}

/**
 * The import log's record of the removal: national (no municipality_code), so it is not among the
 * rows it removes, and kept as long as the audit log (the retention purge's rule for purge rows of
 * no municipality). Counts only; who asked as every import records it.
 */
async function record(client: ClientBase | Pool, removal: MunicipalityRemoval, requestedBy: string): Promise<number> {
  const removed = {
    municipality: removal.municipality,
    rows: removal.rows,
    deliveries: removal.deliveries,
    jobs: removal.jobsRemoved,
    auditRowsKept: removal.audit.rows,
  };
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO import_run (municipality_code, source, status, requested_by, started_at, finished_at, removed)
     VALUES (NULL, 'purge', 'succeeded', $1, now(), now(), $2) RETURNING id`,
    [requestedBy, JSON.stringify(removed)],
  );
  return Number(rows[0].id);
}

/**
 * The municipality's jobs that have not started, or whose data and result the queue keeps, and the
 * scheduler of its monthly report. An upload's zip and unpacked folder go with its job (only names
 * directly in the upload folder, as the API's cancel). A running job cannot be removed: counted.
 */
async function removeJobs(options: RemovalOptions, municipality: number): Promise<{ removed: number; active: number }> {
  let removed = 0;
  let active = 0;
  if (options.reportQueue) {
    // The scheduler's next report goes with it: counted as removed.
    const queued = async () => (await jobsOf(options.reportQueue!, municipality, REMOVABLE_JOB_STATES)).length;
    const before = await queued();
    await options.reportQueue.removeJobScheduler(committeeSchedulerKey(municipality));
    removed += before - (await queued());
  }
  for (const queue of queuesOf(options)) {
    for (const job of await jobsOf(queue, municipality, REMOVABLE_JOB_STATES)) {
      try {
        await job.remove();
      } catch {
        active++; // taken by a worker meanwhile (locked): it runs, and is counted as running
        continue;
      }
      removed++;
      const data = job.data as EtlJobData;
      if (options.uploadDir && data.zip) {
        const uploads = resolve(options.uploadDir);
        for (const path of [data.zip, data.dir])
          if (typeof path === 'string' && dirname(resolve(path)) === uploads) await rm(resolve(path), { recursive: true, force: true });
      }
    }
    active += (await jobsOf(queue, municipality, ['active'])).length;
  }
  return { removed, active };
}
