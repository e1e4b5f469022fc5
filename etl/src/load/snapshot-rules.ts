import type { PoolClient } from 'pg';
import type { IssueLog } from '../issues';
import { RULES, RuleKey } from '../rules';
import { EntityName, entityDef } from './entities';
import { EventDateRange, oneYearAfter } from './event-dates';
import { stagingTable } from './merge';
import { currentPartition } from './partition';
import { rejectStaged } from './set-rules';
import type { StagedTable } from './staged-table';

// The set-based rules of a case-system snapshot, one entry each: they run on the staged tables in
// the import's transaction (finishCaseSnapshot), after every file is staged, in the order listed
// here, each over every entity it applies to in the snapshot's order. A rule that rejects ('error')
// removes the rows that break it from staging; a warning only records them. The rules checked
// while a row is parsed live with the parsers (values.ts, fields.ts, codes.ts, the formats' files.ts),
// DUPLICATE_ID with the partition build (warnConflictingDuplicates): see `when` in rules.ts.

/** One entity of a snapshot, as the set-based rules see it (DUBU's file per entity, CSC's event log). */
export interface SnapshotEntity {
  /** The file the rows came from, for messages. */
  file: string;
  entity: EntityName;
  /**
   * Event or start dates (staging columns; a timestamp counts by its Danish calendar day): not after
   * the export date + 1 year.
   */
  eventDates: string[];
  /**
   * The dates of events that happened (received, assessed, started, decided, registered), never a
   * planned or recorded end: the newest of these not after today is the default export date.
   */
  happened: string[];
  /** Column referencing a case / a measure of the same snapshot (set-based reference rules). */
  caseRef?: string;
  measureRef?: string;
  /** What one row is, for the duplicate-id warning; undefined when the whole row is the key. */
  idLabel?: string;
}

/** What a snapshot rule works with. */
export interface SnapshotRuleContext {
  client: PoolClient;
  log: IssueLog;
  source: 'dubu' | 'csc';
  municipality: number;
  exportDate: string;
  entities: SnapshotEntity[];
  /** What the loader found out while staging (StagedTable), when it did (DUBU). */
  staged?: ReadonlyMap<EntityName | 'persons', StagedTable>;
  /** The rows the rules so far removed from each entity's staging table. */
  removed: Map<EntityName, number>;
}

export interface SnapshotRule {
  rule: RuleKey;
  /** Whether the rule checks `e`'s staging table. */
  appliesTo: (e: SnapshotEntity) => boolean;
  /** Removes (a rejecting rule) or records (a warning) the rows of `e` that break it; how many. `index`: e's place in the snapshot. */
  run: (ctx: SnapshotRuleContext, e: SnapshotEntity, index: number) => Promise<number>;
}

/** Where a set-based rule's issues come in the import's list: by rule, then by the entity's place in the snapshot. */
export const step = (rule: 'date' | 'case' | 'measure' | 'worker' | 'duplicate', index: number): number =>
  ({ date: 1, case: 2, measure: 3, worker: 4, duplicate: 5 })[rule] * 1000 + index;

const stg = (entity: EntityName): string => stagingTable(entityDef(entity));
const fileOf = (ctx: SnapshotRuleContext, entity: EntityName): string => ctx.entities.find((e) => e.entity === entity)?.file ?? entity;
const has = (ctx: SnapshotRuleContext, entity: EntityName): boolean => ctx.entities.some((e) => e.entity === entity);

/** The staged rows of `e` whose case is not among the staged cases (UNKNOWN_CASE), as a condition. */
export const unknownCase = (e: SnapshotEntity): string =>
  `${e.caseRef} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${stg('cases')} c WHERE c.case_id = ${stg(e.entity)}.${e.caseRef})`;
export const unknownCaseMessage = (casesFile: string) => (caseId: string) => `Sagsnummer ${caseId} findes ikke i ${casesFile}.`;

/** Whether the date rule (R004) can reject none of a table's rows: its latest date is early enough. */
export const datesWithinLimit = (range: EventDateRange, exportDate: string): boolean =>
  range.latest === null || range.latest <= oneYearAfter(exportDate);

/** Timestamps among the event dates, by their day in Danish time. */
const LOCAL_DAY: Record<string, string> = {
  received_at: `(received_at AT TIME ZONE 'Europe/Copenhagen')::date`,
  assessed_at: `(assessed_at AT TIME ZONE 'Europe/Copenhagen')::date`,
};
export const eventDateSql = (column: string): string => LOCAL_DAY[column] ?? column;

/** R004: an event date more than a year after the export date. */
const dateAfterExport: SnapshotRule = {
  rule: 'DATE_AFTER_EXPORT',
  appliesTo: () => true,
  run: async (ctx, e, index) => {
    const range = ctx.staged?.get(e.entity)?.dates;
    // The parser saw every staged date: none too late, no pass over the table.
    if (range && datesWithinLimit(range, ctx.exportDate)) return 0;
    // One pass over the table for all its dates; the value shown is the first date that is too late.
    const dates = e.eventDates.map(eventDateSql);
    const late = (date: string) => `${date} > $1::date + interval '1 year'`;
    return rejectStaged(
      ctx.client,
      ctx.log,
      stg(e.entity),
      'DATE_AFTER_EXPORT',
      dates.map(late).join(' OR '),
      `CASE ${dates.map((date) => `WHEN ${late(date)} THEN to_char(${date}, 'DD-MM-YYYY')`).join(' ')} END`,
      (v) => `Dato mere end et år efter udtræksdatoen ${ctx.exportDate}: ${v}.`,
      [ctx.exportDate],
      step('date', index),
    );
  },
};

/** R011: a reference to a case that is not among the snapshot's cases. */
const unknownCaseRule: SnapshotRule = {
  rule: 'UNKNOWN_CASE',
  appliesTo: (e) => e.caseRef !== undefined,
  run: async (ctx, e, index) => {
    const found = ctx.staged?.get(e.entity)?.unknownCases;
    if (found !== undefined && !ctx.removed.get('cases') && !ctx.removed.get(e.entity)) {
      // Checked while the builders built (checkCaseReferencesEarly), issues and all: the same rows
      // are still there, and only they go.
      return found > 0 ? ((await ctx.client.query(`DELETE FROM ${stg(e.entity)} WHERE ${unknownCase(e)}`)).rowCount ?? 0) : 0;
    }
    return rejectStaged(
      ctx.client,
      ctx.log,
      stg(e.entity),
      'UNKNOWN_CASE',
      unknownCase(e),
      e.caseRef!,
      unknownCaseMessage(fileOf(ctx, 'cases')),
      [],
      step('case', index),
    );
  },
};

/** R014: a reference to a measure that is not among the snapshot's measures (or, without ydelser, the current ones). */
const unknownMeasure: SnapshotRule = {
  rule: 'UNKNOWN_MEASURE',
  appliesTo: (e) => e.measureRef !== undefined,
  run: async (ctx, e, index) => {
    const withMeasures = has(ctx, 'measures');
    // Without ydelser in the export, the measures are those of the municipality's current partition
    // (named directly: the parent table is left alone until the swap).
    const current = withMeasures ? null : await currentPartition(ctx.client, 'measure', ctx.municipality);
    const known = withMeasures
      ? `SELECT 1 FROM ${stg('measures')} m WHERE m.measure_id = ${stg(e.entity)}.${e.measureRef}`
      : current
        ? `SELECT 1 FROM public.${current} m WHERE m.municipality_code = $1 AND m.source = $2 AND m.measure_id = ${stg(e.entity)}.${e.measureRef}`
        : `SELECT 1 WHERE $1::smallint IS NULL AND $2::text IS NULL`;
    return rejectStaged(
      ctx.client,
      ctx.log,
      stg(e.entity),
      'UNKNOWN_MEASURE',
      `NOT EXISTS (${known})`,
      e.measureRef!,
      (v) => `Ydelses-ID ${v} findes ikke i ${fileOf(ctx, 'measures')}.`,
      withMeasures ? [] : [ctx.municipality, ctx.source],
      step('measure', index),
    );
  },
};

/** W004: an assignment to a caseworker who is not among the snapshot's caseworkers (kept). */
const unknownWorker: SnapshotRule = {
  rule: 'UNKNOWN_WORKER',
  appliesTo: (e) => e.entity === 'assignments',
  run: (ctx) =>
    ctx.log.addFromQuery(
      ctx.client,
      'UNKNOWN_WORKER',
      `SELECT _file, _line, worker_id AS value FROM ${stg('assignments')} a WHERE worker_id <> '' AND NOT EXISTS (SELECT 1 FROM ${stg('caseworkers')} w WHERE w.worker_id = a.worker_id)`,
      (worker) => `Rådgiveren ${worker} findes ikke i ${fileOf(ctx, 'caseworkers')}; sagsansvaret gemmes alligevel.`,
      [],
      step('worker', 0),
    ),
};

/** The set-based rules, in the order they run (a rule may count on the rows an earlier one removed). */
export const SNAPSHOT_RULES: readonly SnapshotRule[] = [dateAfterExport, unknownCaseRule, unknownMeasure, unknownWorker];

/** Runs every snapshot rule over the entities it applies to; `took` is told the rows each rejecting rule removed. */
export async function runSnapshotRules(ctx: SnapshotRuleContext, took: (entity: EntityName, rows: number) => void): Promise<void> {
  for (const rule of SNAPSHOT_RULES) {
    const rejects = RULES[rule.rule].severity === 'error';
    for (const [index, e] of ctx.entities.entries()) {
      if (!rule.appliesTo(e)) continue;
      const n = await rule.run(ctx, e, index);
      if (!rejects) continue;
      ctx.removed.set(e.entity, (ctx.removed.get(e.entity) ?? 0) + n);
      took(e.entity, n);
    }
  }
}
