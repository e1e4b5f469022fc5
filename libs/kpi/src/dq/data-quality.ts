import { ruleTitle } from '@bu/domain';
import { ACTIVE_AT } from '@bu/rules';
import { DEFAULT_SETTINGS } from '../settings';
import { caseTeam, IN_SCOPE, kpiParams } from '../sql';
import { defineKpi, type KpiContext, type KpiDefinition, type KpiListValue } from '../types';

// Data quality: whether the figures can be trusted. Every role sees the part it may see.

/**
 * Whether the caller is scoped to teams (a team leader). The rows of an import issue (line,
 * value, message) carry no case, so they cannot be tied to the caller's teams: a team leader gets
 * the counts by rule and code but not the rows, as GET /imports/:id/issues refuses them (the
 * values quote other teams' case numbers and caseworkers).
 */
const teamScoped = (ctx: KpiContext) => ctx.teams != null;

export interface RejectedRowsSummary {
  import: string;
  source: string;
  startedAt: string;
  file: string;
  rule: string;
  /** The rule's Danish title (RULES), what the data-quality view shows instead of the id. */
  title: string;
  count: number;
  lines: number[];
  /** The rejected rows themselves, the first 50 by line: what the count opens to (none for a team leader). */
  issues: { line: number | null; value: string | null; message: string }[];
}

/** dq.rejected_rows — per import (the newest per source of the municipality): rows rejected, by rule and file, with line numbers. */
export const rejectedRows = defineKpi({
  id: 'dq.rejected_rows',
  title: 'Afviste rækker ved seneste import',
  unit: 'list',
  shape: 'list',
  fields: ['import', 'source', 'startedAt', 'file', 'rule', 'title', 'count', 'lines', 'issues'],
  // The count is of rejected rows, each row of the list being one rule in one file.
  countOf: (rows: RejectedRowsSummary[]) => rows.reduce((s, r) => s + r.count, 0),
  higherIsBetter: false,
  roles: ['chef', 'teamleder', 'admin'],
  async compute(ctx: KpiContext): Promise<KpiListValue<RejectedRowsSummary>> {
    const rows = await ctx.query<Omit<RejectedRowsSummary, 'title'>>(
      `WITH latest AS (
         SELECT DISTINCT ON (source) id, source, started_at FROM import_run
         WHERE municipality_code = $1 AND status = 'succeeded' ORDER BY source, id DESC
       )
       SELECT l.id::text AS import, l.source, to_char(l.started_at AT TIME ZONE 'Europe/Copenhagen', 'YYYY-MM-DD"T"HH24:MI') AS "startedAt",
              i.file, i.rule, count(*)::int AS count, (array_agg(i.line ORDER BY i.line))[1:50] AS lines,
              (array_agg(json_build_object('line', i.line, 'value', i.value, 'message', i.message) ORDER BY i.line, i.id))[1:50] AS issues
       FROM latest l JOIN import_issue i ON i.import_id = l.id AND i.severity = 'error'
       GROUP BY l.id, l.source, l.started_at, i.file, i.rule ORDER BY l.source, i.file, i.rule`,
      [ctx.municipality],
    );
    const scoped = teamScoped(ctx);
    return {
      count: rows.reduce((s, r) => s + r.count, 0),
      rows: rows.map((r) => ({ ...r, title: ruleTitle(r.rule), ...(scoped ? { lines: [], issues: [] } : {}) })),
    };
  },
});

/** A measure a data-quality count rests on: what the count opens to, to be corrected in the case system. */
export interface DqMeasureRow {
  case: string;
  measure: string;
  measureType: string;
  worker: string | null;
  team: string;
  started: string;
  ended: string | null;
  /** The case's closing date, when closed. */
  closed: string | null;
}

/**
 * A data-quality count of measures with its rows (the count is the rows'): the measures of the
 * municipality matching `where` (alias m for the measure, ct for its case with the case's team at
 * D). A team leader sees the cases of the own teams, as in every list.
 */
const measureList = <const Id extends `dq.${string}`>(
  id: Id,
  title: string,
  where: string,
): KpiDefinition<KpiListValue<DqMeasureRow>, Id> => ({
  id,
  title,
  unit: 'list',
  shape: 'list',
  fields: ['case', 'measure', 'measureType', 'worker', 'team', 'started', 'ended', 'closed'],
  higherIsBetter: false,
  roles: ['chef', 'teamleder', 'admin'],
  async compute(ctx) {
    const rows = await ctx.query<DqMeasureRow>(
      `WITH ${caseTeam(ctx)}
       SELECT m.case_id AS "case", m.measure_id AS measure, m.measure_type AS "measureType", ct.worker_id AS worker, ct.team,
              to_char(m.started, 'YYYY-MM-DD') AS started, to_char(m.ended, 'YYYY-MM-DD') AS ended, to_char(ct.closed, 'YYYY-MM-DD') AS closed
       FROM measure m JOIN case_team ct ON ct.source = m.source AND ct.case_id = m.case_id
       WHERE m.municipality_code = $1 AND (${where}) AND ${IN_SCOPE('ct')}
       ORDER BY m.started, m.case_id, m.measure_id`,
      kpiParams(ctx, (ctx.settings ?? DEFAULT_SETTINGS).intake_team),
    );
    return { count: rows.length, rows };
  },
});

/** dq.open_measures_on_closed_cases — measures active at D on cases closed before D, with the measures. */
export const openMeasuresOnClosedCases = measureList(
  'dq.open_measures_on_closed_cases',
  'Aktive indsatser på lukkede sager',
  `${ACTIVE_AT('m')} AND ct.closed < $2::date`,
);

/** dq.missing_end_dates — measures with no end date that started more than 5 years before D, with the measures. */
export const missingEndDates = measureList(
  'dq.missing_end_dates',
  'Indsatser uden slutdato startet for over 5 år siden',
  `m.ended IS NULL AND m.started < ($2::date - interval '5 years')::date`,
);

/** One unknown code in dq.unknown_codes: how many rows kept it as "ukendt", and those rows. */
export interface UnknownCodeRow {
  code: string;
  count: number;
  /** The rows themselves, the first 50 by file and line: what the count opens to (none for a team leader). */
  issues: { file: string; line: number | null; message: string }[];
}

/**
 * dq.unknown_codes — rows kept with an unknown code mapped to "ukendt", by code (from the newest
 * imports' warnings); a list, one row per code, its count the rows kept, each opening to them.
 */
export const unknownCodes = defineKpi({
  id: 'dq.unknown_codes',
  title: 'Ukendte koder gemt som "ukendt"',
  unit: 'list',
  shape: 'list',
  fields: ['code', 'count', 'issues'],
  countOf: (rows: UnknownCodeRow[]) => rows.reduce((s, r) => s + r.count, 0),
  higherIsBetter: false,
  roles: ['chef', 'teamleder', 'admin'],
  async compute(ctx: KpiContext): Promise<KpiListValue<UnknownCodeRow>> {
    const rows = await ctx.query<UnknownCodeRow>(
      `WITH latest AS (
         SELECT DISTINCT ON (source) id FROM import_run WHERE municipality_code = $1 AND status = 'succeeded' ORDER BY source, id DESC
       )
       SELECT i.value AS code, count(*)::int AS count,
              (array_agg(json_build_object('file', i.file, 'line', i.line, 'message', i.message) ORDER BY i.file, i.line, i.id))[1:50] AS issues
       FROM import_issue i JOIN latest l ON l.id = i.import_id
       WHERE i.rule = 'W003' AND i.value IS NOT NULL GROUP BY i.value ORDER BY count DESC, i.value`,
      [ctx.municipality],
    );
    const scoped = teamScoped(ctx);
    return { count: rows.reduce((s, r) => s + r.count, 0), rows: scoped ? rows.map((r) => ({ ...r, issues: [] })) : rows };
  },
});
