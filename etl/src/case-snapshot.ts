import type { ClientBase, PoolClient } from 'pg';
import type { StageResult } from './import-run';
import { ImportFailure, IssueLog } from './issues';
import { EntityName, entityDef } from './load/entities';
import { createStaging, stagingTable } from './load/merge';
import { buildSnapshotPartition, discardPrebuilt, PartitionBuild, placePartitions, swapPartitions } from './load/partition';
import { notificationsLinkedToCases } from './notification-cases';
import { warnConflictingDuplicates } from './load/set-rules';
import { eventDateSql, runSnapshotRules, SnapshotEntity, step, unknownCase, unknownCaseMessage } from './load/snapshot-rules';
import { caseSnapshotShrinkage } from './load/shrink';
import { CASE_SOURCES } from '@bu/domain';
import type { StagedTable } from './load/staged-table';

// What every case-system snapshot goes through once its files are staged, whatever the format
// (DUBU's file per entity or CSC's event log): export date, set-based rules, derived rows, merge.

export { datesWithinLimit } from './load/snapshot-rules';
export type { SnapshotEntity } from './load/snapshot-rules';

export interface SnapshotOptions {
  source: 'dubu' | 'csc';
  municipality: number;
  /** Names the partitions this import builds. */
  importId: string;
  exportDate?: string;
  entities: SnapshotEntity[];
  /**
   * DUBU: the staged persons are the children of the staged cases and notifications (ChildrenSeen,
   * one row each): a child whose every row a rule removes goes too. CSC stages PERSON.txt (false).
   */
  personsOfRows: boolean;
  /**
   * DUBU: the parser linked every staged notification to its case (NotificationCaseLinker), over
   * the cases as staged. The link stands unless a rule removes a case; then it is done again in SQL.
   */
  notificationsLinked?: boolean;
  /** A connection outside the transaction for the CREATE TABLE of fresh partitions (see PartitionOptions). */
  createOutside?: (sql: string) => Promise<unknown>;
  /**
   * What the loader found out about each staging table while staging (DUBU: rows, prebuilt indexes,
   * event dates, references checked early). Without it (CSC) the dates are read from the tables.
   */
  staged?: ReadonlyMap<EntityName | 'persons', StagedTable>;
}

/**
 * UNKNOWN_CASE for `e` (an entity that refers to cases), read only: the issues are recorded and the
 * rows stay until the transaction removes them (finishCaseSnapshot). Meant for a connection outside
 * the transaction while the builders build, and only when no rule before it can remove a case or
 * such a row: when all their dates are early enough (`datesWithinLimit`). The rows found.
 * `indexed`: the tables have their indexes (prebuilt), so a count over the indexes alone says
 * whether there is anything to record (the usual answer: nothing).
 */
export async function checkCaseReferencesEarly(
  client: ClientBase,
  log: IssueLog,
  snapshot: SnapshotEntity[],
  e: SnapshotEntity,
  indexed: boolean,
): Promise<number> {
  if (indexed && (await countUnknownCases(client, e)) === 0) return 0;
  const casesFile = snapshot.find((s) => s.entity === 'cases')?.file ?? 'cases';
  const query = `SELECT _file, _line, ${e.caseRef}::text AS value FROM ${stagingTable(entityDef(e.entity))} WHERE ${unknownCase(e)}`;
  return log.addFromQuery(client, 'UNKNOWN_CASE', query, unknownCaseMessage(casesFile), [], step('case', snapshot.indexOf(e)));
}

/**
 * The rows of `e` whose case is unknown, counted from the case-number indexes of both staging
 * tables: one merge of two index-only scans (the rows went in frozen, so every page is all-visible),
 * a fifth of the CPU of a hash join over the table's rows. The planner is told so for this statement.
 */
async function countUnknownCases(client: ClientBase, e: SnapshotEntity): Promise<number> {
  // One query string: other work queued on the connection (a build's ANALYZE) cannot come between
  // its statements and end up inside this transaction.
  const results = (await client
    .query(
      `BEGIN; SET LOCAL enable_hashjoin = off; SET LOCAL enable_nestloop = off; SET LOCAL max_parallel_workers_per_gather = 0;
       SELECT count(*)::int AS n FROM (SELECT ${e.caseRef} FROM ${stagingTable(entityDef(e.entity))} WHERE ${unknownCase(e)}) unknown; COMMIT`,
    )
    .catch(async (error) => {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    })) as unknown as { command: string; rows: { n: number }[] }[];
  return results.find((r) => r.command === 'SELECT')!.rows[0].n;
}

/**
 * Whether an entity's staging table can become the municipality's new partition as it is
 * (load/partition.ts): effect measurements get their numbers on the way into the partition, and
 * CSC's notifications their cases, so those are written again anyway. DUBU's notifications come
 * linked from the parser.
 */
export const stagesAsPartition = (entity: EntityName | 'persons' | 'teams', source: 'dubu' | 'csc'): boolean =>
  entity !== 'effects' && (entity !== 'notifications' || source === 'dubu');

/** The staging table of a case-system entity, in the import's schema (on either of its connections). */
export async function createSnapshotStaging(
  client: ClientBase,
  entity: EntityName | 'persons' | 'teams',
  source: 'dubu' | 'csc',
): Promise<void> {
  await createStaging(client, entityDef(entity), stagesAsPartition(entity, source) ? 'partition' : 'unlogged');
}

/**
 * One snapshot of a municipality at a time (any source): whoever replaces or reuses its partitions
 * holds this until commit, so the partitions it read are the ones in force.
 */
export async function lockCaseSnapshot(client: ClientBase, municipality: number): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1), $2)', ['case-snapshot', municipality]);
}

export async function finishCaseSnapshot(client: PoolClient, log: IssueLog, opts: SnapshotOptions): Promise<StageResult> {
  const { municipality, source, entities } = opts;
  const stg = (entity: EntityName) => stagingTable(entityDef(entity));
  const fileOf = (entity: EntityName) => entities.find((e) => e.entity === entity)?.file ?? entity;
  const has = (entity: EntityName) => entities.some((e) => e.entity === entity);
  await lockCaseSnapshot(client, municipality);

  const exportDate = opts.exportDate ?? (opts.staged ? defaultExportDate(opts.staged) : await newestDate(client, entities));
  // Without the parser's dates (CSC, built in SQL): when the same files stop being the same snapshot.
  const defaultDateUntil = opts.staged ? undefined : await earliestAfterToday(client, entities);
  if (!exportDate)
    throw new ImportFailure(
      'FILE_EMPTY',
      fileOf('cases'),
      'Udtrækket indeholder ingen datoer; udtræksdatoen kan ikke bestemmes. Angiv --export-date.',
    );

  // Each staging table as the partition build sees it: made as a partition or not, and the rows
  // left in it (when the loader counted them), less what the rules remove.
  const tables = new Map<EntityName | 'persons' | 'teams', StagedTable>();
  const tableOf = (entity: EntityName | 'persons' | 'teams'): StagedTable => {
    let table = tables.get(entity);
    if (!table) {
      table = { ...(entity === 'teams' ? {} : opts.staged?.get(entity)), asPartition: stagesAsPartition(entity, source) };
      tables.set(entity, table);
    }
    return table;
  };
  const took = (entity: EntityName | 'persons', n: number) => {
    const table = tableOf(entity);
    if (table.rows !== undefined) table.rows -= n;
    table.removed = (table.removed ?? 0) + n;
  };
  // The set-based rules (load/snapshot-rules.ts), in their order.
  const removed = new Map<EntityName, number>();
  await runSnapshotRules({ client, log, source, municipality, exportDate, entities, staged: opts.staged, removed }, took);
  // Only the date rule removes cases or DUBU's notifications (the reference rules remove rows that refer to them).
  const removedCasesOrNotifications = (removed.get('cases') ?? 0) + (removed.get('notifications') ?? 0) > 0;
  // The parser linked the notifications to the cases as staged: that stands if no case went since.
  const linkedByParser = opts.notificationsLinked === true && !removed.get('cases');
  if (has('effects')) {
    await numberEffectMeasurements(client, stg('effects'));
    tableOf('effects').rows = undefined;
  }

  if (opts.personsOfRows && removedCasesOrNotifications) {
    const named = (entity: EntityName) => `EXISTS (SELECT 1 FROM ${stg(entity)} r WHERE r.person_id = p.person_id)`;
    const gone = await client.query(
      `DELETE FROM ${stagingTable(entityDef('persons'))} p WHERE NOT (${['cases' as const, ...(has('notifications') ? ['notifications' as const] : [])].map(named).join(' OR ')})`,
    );
    took('persons', gone.rowCount ?? 0);
  }
  await client.query(
    `INSERT INTO ${stagingTable(entityDef('teams'))} (municipality_code, source, name, _file, _line)
     SELECT DISTINCT ON (team) municipality_code, source, team, _file, _line FROM ${stg('caseworkers')} WHERE team IS NOT NULL ORDER BY team, _line`,
  );

  // Rows of another case system in the municipality's partitions are kept; without a snapshot of
  // one, there are none to look for.
  const { rows: others } = await client.query(
    `SELECT EXISTS (SELECT 1 FROM source_snapshot WHERE municipality_code = $1 AND source = ANY ($2) AND source <> $3) AS found`,
    [municipality, CASE_SOURCES, source],
  );
  const merged: StageResult['merged'] = {};
  const builds: PartitionBuild[] = [];
  const buildOf = new Map<string, PartitionBuild>();
  const build = async (entity: 'persons' | 'teams' | EntityName, options: Parameters<typeof buildSnapshotPartition>[5]) => {
    const { counts, build } = await buildSnapshotPartition(client, entityDef(entity), municipality, source, opts.importId, {
      ...options,
      staging: tableOf(entity),
      createOutside: opts.createOutside,
      otherSources: others[0].found as boolean,
    });
    builds.push(build);
    buildOf.set(entity, build);
    merged[entity] = counts;
  };
  for (const [index, e] of entities.entries()) {
    // Notifications not linked by the parser are linked as they are copied into the partition (no
    // pass rewriting the staging table); indexes built on the staging table would take the names.
    const linkInSql = e.entity === 'notifications' && !linkedByParser;
    if (linkInSql && opts.staged?.get('notifications')?.prebuilt)
      await discardPrebuilt(client, entityDef('notifications'), municipality, opts.importId);
    const from = linkInSql ? notificationsLinkedToCases(stg('notifications'), stg('cases'), source === 'csc') : undefined;
    // Same id with different content: a warning for each earlier row, found only when some key repeats.
    const def = entityDef(e.entity);
    const onRepeated = e.idLabel
      ? () => warnConflictingDuplicates(client, log, stg(e.entity), def.key, def.values, e.idLabel!, step('duplicate', index))
      : undefined;
    await build(e.entity, { from, onRepeated });
  }
  // The parser's children, one row each: no key repeats (CSC stages its own persons: checked).
  await build('persons', { repeated: opts.personsOfRows ? false : undefined });
  await build('teams', { repeated: false });
  const shrinkage = await caseSnapshotShrinkage(client, municipality, source, buildOf, merged, {
    cases: fileOf('cases'),
    activity: entities.filter((e) => e.caseRef).map((e) => ({ entity: e.entity, file: e.file, caseRef: e.caseRef! })),
  });
  await placePartitions(client, builds);
  return {
    municipality,
    exportDate,
    merged,
    shrinkage,
    beforeCommit: () => swapPartitions(client, builds),
    ...(defaultDateUntil !== undefined ? { defaultDateUntil } : {}),
  };
}

/** Several measurements of one case on one date are numbered; exact duplicate rows count once. */
async function numberEffectMeasurements(client: PoolClient, effects: string): Promise<void> {
  await client.query(
    `DELETE FROM ${effects} a USING ${effects} b
     WHERE a._line > b._line AND (a.case_id, a.measured_on, a.development, a.family_relations, a.school, a.health, a.leisure)
                               = (b.case_id, b.measured_on, b.development, b.family_relations, b.school, b.health, b.leisure)`,
  );
  await client.query(
    `UPDATE ${effects} e SET seq = n.seq FROM (
       SELECT _line, row_number() OVER (PARTITION BY case_id, measured_on ORDER BY _line) AS seq FROM ${effects}) n
     WHERE e._line = n._line`,
  );
}

/**
 * The export date when none is given: the newest date of an event that happened in the snapshot
 * that is not after today (a typo far in the future must not move every figure's default date, nor
 * a planned end: an export taken on 31 October with measures ending 2 December is of 31 October).
 */
function newestDate(client: PoolClient, entities: SnapshotEntity[]): Promise<string | null> {
  return eventDateBound(client, entities, 'max', '<=');
}

/**
 * The earliest date of an event that happened after today, from the staging tables (what the
 * parser's EventDateRange.after gives the DUBU import): from that day the same files give another
 * default export date, so an unchanged re-import is no longer the same snapshot (same-export.ts).
 */
function earliestAfterToday(client: PoolClient, entities: SnapshotEntity[]): Promise<string | null> {
  return eventDateBound(client, entities, 'min', '>');
}

async function eventDateBound(
  client: PoolClient,
  entities: SnapshotEntity[],
  bound: 'max' | 'min',
  vsToday: '<=' | '>',
): Promise<string | null> {
  const parts = entities.flatMap((e) =>
    e.happened
      .map(eventDateSql)
      .map((d) => `SELECT ${bound}(${d}) AS d FROM ${stagingTable(entityDef(e.entity))} WHERE ${d} ${vsToday} $1::date`),
  );
  const { rows } = await client.query(`SELECT to_char(${bound}(d), 'YYYY-MM-DD') AS d FROM (${parts.join(' UNION ALL ')}) x`, [
    copenhagenToday(),
  ]);
  return rows[0].d;
}

/** The default export date from what the parser saw: the newest date of an event that happened, not after today. */
export function defaultExportDate(staged: ReadonlyMap<unknown, StagedTable>): string | null {
  let newest: string | null = null;
  for (const { dates } of staged.values())
    if (dates && dates.newest !== null && (newest === null || dates.newest > newest)) newest = dates.newest;
  return newest;
}

export function copenhagenToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Copenhagen', year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(),
  );
}
