import { fractionKpi, shared } from '../types';
import { DEFAULT_SETTINGS } from '../settings';
import { heldDayRows } from '../read-models';
import { addMonthsSql, caseTeam, caseTeamOf, IN_SCOPE, kpiParams, PARAMS } from '../sql';
import {
  ACTIVE_AT,
  CHILD_CONVERSATION_HELD,
  DEADLINE_MEASURE,
  FOLLOWUP_DUE,
  LAST_FOLLOWUP,
  LAST_VISIT,
  PLAN_IN_WINDOW,
  PLAN_JUDGED,
  PLAN_LIMIT,
  PLAN_MEASURE,
} from '@bu/rules';
import { groupByTeam, scopeFraction, shareCounts, teamColumn, type Grouping } from './team-counts';
import type { KpiContext, KpiDefinition, KpiListValue } from '../types';

// Deadlines on measures. Economic benefits are left out of every deadline KPI; "ukendt" measures
// are left out where the catalogue says so (plans, child conversations).

export interface MeasureDeadlineRow {
  measure: string;
  measureType: string;
  case: string;
  worker: string | null;
  team: string;
  due: string;
  daysOverdue: number;
}

const MEASURE_DEADLINE_FIELDS = ['measure', 'measureType', 'case', 'worker', 'team', 'due', 'daysOverdue'];

// The measures active at D. Their case's team is looked up (caseTeamOf) only for the rows of the
// lists' windows: the scope is applied after the windows, and the lists show the team.
const ACTIVE_MEASURE = `
  ${PARAMS},
  active AS (
    SELECT m.* FROM measure m WHERE m.municipality_code = $1 AND ${DEADLINE_MEASURE('m')} AND ${ACTIVE_AT('m')}
  )`;

/** Which rows a measure deadline list holds: due before D, or due within the 14 days from D. */
type DueWindow = 'overdue' | 'soon';
const dueIn = (window: DueWindow, due: string) =>
  window === 'overdue' ? `${due} < $2::date` : `${due} BETWEEN $2::date AND $2::date + 14`;

/** A deadline row with the window it falls in (the two windows never overlap). */
type WindowedRow = MeasureDeadlineRow & { window: DueWindow };

/**
 * The rows of one window. With the answer's memo, the sibling lists (overdue, due soon) take their
 * rows from one statement that returns the rows of both windows, tagged, under `key`: the dated
 * set is worked out once per answer. Filtering keeps the statement's order, so each list has the
 * very rows in the very order of a statement of its own window.
 */
async function windowRows(
  ctx: KpiContext,
  key: string,
  window: DueWindow,
  query: (windows: DueWindow[]) => Promise<WindowedRow[]>,
): Promise<MeasureDeadlineRow[]> {
  const rows = ctx.shared ? await shared(ctx, key, () => query(['overdue', 'soon'])) : await query([window]);
  return rows.filter((r) => r.window === window).map(({ window: _, ...row }) => row);
}

/** The SQL list of windows, for `due_window IN (...)`. */
const windowList = (windows: DueWindow[]) => windows.map((w) => `'${w}'`).join(', ');

/**
 * The list rows of `windowed` (the active measures with due_date and due_window) in `windows`,
 * each with its case's caseworker and team at D, looked up for those rows only: the scope is
 * applied after the windows.
 */
const DEADLINE_ROWS = (ctx: KpiContext, windows: DueWindow[]) => `
  SELECT w.measure_id AS measure, w.measure_type AS "measureType", w.case_id AS "case", ct.worker_id AS worker, ct.team,
         to_char(w.due_date, 'YYYY-MM-DD') AS due, ($2::date - w.due_date)::int AS "daysOverdue", w.due_window AS "window"
  FROM windowed w ${caseTeamOf(ctx, 'w', true)}
  WHERE w.due_window IN (${windowList(windows)}) AND ${IN_SCOPE('ct')}
  ORDER BY "daysOverdue" DESC, w.case_id, w.measure_id, w.source`;

/**
 * The same rows from measure_deadline_day (ADR 0106) at a day caseload_day holds, the due dates
 * worked out from what it keeps by the same expressions (`filter` picks its rows), in the same
 * order; the windows and the team filter in the join, so that a held day with no row still
 * answers with one row with no measure. A day not held answers with none.
 */
const DEADLINE_READ_MODEL = (filter: string, dueDate: string, windowCase: string, windows: DueWindow[]) => `
  WITH ${PARAMS},
  dated AS (SELECT m.*, ${dueDate} AS due_date FROM measure_deadline_day m WHERE m.municipality_code = $1 AND m.day = $2::date${filter}),
  windowed AS (SELECT d.*, ${windowCase} AS due_window FROM dated d)
  SELECT w.measure_id AS measure, w.measure_type AS "measureType", w.case_id AS "case", w.worker_id AS worker, coalesce(w.team, $6) AS team,
         to_char(w.due_date, 'YYYY-MM-DD') AS due, ($2::date - w.due_date)::int AS "daysOverdue", w.due_window AS "window"
  FROM caseload_day h
  LEFT JOIN windowed w ON w.due_window IN (${windowList(windows)}) AND ($5::text[] IS NULL OR coalesce(w.team, $6) = ANY($5::text[]))
  WHERE h.municipality_code = $1 AND h.day = $2::date
  ORDER BY "daysOverdue" DESC, w.case_id, w.measure_id, w.source`;

/** A deadline list's rows: from the read model when it is current and holds D, else from the facts. */
const deadlineRows = (ctx: KpiContext, statement: { readModel: string; facts: string }, params: unknown[]) =>
  heldDayRows<WindowedRow>(ctx, statement, params, (r) => r.measure !== null);

/** A work list of measure deadlines: the rows the team leader acts on, from `rows`. */
function measureList<const Id extends string>(
  id: Id,
  title: string,
  rows: (ctx: KpiContext) => Promise<MeasureDeadlineRow[]>,
): KpiDefinition<KpiListValue<MeasureDeadlineRow>, Id> {
  return {
    id,
    title,
    unit: 'list',
    shape: 'list',
    fields: MEASURE_DEADLINE_FIELDS,
    higherIsBetter: false,
    roles: ['teamleder', 'chef', 'admin'],
    async compute(ctx: KpiContext) {
      const found = await rows(ctx);
      return { count: found.length, rows: found };
    },
  };
}

/**
 * Follow-ups on measures active at D. Due = start + 3 months when no follow-up is dated on or
 * before D, else the latest such follow-up + the measure's cadence (from the export, default 6 months).
 */
function followups<const Id extends string>(id: Id, title: string, window: DueWindow): KpiDefinition<KpiListValue<MeasureDeadlineRow>, Id> {
  return measureList(id, title, (ctx) => windowRows(ctx, 'deadline.followups', window, (windows) => followupRows(ctx, windows)));
}

/** The follow-up rows due in `windows`, each tagged with its window. */
function followupRows(ctx: KpiContext, windows: DueWindow[]) {
  const settings = ctx.settings ?? DEFAULT_SETTINGS;
  const dueDate = FOLLOWUP_DUE('last_followup', 'started', 'followup_cadence_months', '$7');
  const windowCase = `CASE WHEN ${dueIn('overdue', 'due_date')} THEN 'overdue' WHEN ${dueIn('soon', 'due_date')} THEN 'soon' END`;
  return deadlineRows(
    ctx,
    {
      readModel: DEADLINE_READ_MODEL('', dueDate, windowCase, windows),
      facts: `WITH ${ACTIVE_MEASURE},
       -- Materialized: the latest follow-up is looked up once per active measure (inlined, the
       -- planner repeated the look-up for each use of the due date: filter, sort and output).
       due AS MATERIALIZED (SELECT a.*, ${LAST_FOLLOWUP('a')} AS last_followup FROM active a),
       dated AS (SELECT d.*, ${dueDate} AS due_date FROM due d),
       windowed AS (SELECT d.*, ${windowCase} AS due_window FROM dated d)
       ${DEADLINE_ROWS(ctx, windows)}`,
    },
    [...kpiParams(ctx, settings.intake_team), settings['followup.default_cadence_months']],
  );
}

/** deadline.followup_overdue — measures active at D whose next follow-up is due before D. */
export const followupOverdue = followups('deadline.followup_overdue', 'Opfølgninger over fristen', 'overdue');
/** deadline.followup_due_soon (beyond the catalogue: the soon-due list) — the next follow-up is due D .. D + 14 days. */
export const followupDueSoon = followups('deadline.followup_due_soon', 'Opfølgninger med frist inden for 14 dage', 'soon');

/**
 * Supervision visits to placements active at D. Due = the latest visit by D (or the start) + 6
 * months. Overdue, as the catalogue puts it: started more than 6 months before D and no visit in
 * the 6 months up to and including D. Due soon: not overdue, due D .. D + 14 days.
 */
function supervision<const Id extends string>(
  id: Id,
  title: string,
  window: DueWindow,
): KpiDefinition<KpiListValue<MeasureDeadlineRow>, Id> {
  return measureList(id, title, (ctx) => windowRows(ctx, 'deadline.supervision', window, (windows) => supervisionRows(ctx, windows)));
}

/** The supervision rows due in `windows`, each tagged with its window. */
function supervisionRows(ctx: KpiContext, windows: DueWindow[]) {
  const overdue = `(started < ${addMonthsSql('$2::date', -6)} AND (last_visit IS NULL OR last_visit < ${addMonthsSql('$2::date', -6)}))`;
  const dueDate = addMonthsSql('coalesce(last_visit, started)', 6);
  const windowCase = `CASE WHEN ${overdue} THEN 'overdue' WHEN NOT ${overdue} AND ${dueIn('soon', 'due_date')} THEN 'soon' END`;
  return deadlineRows(
    ctx,
    {
      readModel: DEADLINE_READ_MODEL(' AND m.placement', dueDate, windowCase, windows),
      facts: `WITH ${ACTIVE_MEASURE},
       -- Materialized, as the follow-ups' due: the latest visit is looked up once per placement
       -- (inlined, the planner repeated the look-up for each use of it in the windows' tests).
       placed AS MATERIALIZED (
         SELECT a.*, ${LAST_VISIT('a')} AS last_visit FROM active a WHERE a.family = 'placement'
       ),
       dated AS (SELECT p.*, ${dueDate} AS due_date FROM placed p),
       windowed AS (SELECT d.*, ${windowCase} AS due_window FROM dated d)
       ${DEADLINE_ROWS(ctx, windows)}`,
    },
    kpiParams(ctx, (ctx.settings ?? DEFAULT_SETTINGS).intake_team),
  );
}

/** deadline.supervision_overdue — placements active at D, started over 6 months before D, with no visit in D − 6 months .. D. */
export const supervisionOverdue = supervision('deadline.supervision_overdue', 'Tilsynsbesøg over fristen (anbragte børn)', 'overdue');
/** deadline.supervision_due_soon (beyond the catalogue: the soon-due list) — the next visit is due D .. D + 14 days. */
export const supervisionDueSoon = supervision('deadline.supervision_due_soon', 'Tilsynsbesøg med frist inden for 14 dage', 'soon');

// Materialized: the started measures are joined to their cases before the spans holding D (inlined,
// the planner joined every case of the municipality to its span first and the measures last). The
// scope is applied inside too: a materialized CTE does not receive the outer filter.
const STARTED_IN_P = (ctx: { readModels?: boolean }) => `
  ${caseTeam(ctx)},
  started AS MATERIALIZED (
    SELECT m.*, ct.person_id, ct.team FROM measure m JOIN case_team ct ON ct.source = m.source AND ct.case_id = m.case_id
    WHERE m.municipality_code = $1 AND ${PLAN_MEASURE('m')} AND m.started BETWEEN $3::date AND $4::date AND m.started <= $2::date
      AND ${IN_SCOPE('ct')}
  )`;

// From the read model (ADR 0102): the measures started in P by the index on their start, each
// case's team at D looked up for them alone, and the earliest plan and conversation in each
// measure's window read instead of looked up.
const STARTED_IN_P_READ_MODEL = (ctx: KpiContext) => `
  ${PARAMS},
  started AS MATERIALIZED (
    SELECT sm.started, sm.first_plan, sm.first_conversation, ct.team FROM started_measure sm ${caseTeamOf(ctx, 'sm', true)}
    WHERE sm.municipality_code = $1 AND sm.started BETWEEN $3::date AND $4::date AND sm.started <= $2::date AND ${IN_SCOPE('ct')}
  )`;

/** The two shares counted over the measures started in P. */
type StartedShare = 'plan' | 'conversation';

/**
 * The counts of `shares` over the measures started in P: for each, `<share>_numerator` and
 * `<share>_denominator`. With the answer's memo, deadline.plan_on_time and deadline.child_conversation
 * (and their team breakdown) take theirs from one statement: the started measures and their teams
 * are worked out once.
 */
const startedCounts = (ctx: KpiContext, grouping: Grouping, shares: StartedShare[]) => {
  const judged = ctx.readModels
    ? {
        plan: `${PLAN_LIMIT('s.started')} AS limit_date, coalesce(s.first_plan <= $2::date, false) AS has_plan`,
        conversation: `coalesce(s.first_conversation <= $2::date, false) AS held`,
      }
    : {
        plan: `${PLAN_LIMIT('s.started')} AS limit_date, ${PLAN_IN_WINDOW('s.person_id', 's.started')} AS has_plan`,
        conversation: `${CHILD_CONVERSATION_HELD('s.person_id', 's.decided', 's.started')} AS held`,
      };
  const counted = {
    plan: `count(*) FILTER (WHERE has_plan)::int AS plan_numerator,
           count(*) FILTER (WHERE ${PLAN_JUDGED('has_plan', 'limit_date')})::int AS plan_denominator`,
    conversation: 'count(*) FILTER (WHERE held)::int AS conversation_numerator, count(*)::int AS conversation_denominator',
  };
  return ctx.query<Record<string, number> & { team?: string; total?: boolean }>(
    `WITH ${ctx.readModels ? STARTED_IN_P_READ_MODEL(ctx) : STARTED_IN_P(ctx)},
     judged AS (SELECT s.*, ${shares.map((share) => judged[share]).join(', ')} FROM started s)
     SELECT ${teamColumn(grouping)}${shares.map((share) => counted[share]).join(', ')}
     FROM judged WHERE ${IN_SCOPE('judged')}
     ${groupByTeam(grouping)}`,
    kpiParams(ctx, (ctx.settings ?? DEFAULT_SETTINGS).intake_team),
  );
};

/** One started share's counts over the scope, or per team (./team-counts.ts). */
const startedShareCounts = (share: StartedShare) => (ctx: KpiContext, byTeam: boolean) =>
  shareCounts(
    ctx,
    'deadline.started_in_p',
    byTeam,
    (grouping, alone) => startedCounts(ctx, grouping, alone ? [share] : ['plan', 'conversation']),
    (r) => ({ numerator: r[`${share}_numerator`], denominator: r[`${share}_denominator`] }),
  );

/** deadline.plan_on_time's counts over the scope, or per team (./team-counts.ts). */
export const planOnTimeCounts = startedShareCounts('plan');

/**
 * deadline.plan_on_time — share of measures started in P whose child has an action plan dated
 * from start − 12 months to the limit: the start (Serviceloven, before 2024) or start + 3 months
 * (Barnets Lov § 91). A Barnets Lov measure whose limit is after D with no plan by D is pending.
 */
export const planOnTime = fractionKpi({
  id: 'deadline.plan_on_time',
  title: 'Handleplan / barnets plan rettidig',
  unit: 'share',
  shape: 'fraction',
  higherIsBetter: true,
  roles: ['teamleder', 'chef', 'admin'],
  fraction: async (ctx: KpiContext) => scopeFraction(await planOnTimeCounts(ctx, false)),
});

/** deadline.child_conversation's counts over the scope, or per team (./team-counts.ts). */
export const childConversationCounts = startedShareCounts('conversation');

/**
 * deadline.child_conversation — share of measures started in P with a child conversation for the
 * child in the 6 months up to and including the decision (the decision date, else the start).
 */
export const childConversation = fractionKpi({
  id: 'deadline.child_conversation',
  title: 'Børnesamtale før afgørelse',
  unit: 'share',
  shape: 'fraction',
  higherIsBetter: true,
  roles: ['teamleder', 'chef', 'admin'],
  fraction: async (ctx: KpiContext) => scopeFraction(await childConversationCounts(ctx, false)),
});
