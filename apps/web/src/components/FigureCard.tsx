import { useMemo, useState } from 'react';
import type { CaseworkerInfo, GoalStatus, KpiList, KpiResponse, KpiValue, SeriesPoint } from '@bu/contracts';
import { drillHref, isDrilled, rowMatches, type Drill } from '../drill';
import type { FigureDefinition } from '@bu/dashboards';
import { formatNumber } from '../format';
import { formatAmount } from '../units';
import { BarPerCaseworker } from './BarPerCaseworker';
import { BenchmarkChart } from './BenchmarkChart';
import type { Benchmark } from '@bu/contracts';
import { BudgetTable } from './BudgetTable';
import { EffectChart, EffectTable, type EffectChange } from './EffectChart';
import { ChangesChart, ChangesTable, type CaseworkerChanges } from './ChangesChart';
import { GoalList } from './GoalList';
import { ShareTable } from './ShareTable';
import type { AdminComment } from '../api';
import { figureRows } from '../figure-rows';
import { workbook } from '../xlsx';
import { YearTable } from './YearTable';
import { ShareCard } from './ShareCard';
import { SpendCurve, SpendTable } from './SpendCurve';
import { TrendChart, TrendTable } from './TrendChart';
import { isSuppressed, ValueTable } from './ValueTable';
import { WorkList } from './WorkList';

function caseworkerBars(value: KpiValue, response: KpiResponse) {
  const names = response.dimensions?.caseworker ?? {};
  return Object.entries(value as Record<string, number>).map(([key, v]) => ({
    key,
    label: names[key]?.name ?? key,
    value: v,
    inactive: !!names[key]?.employedTo && names[key].employedTo < response.asOf,
  }));
}

/**
 * A figure's light: the municipality's limits from the answer (its settings), the definition's
 * defaults only when the answer has none; its reference lines are the same limits.
 */
/** A light's limit as set (1,15, 0,05), not rounded to the one decimal of the figures. */
const limitFormat = new Intl.NumberFormat('da-DK', { maximumFractionDigits: 3 });

export function figureLight(figure: FigureDefinition, response: KpiResponse) {
  if (!figure.light) return { light: undefined, thresholds: figure.thresholds };
  const light = response.lights?.[figure.kpi] ?? figure.light;
  const thresholds = [
    ...(light.green === 1 ? [] : [{ value: 1, label: 'Norm' }]),
    { value: light.green, label: light.green === 1 ? 'Norm' : limitFormat.format(light.green) },
    { value: light.yellow, label: limitFormat.format(light.yellow) },
  ];
  return { light, thresholds };
}

const isList = (v: unknown): v is KpiList => typeof v === 'object' && v !== null && Array.isArray((v as KpiList).rows);

/** The part of a figure's value a drill-down keeps: work-list rows of the caseworker or team; a team's caseworkers. */
function drilled(
  figure: FigureDefinition,
  value: KpiValue | undefined,
  drill: Drill | undefined,
  names: Record<string, CaseworkerInfo>,
): KpiValue | undefined {
  if (!isDrilled(drill) || !value || typeof value !== 'object') return value;
  if (figure.chart === 'work-list' && isList(value)) {
    const keep = (l: KpiList): KpiList => {
      const rows = l.rows.filter((r) => rowMatches(r, drill));
      return { count: rows.length, rows };
    };
    const secondary = figure.secondary ? (value as unknown as Record<string, KpiList>)[figure.secondary.key] : undefined;
    return { ...keep(value), ...(figure.secondary && secondary ? { [figure.secondary.key]: keep(secondary) } : {}) };
  }
  if (figure.chart === 'bar-per-caseworker' && drill.team && !isSuppressed(value)) {
    return Object.fromEntries(Object.entries(value).filter(([k]) => names[k]?.team === drill.team));
  }
  return value;
}

export function FigureCard({
  figure,
  response,
  comments = [],
  onSaveComment,
  comparedWith,
  busy = false,
  drill,
  canDrill = false,
  series,
  headingLevel = 2,
}: {
  figure: FigureDefinition;
  response: KpiResponse;
  /** For a trend: the KPI's points over the years or months. */
  series?: SeriesPoint[];
  comments?: AdminComment[];
  /** Given when the user may write the administration's comments on budget lines and goals (null: delete). */
  onSaveComment?: (subjectType: AdminComment['subjectType'], key: string, text: string | null) => Promise<void>;
  /** For a benchmark: the comparison group's name, shown in the title. */
  comparedWith?: string;
  /** The figure is being fetched again (another comparison group). */
  busy?: boolean;
  /** The active drill-down (team leader view): work lists show only its rows. */
  drill?: Drill;
  /** The user may drill down: caseworker bars and team rows link to the filtered work lists. */
  canDrill?: boolean;
  /** 3 inside a view's section (its heading is the h2). */
  headingLevel?: 2 | 3;
}) {
  const Heading = headingLevel === 3 ? 'h3' : 'h2';
  const title = comparedWith ? `${figure.title} — ${comparedWith}` : figure.title;
  const notesFor = (type: AdminComment['subjectType']) =>
    Object.fromEntries(comments.filter((c) => c.subjectType === type).map((c) => [c.subjectKey, c.text]));
  const [asTable, setAsTable] = useState(false);
  // Memoised: the chart redraws when its light changes, not on every render.
  const lit = useMemo(() => figureLight(figure, response), [figure, response]);
  const names = response.dimensions?.caseworker ?? {};
  const total = response.kpis[figure.kpi];
  const value = drilled(figure, total, drill, names);
  // What is shown is also what is downloaded.
  const shown: KpiResponse = value === total ? response : { ...response, kpis: { ...response.kpis, [figure.kpi]: value as KpiValue } };
  const workerLinks = canDrill && figure.chart === 'bar-per-caseworker';
  const workerHref = (key: string) => drillHref({ worker: key });
  const label = (key: string) => names[key]?.name ?? key;
  const headingId = `fig-${figure.kpi.replace(/\W/g, '-')}`;
  const barChart = figure.chart === 'bar-per-caseworker' || figure.chart === 'bar-per-key';
  const tableToggle =
    barChart ||
    figure.chart === 'effect' ||
    figure.chart === 'changes' ||
    figure.chart === 'spend-curve' ||
    (figure.chart === 'trend' && !!series);
  const chartable = barChart && value && typeof value === 'object' && !isSuppressed(value);
  // A bar-per-key over objects draws one field of each; its table shows the figure's columns.
  const fieldOf = (v: unknown): number => (v as Record<string, number>)[figure.field!] ?? null;
  const count = isList(value) ? value.count : null;
  const totalCount = isList(total) ? total.count : null;

  let body;
  if (figure.chart === 'work-list' && isList(value)) {
    const secondary = figure.secondary ? ((value as unknown as Record<string, KpiList>)[figure.secondary.key] ?? null) : null;
    body = (
      <>
        <WorkList caption={figure.title} rows={value.rows} columns={figure.columns ?? []} names={names} drilled={isDrilled(drill)} />
        {secondary && figure.secondary && (
          <>
            <h3>
              {figure.secondary.title} ({formatNumber(secondary.count)})
            </h3>
            <WorkList
              caption={figure.secondary.title}
              rows={secondary.rows}
              columns={figure.secondary.columns ?? figure.columns ?? []}
              names={names}
              drilled={isDrilled(drill)}
            />
          </>
        )}
      </>
    );
  } else if (figure.chart === 'benchmark' && value && typeof value === 'object') {
    body = (
      <BenchmarkChart
        kpi={figure.kpi}
        value={value as unknown as Benchmark}
        own={response.municipality}
        names={response.dimensions?.municipality ?? {}}
        title={title}
      />
    );
  } else if (figure.chart === 'budget-table' && value && typeof value === 'object') {
    body = (
      <BudgetTable
        lines={value as never}
        year={Number(response.asOf.slice(0, 4))}
        comments={notesFor('budget')}
        onSaveComment={onSaveComment && ((key, text) => onSaveComment('budget', key, text))}
      />
    );
  } else if (figure.chart === 'share-table' && value && typeof value === 'object') {
    body = (
      <ShareTable
        caption={figure.title}
        value={value as never}
        columns={figure.columns ?? []}
        rowHref={canDrill ? (team) => drillHref({ team }) : undefined}
      />
    );
  } else if (figure.chart === 'goals' && Array.isArray(value)) {
    body = (
      <GoalList
        goals={value as never}
        comments={notesFor('goal')}
        onSaveComment={onSaveComment && ((key, text) => onSaveComment('goal', key, text))}
      />
    );
  } else if (figure.chart === 'year-table' && value && typeof value === 'object') {
    body = <YearTable years={value as never} />;
  } else if (figure.chart === 'effect' && value && typeof value === 'object') {
    body = asTable ? (
      <EffectTable caption={figure.title} value={value as unknown as EffectChange} />
    ) : (
      <EffectChart title={figure.title} value={value as unknown as EffectChange} />
    );
  } else if (figure.chart === 'changes' && value && typeof value === 'object' && !isSuppressed(value)) {
    body = asTable ? (
      <ChangesTable caption={figure.title} value={value as unknown as CaseworkerChanges} />
    ) : (
      <ChangesChart title={figure.title} value={value as unknown as CaseworkerChanges} />
    );
  } else if (figure.chart === 'spend-curve' && value && typeof value === 'object') {
    body = asTable ? (
      <SpendTable caption={figure.title} value={value as never} />
    ) : (
      <SpendCurve title={figure.title} value={value as never} />
    );
  } else if (figure.chart === 'share') {
    // The goal in force on this KPI, when the view fetched the goals (DashboardView).
    const goals = response.kpis['goal.status'] as unknown as GoalStatus[] | undefined;
    body = (
      <ShareCard
        value={value}
        target={figure.target}
        goal={Array.isArray(goals) ? goals.find((g) => g.kpi === figure.kpi) : undefined}
        basis={response.basis?.[figure.kpi]}
      />
    );
  } else if (figure.chart === 'trend') {
    const by = figure.series ?? 'year';
    body = (
      <>
        <p className="big-number">{typeof value === 'number' ? formatNumber(value) : '–'}</p>
        {series &&
          (asTable ? (
            <TrendTable caption={figure.title} points={series} by={by} />
          ) : (
            <TrendChart title={figure.title} points={series} by={by} />
          ))}
      </>
    );
  } else if (figure.chart === 'number') {
    body = (
      <p className="big-number" data-value={typeof value === 'number' ? String(value) : undefined}>
        {typeof value === 'number' ? formatAmount(figure.kpi, value) : '–'}
      </p>
    );
  } else if (chartable && Object.keys(value).length === 0) {
    body = <p>Ingen data på opgørelsesdatoen.</p>;
  } else if (asTable && figure.field && chartable) {
    body = <ShareTable caption={figure.title} value={value as never} columns={figure.columns ?? []} rowHeader="" asShares={false} />;
  } else if (asTable || !chartable) {
    body = (
      <ValueTable
        caption={figure.title}
        value={value ?? null}
        label={label}
        keyHeader={figure.chart === 'bar-per-caseworker' ? 'Rådgiver' : undefined}
        href={workerLinks ? workerHref : undefined}
        selected={drill?.worker}
      />
    );
  } else {
    const bars =
      figure.chart === 'bar-per-key'
        ? Object.entries(value as Record<string, number>).map(([key, v]) => ({ key, label: key, value: figure.field ? fieldOf(v) : v }))
        : caseworkerBars(value, response);
    body = (
      <BarPerCaseworker
        title={figure.title}
        bars={bars}
        {...lit}
        selected={drill?.worker}
        onSelect={workerLinks ? (key) => (window.location.hash = workerHref(key)) : undefined}
      />
    );
  }

  return (
    <section
      className={`card card-${figure.chart}`}
      aria-labelledby={headingId}
      aria-busy={busy || undefined}
      data-testid={`figure-${figure.kpi}`}
    >
      <div className="card-head">
        <Heading id={headingId}>
          {title}
          {count !== null && (
            <span className="count" data-testid="count">
              {' '}
              {totalCount !== null && isDrilled(drill) ? `${formatNumber(count)} af ${formatNumber(totalCount)}` : formatNumber(count)}
            </span>
          )}
        </Heading>
        {tableToggle && (
          <button type="button" className="link" aria-pressed={asTable} onClick={() => setAsTable(!asTable)}>
            {asTable ? 'Vis som diagram' : 'Vis som tabel'}
          </button>
        )}
      </div>
      {figure.description && <p className="muted">{figure.description}</p>}
      {workerLinks && (
        <p className="muted small">
          Vælg en rådgiver – klik på søjlen, eller vis som tabel – for at se rådgiverens sager i arbejdslisterne.
        </p>
      )}
      {body}
      <p className="download">
        <button type="button" className="link" onClick={() => download({ ...figure, title }, shown, series)}>
          Hent som Excel
        </button>
      </p>
    </section>
  );
}

/** The figure's numbers as an .xlsx file: numbers stay numeric cells. */
function download(figure: FigureDefinition, response: KpiResponse, series?: SeriesPoint[]): void {
  const bytes = workbook(figure.title, figureRows(figure, response, series));
  const url = URL.createObjectURL(
    new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }),
  );
  const a = document.createElement('a');
  a.href = url;
  a.download = `${figure.kpi}-${response.asOf}.xlsx`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
