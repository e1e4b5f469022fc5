import { createHash } from 'crypto';
import { statSync } from 'fs';
import { basename } from 'path';
import { Client, Pool, PoolClient, type ClientBase } from 'pg';
import { APPLICATION_NAME, settings } from '@bu/config';
import { FileFormatError, openExportFile, ReadDigest, readDigests } from './csv/source';
import { traceQueries } from './trace';
import { sessionLockHeld } from './jobs/session-lock';
import { ImportFailure, ImportIssue, IssueLog } from './issues';
import { maskCprInText } from './pseudonym';
import { ENTITY_NAMES, EntityName, LoadableEntity } from './load/entities';
import type { MergeCounts } from './load/merge';
import { refuseShrink, type Shrinkage } from './load/shrink';
import { pseudonymKeyId } from './pseudonym';
import { copenhagenToday } from './case-snapshot';
import { findSameExport, recordSameExport, ReuseRecord, RULES_FINGERPRINT, SameExport } from './same-export';

import { CASE_SOURCES, type SourceKind } from '@bu/domain';
export type { SourceKind };

export interface ImportOptions {
  /** Municipality code given at import (--municipality); must agree with the data. */
  municipality?: number;
  /** Export date given at import (--export-date); default: the newest date in the snapshot. */
  exportDate?: string;
  requestedBy?: string;
  /**
   * Set for an uploader scoped to one municipality: any other municipality's data (or data spanning
   * several, economy and statistics) fails the import as a whole; nothing is written.
   */
  allowedMunicipality?: number;
  jobId?: string;
  /** Secret for the CPR keyed hash. */
  pseudonymSecret: string;
  onProgress?: (progress: ImportProgress) => void;
  /**
   * Key rotation: accept that the municipality's other case-system source is still under another
   * pseudonym key (its figures are refused until that source is re-imported too).
   */
  rekey?: boolean;
  /** Load an export older than the municipality's loaded snapshot of this source (--allow-older). */
  allowOlder?: boolean;
  /** Let an import remove more than the municipality's import.max_shrink_share (--allow-shrink). */
  allowShrink?: boolean;
  /** DUBU: the largest file of at least this many bytes is read in a thread of its own (default 8 MB). */
  stagingThreadBytes?: number;
  /** Stage the export even when it matches the snapshot in force file for file (--restage; see same-export.ts). */
  restage?: boolean;
  /** Today in Danish time (tests); the default export date is the newest event not after it. */
  today?: string;
}

export interface ImportProgress {
  file: string;
  rowsRead: number;
  rejected: number;
}

export interface ImportResult {
  status: 'succeeded' | 'failed';
  importId: string;
  municipality: number | null;
  exportDate: string | null;
  loaded: Partial<Record<EntityName, number>>;
  unchanged: Partial<Record<EntityName, number>>;
  removed: Partial<Record<EntityName, number>>;
  /** The first ISSUE_LIST_LIMIT rejected rows and warnings, in file order; all of them are in import_issue. */
  rejected: Omit<ImportIssue, 'severity'>[];
  warnings: Omit<ImportIssue, 'severity'>[];
  rejectedCount: number;
  warningCount: number;
  error?: string;
  seconds: number;
  /**
   * Set when the export matched the snapshot in force file for file and was not staged again
   * ("uændret"): the import that loaded that snapshot, whose data stand.
   */
  sameAs?: string;
}

export interface FileInfo {
  file: string;
  bytes: number;
  sha256: string;
}

export async function checksum(path: string): Promise<FileInfo> {
  const hash = createHash('sha256');
  let bytes = 0;
  const handle = await openExportFile(path);
  for await (const chunk of handle.createReadStream() as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { file: basename(path), bytes, sha256: hash.digest('hex') };
}

/** The sources whose rows carry pseudonymised person ids. */
export const PERSON_SOURCES: readonly SourceKind[] = CASE_SOURCES;

/**
 * A municipality's case-system sources must share one pseudonym key, or one child counts twice.
 * An import under another key than the other source's fails unless it is a rotation (--rekey).
 */
async function refuseMixedKeys(client: PoolClient, municipality: number, source: SourceKind, keyId: string): Promise<void> {
  const { rows } = await client.query(
    `SELECT source, pseudonym_key_id AS key FROM source_snapshot
     WHERE municipality_code = $1 AND source = ANY($2) AND source <> $3 AND pseudonym_key_id IS DISTINCT FROM $4`,
    [municipality, PERSON_SOURCES, source, keyId],
  );
  if (rows.length === 0) return;
  const other = rows[0] as { source: string; key: string | null };
  throw new ImportFailure(
    'PSEUDONYM_KEY_MIXED',
    null,
    `Kommune ${municipality} har også data fra ${other.source}, pseudonymiseret med en anden nøgle (${other.key ?? 'fra før nøgle-id'}) end denne import (${keyId}). ` +
      `Ved nøgleskift: indlæs med --rekey og genindlæs derefter kommunens andre kilder; indtil da vises kommunens tal ikke.`,
    // Key ids are hexadecimal: one in thirty has ten digits in a row, which the CPR mask would hide.
    false,
  );
}

/**
 * A case-system export older than the snapshot loaded would turn every figure back in time: refused
 * as a whole unless forced (--allow-older). Economy files replace only their own years: not checked. Read under the source's snapshot lock, so against what a concurrent
 * import of the same municipality committed first.
 */
async function refuseOlderExport(client: PoolClient, municipality: number, source: SourceKind, exportDate: string): Promise<void> {
  const { rows } = await client.query(
    `SELECT to_char(export_date, 'DD.MM.YYYY') AS loaded, to_char($3::date, 'DD.MM.YYYY') AS given FROM source_snapshot
     WHERE municipality_code = $1 AND source = $2 AND export_date > $3::date`,
    [municipality, source, exportDate],
  );
  if (rows.length === 0) return;
  throw new ImportFailure(
    'EXPORT_OLDER',
    null,
    `Udtrækket er fra ${rows[0].given}, men kommune ${municipality} har allerede et nyere udtræk fra ${source} indlæst (${rows[0].loaded}). ` +
      `Intet er indlæst. Er det ældre udtræk det rigtige, så indlæs med --allow-older.`,
  );
}

/** What a source-specific import does inside the one transaction. */
export interface StageResult {
  /** null when the import spans several municipalities (economy, statistics). */
  municipality: number | null;
  exportDate: string | null;
  merged: Partial<Record<LoadableEntity, MergeCounts>>;
  /** What the import would remove of what the municipality has (refused above its share: load/shrink.ts). */
  shrinkage?: Shrinkage[];
  /** Runs last, just before commit (the case-system snapshots swap their partitions in). */
  beforeCommit?: () => Promise<void>;
  /**
   * A snapshot the same files can be recognised by (same-export.ts): the first day on which they give
   * another default export date (ReuseRecord.until), null when none; absent when not recorded.
   */
  defaultDateUntil?: string | null;
}

/**
 * Runs one import: records it in import_run, then parses, stages, validates and merges in ONE
 * transaction. Any failure rolls everything back (the database is as before) and is recorded.
 */
export async function runImport(
  pool: Pool,
  source: SourceKind,
  paths: string[],
  options: ImportOptions,
  stage: (client: PoolClient, log: IssueLog, context: StageContext) => Promise<StageResult>,
): Promise<ImportResult> {
  const started = Date.now();
  // Names and sizes now; each file's SHA-256 is taken as the import reads it (one pass over the
  // bytes, not two) and recorded when the import ends.
  const files = paths.map((path) => ({ file: basename(path), bytes: statSync(path).size, sha256: null as string | null }));
  const digests = new Map<string, ReadDigest>();
  const recordedFiles = async (): Promise<string> =>
    JSON.stringify(
      await Promise.all(
        paths.map(async (path) => {
          const digest = digests.get(path);
          return digest?.complete
            ? { file: basename(path), bytes: digest.bytes, sha256: digest.sha256 ?? digest.hash!.digest('hex') }
            : checksum(path);
        }),
      ),
    );
  // The run's row and its lock are made together (startRun); from here on the connection is the import's.
  const client = await pool.connect();
  if (settings().ETL_TRACE) traceQueries(client, 'tx');
  let importId: string;
  try {
    importId = await startRun(client, source, options, JSON.stringify(files));
  } catch (error) {
    client.release();
    throw error;
  }
  const schema = importSchema(importId);
  const loaders: Client[] = [];
  const log = new IssueLog();
  // The import's own schema, first on the search path of its connections: staging tables that may
  // become a municipality's new partitions are regular tables there (see load/partition.ts), out of
  // the way of any other import running at the same time. It is made outside the import's
  // transaction, so that a second connection can COPY into it (staging, committed as it goes;
  // nothing there is canonical until the transaction moves it out), and dropped with what is left in
  // it when the import ends.
  const connection = { ...pool.options, application_name: APPLICATION_NAME.import };
  const context: StageContext = {
    importId,
    connect: async () => {
      const loader = new Client(connection);
      loaders.push(loader);
      const label = `c${loaders.length}`;
      await loader.connect();
      if (settings().ETL_TRACE) traceQueries(loader, label);
      return { client: loader, pid: await prepareLoader(loader, schema) };
    },
    // Without functions (a password callback, say), which cannot cross to a thread.
    thread: {
      connection: Object.fromEntries(Object.entries(connection).filter(([, v]) => typeof v !== 'function')),
      schema,
    },
  };
  try {
    // A file the check cannot open as an export file (a link, a pipe): not the same export; the
    // import itself then fails on it, recorded with its Danish message.
    const same = await importSameExport(client, source, paths, options, importId, started).catch((error) => {
      if (error instanceof FileFormatError) return null;
      throw error;
    });
    if (same) return same;
    await failAbandonedRuns(client, importId);
    await dropLeftoverSchemas(client);
    await client.query(`CREATE SCHEMA ${schema}`);
    await IssueLog.prepare(client, schema);
    await client.query('BEGIN');
    await roomForStaging(client);
    await client.query(`SET LOCAL TimeZone = 'Europe/Copenhagen'`);
    // Staging statistics need only a rough picture; a sample of 3,000 rows is plenty.
    await client.query('SET LOCAL default_statistics_target = 10');
    // The set-based steps sort and hash whole staging tables (1,000,000 rows in the benchmark): at
    // the 4 MB default they spill to disk. This is the server's memory for this one transaction.
    await client.query(`SET LOCAL work_mem = '256MB'`);
    await client.query(`SET LOCAL maintenance_work_mem = '256MB'`);
    // Each big statement runs once: compiling it (JIT) costs more than it saves.
    await client.query('SET LOCAL jit = off');
    await client.query(`SET LOCAL search_path = ${schema}, public`);
    const result = await readDigests.run(digests, () => stage(client, log, context));
    const allowed = options.allowedMunicipality;
    if (allowed !== undefined && result.municipality !== allowed) {
      throw new ImportFailure(
        'NO_MUNICIPALITY',
        null,
        result.municipality === null
          ? `Udtrækket gælder flere kommuner; du må kun indlæse data for kommune ${allowed}. Intet er indlæst.`
          : `Udtrækket er fra kommune ${result.municipality}; du må kun indlæse data for kommune ${allowed}. Intet er indlæst.`,
      );
    }
    await refuseShrink(client, source, result.shrinkage, options.allowShrink);
    let loaded: Partial<Record<EntityName, number>> = {};
    let unchanged: Partial<Record<EntityName, number>> = {};
    let removed: Partial<Record<EntityName, number>> = {};
    for (const [entity, counts] of Object.entries(result.merged)) {
      if (entity === 'persons' || entity === 'teams' || !counts) continue;
      // Population rows are statistics too: reported under that entity.
      const name = (entity === 'population' ? 'statistics' : entity) as EntityName;
      loaded[name] = (loaded[name] ?? 0) + counts.inserted + counts.updated;
      unchanged[name] = (unchanged[name] ?? 0) + counts.unchanged;
      removed[name] = (removed[name] ?? 0) + counts.removed;
    }
    const ordered = <T>(o: Partial<Record<EntityName, T>>) =>
      Object.fromEntries(ENTITY_NAMES.filter((e) => e in o).map((e) => [e, o[e]])) as Partial<Record<EntityName, T>>;
    loaded = ordered(loaded);
    unchanged = ordered(unchanged);
    removed = ordered(removed);
    await log.writeTo(client, importId, result.municipality);
    const recorded = await recordedFiles();
    if (result.municipality !== null && result.exportDate !== null) {
      const keyId = PERSON_SOURCES.includes(source) ? pseudonymKeyId(options.pseudonymSecret) : null;
      if (keyId !== null && !options.rekey) await refuseMixedKeys(client, result.municipality, source, keyId);
      if (keyId !== null && !options.allowOlder) await refuseOlderExport(client, result.municipality, source, result.exportDate);
      await client.query(
        `INSERT INTO source_snapshot (municipality_code, source, export_date, import_id, pseudonym_key_id) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (municipality_code, source) DO UPDATE SET export_date = EXCLUDED.export_date, import_id = EXCLUDED.import_id,
           pseudonym_key_id = EXCLUDED.pseudonym_key_id`,
        [result.municipality, source, result.exportDate, importId, keyId],
      );
    }
    // The partitions go in last but one: from here to the commit the tables are locked for readers.
    // The import_run update comes after: it moves the municipality's data version (ADR 0070), whose
    // row that municipality's other changes then wait for until this commit.
    await result.beforeCommit?.();
    const reuse: ReuseRecord | null =
      PERSON_SOURCES.includes(source) && result.municipality !== null && result.defaultDateUntil !== undefined
        ? {
            exportDate: options.exportDate ?? null,
            keyId: pseudonymKeyId(options.pseudonymSecret),
            rules: RULES_FINGERPRINT,
            until: result.defaultDateUntil,
          }
        : null;
    await client.query(
      `UPDATE import_run SET status = 'succeeded', error = NULL, finished_at = now(), municipality_code = $2, export_date = $3,
         loaded = $4, unchanged = $5, removed = $6, rejected_count = $7, warning_count = $8, files = $9, reuse = $10 WHERE id = $1`,
      [importId, result.municipality, result.exportDate, loaded, unchanged, removed, log.rejectedCount, log.warningCount, recorded, reuse],
    );
    await client.query('COMMIT');
    // On the import's own connection: a pool of one (npm start) has no other.
    const listed = await firstIssues(client, importId);
    return {
      status: 'succeeded',
      importId,
      municipality: result.municipality,
      exportDate: result.exportDate,
      loaded,
      unchanged,
      removed,
      ...listed,
      rejectedCount: log.rejectedCount,
      warningCount: log.warningCount,
      seconds: (Date.now() - started) / 1000,
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    // A whole failure's message may quote a value of the file (a CPR in a parse error): masked like
    // rejected values, also in the error rethrown to the queue (its failedReason and the worker log).
    // The stack too: one made before the message was masked (a staging thread's error) repeats it.
    if (error instanceof Error && !(error instanceof ImportFailure && !error.quotesData)) {
      error.message = maskCprInText(error.message);
      if (error.stack) error.stack = maskCprInText(error.stack);
    }
    const message = error instanceof ImportFailure ? error.message : `Importen fejlede: ${(error as Error).message}`;
    // On the import's own connection (a pool of one has no other). If the database is gone, the run
    // stays 'running' until failAbandonedRuns finds its lock free.
    await client
      .query(`UPDATE import_run SET status = 'failed', finished_at = now(), error = $2, files = $3 WHERE id = $1`, [
        importId,
        message,
        await recordedFiles().catch(() => JSON.stringify(files)),
      ])
      .catch(() => undefined);
    if (!(error instanceof ImportFailure)) throw error;
    return {
      status: 'failed',
      importId,
      municipality: options.municipality ?? options.allowedMunicipality ?? null,
      exportDate: null,
      loaded: {},
      unchanged: {},
      removed: {},
      rejected: [],
      warnings: [],
      rejectedCount: 0,
      warningCount: 0,
      error: message,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    log.dispose();
    for (const loader of loaders) await loader.end().catch(() => undefined);
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await client.query('SELECT pg_advisory_unlock(hashtext($1), $2)', ['import', importLockKey(importId)]).catch(() => undefined);
    client.release();
  }
}

/**
 * A case-system export that matches the snapshot in force file for file (same-export.ts): its run
 * `importId` recorded as unchanged, nothing staged, and the result; null when the export is to be
 * staged.
 */
async function importSameExport(
  client: PoolClient,
  source: SourceKind,
  paths: string[],
  options: ImportOptions,
  importId: string,
  started: number,
): Promise<ImportResult | null> {
  if (options.restage || !PERSON_SOURCES.includes(source) || paths.length === 0) return null;
  const same: SameExport | null = await findSameExport(
    client,
    source,
    paths,
    {
      municipality: options.municipality ?? options.allowedMunicipality ?? null,
      exportDate: options.exportDate ?? null,
      keyId: pseudonymKeyId(options.pseudonymSecret),
      today: options.today ?? copenhagenToday(),
    },
    checksum,
  );
  if (!same) return null;
  if (!(await recordSameExport(client, source, importId, same))) return null;
  const { rows } = await client.query(`SELECT unchanged FROM import_run WHERE id = $1`, [importId]);
  return {
    status: 'succeeded',
    importId,
    municipality: same.municipality,
    exportDate: same.exportDate,
    loaded: {},
    unchanged: rows[0].unchanged,
    removed: {},
    ...(await firstIssues(client, importId)),
    rejectedCount: same.rejectedCount,
    warningCount: same.warningCount,
    seconds: (Date.now() - started) / 1000,
    sameAs: same.importId,
  };
}

/** The second key of an import's advisory lock. */
const importLockKey = (importId: string): number => Number(BigInt(importId) % 2147483647n);

/** Whether a 'running' import still runs: its connection holds its lock (seen, not taken: failAbandonedRuns takes it). */
export function importAlive(client: ClientBase | Pool, importId: string): Promise<boolean> {
  return sessionLockHeld(client, { name: 'import', key: importLockKey(importId) });
}

/**
 * The run's row in import_run ('running'), and the lock its connection holds until the import
 * ends, in one transaction: whoever sees the row sees it locked. A 'running' row whose lock is
 * free is an import that ended without saying so (failAbandonedRuns).
 */
async function startRun(client: PoolClient, source: SourceKind, options: ImportOptions, files: string): Promise<string> {
  await client.query('BEGIN');
  try {
    const { rows } = await client.query(
      `INSERT INTO import_run (source, status, requested_by, job_id, files, municipality_code)
       VALUES ($1, 'running', $2, $3, $4, $5) RETURNING id`,
      // A scoped uploader's run is recorded in its municipality from the start, so a failure shows in its own log only.
      [source, options.requestedBy ?? null, options.jobId ?? null, files, options.municipality ?? options.allowedMunicipality ?? null],
    );
    const importId: string = rows[0].id;
    // A session lock, taken inside the transaction: it outlives the commit.
    await client.query('SELECT pg_advisory_lock(hashtext($1), $2)', ['import', importLockKey(importId)]);
    await client.query('COMMIT');
    return importId;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** failAbandonedRuns on a connection of the pool's own (the locks it tries are the session's). */
export async function failAbandonedRunsOf(pool: Pool): Promise<string[]> {
  const client = await pool.connect();
  try {
    return await failAbandonedRuns(client);
  } finally {
    client.release();
  }
}

/** What the import log says of an import that ended without a word (its process killed, its connection lost). */
export const ABANDONED_RUN_MESSAGE =
  'Afbrudt: importen stoppede undervejs (arbejdsprocessen stoppede eller mistede forbindelsen til databasen); intet blev skrevet. Indlæs udtrækket igen, hvis det ikke allerede er prøvet igen.';

/**
 * Marks failed every 'running' import whose lock no connection holds: its process died or lost its
 * connection, and its transaction was rolled back (a killed job, a job the queue gave up after it
 * stalled, a killed CLI import). `own`: the caller's run, whose lock this session holds itself
 * (advisory locks stack within a session). The ids marked.
 */
export async function failAbandonedRuns(client: ClientBase, own?: string): Promise<string[]> {
  const { rows } = await client.query(`SELECT id::text AS id FROM import_run WHERE status = 'running' AND id::text IS DISTINCT FROM $1`, [
    own ?? null,
  ]);
  const failed: string[] = [];
  for (const { id } of rows)
    await whileImportDead(client, id, async () => {
      // Still 'running': an import that ended meanwhile has said so itself.
      const { rowCount } = await client.query(
        `UPDATE import_run SET status = 'failed', finished_at = now(), error = $2 WHERE id = $1 AND status = 'running'`,
        [id, ABANDONED_RUN_MESSAGE],
      );
      if (rowCount) failed.push(id);
    });
  return failed;
}

/**
 * Runs `action` holding import `importId`'s lock, if no connection holds it: that import's process
 * died or lost its connection (it held the lock from its first row to its end). Nothing when it runs.
 */
async function whileImportDead(client: ClientBase, importId: string, action: () => Promise<void>): Promise<void> {
  const key = importLockKey(importId);
  const { rows } = await client.query('SELECT pg_try_advisory_lock(hashtext($1), $2) AS dead', ['import', key]);
  if (!rows[0].dead) return;
  try {
    await action();
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1), $2)', ['import', key]);
  }
}

/** What a source's staging gets besides the import's connection. */
export interface StageContext {
  importId: string;
  /** A second connection (autocommit, the import's schema first on its search path), closed when the import ends. */
  connect: () => Promise<ImportConnection>;
  /** For a staging thread's own connection (prepareLoader): the pool's options and the import's schema. */
  thread: { connection: Record<string, unknown>; schema: string };
}

/** A connection of the import besides its transaction's, and its server process (to cancel its statement). */
export interface ImportConnection {
  client: Client;
  pid: number;
}

/**
 * A connection of the import besides its transaction's (a loader, builder, checker or staging
 * thread): its settings, in one round trip. Its server process id (pg_backend_pid), to cancel its
 * statement from another connection.
 */
export async function prepareLoader(loader: Client, schema: string): Promise<number> {
  // A connection that breaks while idle emits 'error' (unhandled, it would end the process);
  // the failure surfaces as the rejection of the connection's next query.
  loader.on('error', () => undefined);
  // As in the transaction, a staging table's statistics need only a rough picture (statistics
  // target 10). Two index builds already run side by side, one per core: parallel workers for each
  // would only contend with them (and with the loader) for the same cores. Its commits (a staged
  // file, a built index) need not wait for the WAL to reach the disk: nothing it writes counts until
  // the import's transaction commits, and that commit, synchronous, makes all of the WAL before it
  // durable too; a crash before then fails the import anyway.
  const { rows } = await loader.query(
    `SELECT pg_backend_pid() AS pid, set_config('search_path', $1, false), set_config('TimeZone', 'Europe/Copenhagen', false),
            set_config('default_statistics_target', '10', false), set_config('max_parallel_maintenance_workers', '0', false),
            set_config('synchronous_commit', 'off', false)`,
    [`${schema}, public`],
  );
  return rows[0].pid as number;
}

/**
 * Schemas of imports that ended without cleaning up (a process killed mid-import): nothing in them
 * is canonical; they are dropped before the next import starts.
 */
async function dropLeftoverSchemas(client: PoolClient): Promise<void> {
  const { rows } = await client.query(`SELECT nspname, substr(nspname, 8) AS id FROM pg_namespace WHERE nspname ~ '^import_[0-9]+$'`);
  for (const { nspname, id } of rows)
    await whileImportDead(client, id, async () => {
      await client.query(`DROP SCHEMA IF EXISTS ${nspname} CASCADE`);
    });
}

/** How many rejected rows and warnings an import's result lists (the job's result is kept by the queue). */
export const ISSUE_LIST_LIMIT = 1000;

async function firstIssues(client: PoolClient, importId: string): Promise<Pick<ImportResult, 'rejected' | 'warnings'>> {
  const list = async (severity: string) =>
    (
      await client.query(
        `SELECT file, line, rule, value, message FROM import_issue WHERE import_id = $1 AND severity = $2 ORDER BY id LIMIT ${ISSUE_LIST_LIMIT}`,
        [importId, severity],
      )
    ).rows;
  return { rejected: await list('error'), warnings: await list('warning') };
}

/** Every issue of an import of one severity, in file order, a page at a time (the CLI's --json). */
export async function* importIssues(
  pool: Pool,
  importId: string,
  severity: 'error' | 'warning',
): AsyncGenerator<Omit<ImportIssue, 'severity'>> {
  let after = 0;
  for (;;) {
    const { rows } = await pool.query(
      `SELECT id::text AS seq, file, line, rule, value, message FROM import_issue WHERE import_id = $1 AND severity = $2 AND id > $3 ORDER BY id LIMIT 5000`,
      [importId, severity, after],
    );
    for (const { seq: _seq, ...issue } of rows) yield issue;
    if (rows.length < 5000) return;
    after = Number(rows[rows.length - 1].seq);
  }
}

/** The schema of one import's staging tables. */
export const importSchema = (importId: string): string => `import_${Number(importId)}`;

/**
 * The staging tables are temporary: they live in the session's own buffers (temp_buffers, 8 MB by
 * default) and otherwise go back and forth to the file system on every pass of the set-based rules.
 * Room for them, in the server, for this transaction; PostgreSQL allows the setting only before
 * the session first uses a temporary table (a pooled connection that did keeps what it had).
 */
async function roomForStaging(client: PoolClient): Promise<void> {
  await client.query('SAVEPOINT temp_buffers');
  try {
    await client.query(`SET LOCAL temp_buffers = '256MB'`);
    await client.query('RELEASE SAVEPOINT temp_buffers');
  } catch {
    await client.query('ROLLBACK TO SAVEPOINT temp_buffers');
  }
}
