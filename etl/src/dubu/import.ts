import { existsSync, statSync } from 'fs';
import { join } from 'path';
import type { ClientBase, Pool, PoolClient } from 'pg';
import { logDescriptor } from '@bu/logger';
import type { Row } from '../file-reader';
import { ImportFailure, IssueLog } from '../issues';
import { ImportOptions, ImportResult, runImport, StageContext, StageResult } from '../import-run';
import { entityDef, EntityName, stagingColumns } from '../load/entities';
import { stageFile } from '../load/stage-file';
import { stagingTable } from '../load/merge';
import {
  checkCaseReferencesEarly,
  copenhagenToday,
  createSnapshotStaging,
  datesWithinLimit,
  defaultExportDate,
  finishCaseSnapshot,
  lockCaseSnapshot,
  stagesAsPartition,
} from '../case-snapshot';
import { NotificationCaseLinker } from '../notification-cases';
import { ChildrenSeen } from '../children';
import { readDigests } from '../csv/source';
import { StagingThread } from './staging-thread';
import { StagingSession } from '../load/staging-session';
import type { StagedTable } from '../load/staged-table';
import { EventDateRange } from '../load/event-dates';
import { analyzeStaging, compareStagedEarly, prebuildPartition, scopeEmptyStaging } from '../load/partition';
import { Pseudonymiser } from '../pseudonym';
import { DubuContext, DubuFile, DUBU_FILES, DUBU_FORMAT } from './files';

// The files of an export, one descriptor each (dubu/files.ts).
export { DUBU_FILES } from './files';
export type { DubuFile } from './files';

export async function importDubu(pool: Pool, dir: string, options: ImportOptions): Promise<ImportResult> {
  const missing = DUBU_FILES.find((file) => file.required && !existsSync(join(dir, file.file)));
  if (missing) {
    // Recorded as a failed import like any other whole-file failure.
    return runImport(pool, 'dubu', [], options, async () => {
      throw new ImportFailure('FILE_MISSING', missing.file, `Udtrækket mangler filen ${missing.file}.`);
    });
  }
  const present = DUBU_FILES.filter((file) => existsSync(join(dir, file.file)));
  const absent = DUBU_FILES.filter((file) => !present.includes(file));
  return runImport(
    pool,
    'dubu',
    present.map((file) => join(dir, file.file)),
    options,
    (client, log, context) => {
      for (const file of absent)
        log.add(
          'FILE_ABSENT',
          file.file,
          null,
          null,
          `Filen ${file.file} er ikke med i udtrækket; de tidligere indlæste data for den beholdes.`,
        );
      return stageDubu(client, log, dir, present, options, context);
    },
  );
}

/**
 * The order files are read in: sager.csv first (it decides the municipality and its cases are
 * what the notifications are linked to), then underretninger.csv (after it the children are
 * known), then the largest first, so that the longest index builds start while the smaller files
 * are still read.
 */
function stagingOrder(dir: string, files: DubuFile[]): DubuFile[] {
  const size = (file: DubuFile) => statSync(join(dir, file.file)).size;
  const rank = (file: DubuFile) => (file.entity === 'cases' ? 0 : file.entity === 'notifications' ? 1 : 2);
  return [...files].sort((a, b) => rank(a) - rank(b) || size(b) - size(a));
}

/**
 * Several connections work at once. The loader reads and stages the files (committed as each is
 * loaded; the parser links the notifications to the cases read before them and gathers the
 * children of both, staged after them), and a staging thread the largest of the others; two
 * builders build the indexes of the staging tables already loaded (autocommit, see
 * prebuildPartition); an analyser takes their statistics and a checker checks their references to
 * cases (checkCaseReferencesEarly). The snapshot's rules and the partitions follow in the import's
 * own transaction. One more connection makes the fresh partitions' tables (see PartitionOptions).
 */
async function stageDubu(
  client: PoolClient,
  log: IssueLog,
  dir: string,
  files: DubuFile[],
  options: ImportOptions,
  context: StageContext,
): Promise<StageResult> {
  const ctx: DubuContext = {
    municipality: options.municipality ?? null,
    source: 'dubu',
    pseudonyms: new Pseudonymiser(options.pseudonymSecret),
    children: new ChildrenSeen(),
  };
  const today = options.today ?? copenhagenToday();
  const order = stagingOrder(dir, files);
  log.orderFiles(order.map((file) => file.file));
  // The largest file that needs neither the cases nor the children is read in a thread of its own,
  // started first: it gets going while the connections are opened.
  const threaded = threadedFile(dir, order, options.stagingThreadBytes ?? STAGING_THREAD_BYTES);
  const thread = threaded
    ? new StagingThread(
        {
          file: threaded.file,
          path: join(dir, threaded.file),
          importId: context.importId,
          ...context.thread,
          pseudonymSecret: options.pseudonymSecret,
          today,
          files: order.map((f) => f.file),
          logTo: logDescriptor(),
        },
        (progress) => options.onProgress?.({ ...progress, rejected: log.rejectedCount + progress.rejected }),
      )
    : null;
  const session = await openStaging(context, files).catch(async (error) => {
    await thread?.stop();
    throw error;
  });
  if (thread) session.adopt(thread);
  const loader = session.client('loader');
  const builders = [session.client('builder1'), session.client('builder2')];
  const createOutside = (sql: string) => session.client('outside').query(sql);
  const checker = session.client('checker');
  const analyser = session.client('analyser');
  // Work queued on a connection, one piece after another, while the loader reads on.
  const onBuilder = session.lane();
  const onChecker = session.lane();
  const onAnalyser = session.lane();
  // What is known of each staging table as it is staged, built and checked (StagedTable).
  const staged = new Map<EntityName | 'persons', StagedTable>();
  const tableOf = (entity: EntityName | 'persons'): StagedTable => {
    let table = staged.get(entity);
    if (!table) staged.set(entity, (table = {}));
    return table;
  };
  // The import's record of the files read (their checksums), for the thread's file too.
  const digests = readDigests.getStore();
  let casesBuilt: Promise<unknown> = Promise.resolve();
  const withNotifications = files.some((f) => f.entity === 'notifications');
  // The cases as staged, by child, for the notifications read after them.
  const linker = withNotifications ? new NotificationCaseLinker() : null;
  /**
   * The indexes of a staging table just loaded, on the builders (whether it got them), then its
   * statistics on the analyser, once the indexes are built (not meanwhile: analyzeStaging), while
   * the builders go on with the next table.
   */
  const prebuild = (entity: EntityName | 'persons'): Promise<boolean> => {
    const built = onBuilder.add(async () => {
      if (session.failed) return false;
      const done = await prebuildPartition(builders, entityDef(entity), ctx.municipality!, context.importId);
      if (done) tableOf(entity).prebuilt = true;
      return done;
    });
    void onAnalyser.add(async () => {
      await built;
      if (!session.failed) await analyzeStaging(analyser, entityDef(entity));
    });
    // A re-import: compared with the current partition beside the loader (compareStagedEarly), on the
    // builder once it built the table's indexes (it merges them), while the analyser analyses.
    void onBuilder.add(async () => {
      if (!(await built) || session.failed) return;
      const compared = await compareStagedEarly(builders[0], entityDef(entity), ctx.municipality!, ctx.source);
      if (compared) tableOf(entity).compared = compared;
    });
    return built;
  };
  // A file's references to cases are checked as soon as it is staged, on a connection of their
  // own, when no rule before that check can remove a case or one of its rows: when their dates are
  // all early enough for the export date given, or else for the newest date so far (the default
  // export date can only be later).
  const checkReferencesEarly = (file: DubuFile, built: Promise<boolean>) => {
    if (!file.caseRef) return;
    const exportDate = options.exportDate ?? defaultExportDate(staged);
    const within = (entity: EntityName) => {
      const dates = staged.get(entity)?.dates;
      return exportDate !== null && dates !== undefined && datesWithinLimit(dates, exportDate);
    };
    if (!within('cases') || !within(file.entity)) return;
    void onChecker.add(async () => {
      // After the builds of the cases and of the file's own table, which take each table to
      // itself at the end, and whose indexes make the check a merge of two indexes.
      await casesBuilt;
      const indexed = await built;
      if (session.failed) return;
      tableOf(file.entity).unknownCases = await checkCaseReferencesEarly(checker, log, files, file, indexed);
    });
  };
  let threadStaged: Promise<void> = Promise.resolve();
  try {
    if (thread && threaded) {
      const path = join(dir, threaded.file);
      // Its table is there now.
      if (ctx.municipality !== null) thread.municipality(ctx.municipality);
      // Once staged, the file's table is built, analysed and checked like the loader's.
      threadStaged = thread.staged.then((result) => {
        if (session.failed) return;
        log.adopt(result.issues);
        if (result.digest) digests?.set(path, { hash: null, bytes: result.digest.bytes, complete: true, sha256: result.digest.sha256 });
        const range = new EventDateRange(entityDef(threaded.entity), threaded.eventDates, today, threaded.happened);
        range.newest = result.newest;
        range.latest = result.latest;
        range.after = result.after;
        tableOf(threaded.entity).dates = range;
        tableOf(threaded.entity).rows = result.staged;
        checkReferencesEarly(threaded, prebuild(threaded.entity));
      });
      threadStaged.catch(session.failBeside);
    }
    for (const file of order) {
      session.throwIfFailedBeside();
      if (file === threaded) continue;
      const range = new EventDateRange(entityDef(file.entity), file.eventDates, today, file.happened);
      tableOf(file.entity).dates = range;
      const link = linker ? caseLinking(file.entity, linker) : undefined;
      // The thread waits for the municipality, which the first valid case decides.
      const announce = file.entity === 'cases' && thread ? thread : null;
      const see = (values: unknown[]) => {
        range.see(values);
        link?.(values);
        if (announce) announce.municipality(ctx.municipality!);
      };
      const { read, staged: rows } = await stageDubuFile(loader, log, join(dir, file.file), file, ctx, see, options.onProgress);
      tableOf(file.entity).rows = rows;
      if (file.entity === 'cases') {
        // On the loader: the import's transaction must not touch a staging table before the builder is done with it.
        await checkCases(loader, log, ctx, read);
        // The municipality is known: the tables still empty get their partition's scope check now
        // (the thread makes its own table's).
        for (const other of [...files.map((f) => f.entity), 'persons' as const]) {
          if (other !== 'cases' && other !== threaded?.entity && stagesAsPartition(other, 'dubu')) {
            await scopeEmptyStaging(loader, entityDef(other), ctx.municipality!, context.importId);
          }
        }
        // One snapshot of a municipality at a time, from before anything is built against its current partitions.
        await lockCaseSnapshot(client, ctx.municipality!);
      }
      // Whether the file's staging table got its indexes (prebuildPartition).
      const built = stagesAsPartition(file.entity, 'dubu') ? prebuild(file.entity) : Promise.resolve(false);
      if (file.entity === 'cases') casesBuilt = built;
      // The children are known once cases and notifications are read: staged, built and analysed like a file.
      if (file.entity === (withNotifications ? 'notifications' : 'cases')) {
        tableOf('persons').rows = await ctx.children.stage(loader, ctx.municipality!, ctx.source);
        void prebuild('persons');
      }
      checkReferencesEarly(file, built);
    }
    await threadStaged;
    await session.drained();
  } catch (error) {
    throw await session.abort(error);
  }
  const snapshot = await finishCaseSnapshot(client, log, {
    source: 'dubu',
    importId: context.importId,
    municipality: ctx.municipality!,
    exportDate: options.exportDate,
    entities: files,
    personsOfRows: true,
    notificationsLinked: linker?.usable ?? false,
    createOutside,
    staged,
  });
  // The same files give the same snapshot again until the first day an event in them happened after today.
  let until: string | null = null;
  for (const { dates } of staged.values()) if (dates?.after && (until === null || dates.after < until)) until = dates.after;
  return { ...snapshot, defaultDateUntil: until };
}

/**
 * One DUBU file into its staging table, as the loader and the staging thread stage one: what the
 * mappers write on every row (the municipality once known, the source, the file name) as the
 * table's defaults, frozen, in the binary format. `see` is shown each staged row. The rows read and
 * the rows staged.
 */
export async function stageDubuFile(
  client: ClientBase,
  log: IssueLog,
  path: string,
  file: DubuFile,
  ctx: DubuContext,
  see: (values: unknown[]) => void,
  onProgress?: ImportOptions['onProgress'],
): Promise<{ read: number; staged: number }> {
  let staged = 0;
  const map = (row: Row) => {
    const values = file.map(row, ctx);
    if (values) {
      staged++;
      see(values);
    }
    return values;
  };
  const fixed = { ...(ctx.municipality !== null ? { municipality_code: ctx.municipality } : {}), source: ctx.source, _file: file.file };
  const read = await stageFile(
    client,
    log,
    { path, file: file.file, format: DUBU_FORMAT, columns: file.columns },
    entityDef(file.entity),
    map,
    onProgress,
    {
      // A table the builders take on is analysed after its index builds (the loader reads on).
      analyze: !stagesAsPartition(file.entity, 'dubu'),
      fixed,
      freeze: true,
      binary: true,
    },
  );
  return { read, staged };
}

/**
 * The import's other connections (StagingSession), opened at once, and the staging tables, made
 * side by side on them. Two builders: a table's indexes are built side by side. `outside`: for
 * CREATE TABLE ... LIKE a case-system table, which the transaction must not do (see
 * PartitionOptions), and for cancelling. The checker for the read-only reference checks
 * (checkCaseReferencesEarly) while the others work, the analyser for the statistics (side by side
 * with the checks: both wait for the same index builds).
 */
async function openStaging(context: StageContext, files: DubuFile[]): Promise<StagingSession> {
  const session = await StagingSession.open(context);
  const connections = session.clients;
  const tables = [...files.map((file) => file.entity), 'persons' as const, 'teams' as const];
  await Promise.all(
    connections.map(async (connection, i) => {
      for (let t = i; t < tables.length; t += connections.length) await createSnapshotStaging(connection, tables[t], 'dubu');
    }),
  );
  return session;
}

/** Files this large are read in a thread of their own (its start, about 0.1 s, is then a small part). */
const STAGING_THREAD_BYTES = 8 << 20;

/**
 * The file read in a staging thread: the largest (at least `minBytes`) of those that need neither
 * the cases (the notifications' links) nor decide anything for the others (sager.csv), or none.
 */
function threadedFile(dir: string, order: DubuFile[], minBytes: number): DubuFile | null {
  // The reading order has them largest first (stagingOrder).
  const largest = order.find(
    (file) => file.entity !== 'cases' && file.entity !== 'notifications' && stagesAsPartition(file.entity, 'dubu'),
  );
  return largest && statSync(join(dir, largest.file)).size >= minBytes ? largest : null;
}

/**
 * What the linker does with a staged row of `entity` (stagingColumns order): takes each case, and
 * fills in each notification's case (as long as it can, see NotificationCaseLinker.usable).
 */
function caseLinking(entity: EntityName, linker: NotificationCaseLinker): ((staged: unknown[]) => void) | undefined {
  const at = (e: EntityName, column: string) => stagingColumns(entityDef(e)).indexOf(column);
  if (entity === 'cases') {
    const [caseId, person, opened, closed] = ['case_id', 'person_id', 'opened', 'closed'].map((c) => at('cases', c));
    return (staged) =>
      linker.addCase(staged[caseId] as string, staged[person] as string, staged[opened] as string, staged[closed] as string | null);
  }
  if (entity === 'notifications') {
    const [caseId, person, received] = ['case_id', 'person_id', 'received_at'].map((c) => at('notifications', c));
    return (staged) => {
      if (linker.usable) staged[caseId] = linker.caseFor(staged[person] as string, staged[received] as string);
    };
  }
  return undefined;
}

/**
 * A snapshot whose sager.csv has rows but not one valid case would wipe the municipality's
 * cases: that is a wrong file or a wrong --municipality, so the import fails instead.
 */
async function checkCases(client: ClientBase, log: IssueLog, ctx: DubuContext, read: number): Promise<void> {
  if (ctx.municipality === null) {
    throw new ImportFailure(
      'NO_MUNICIPALITY',
      'sager.csv',
      'Kommunen kan ikke bestemmes: sager.csv har ingen gyldige rækker med Kommunenr, og --municipality er ikke angivet.',
    );
  }
  const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${stagingTable(entityDef('cases'))}`);
  if (read > 0 && rows[0].n === 0) {
    const mismatched = log.countOf('sager.csv', 'R008');
    throw new ImportFailure(
      'NO_MUNICIPALITY',
      'sager.csv',
      mismatched > 0
        ? `Ingen rækker i sager.csv hører til kommune ${ctx.municipality} (${mismatched} af ${read} rækker har et andet kommunenummer). Intet er indlæst.`
        : `Alle ${read} rækker i sager.csv blev afvist; intet er indlæst.`,
    );
  }
}
