import { KPI_CATALOGUE, type KpiId, type KpiShape } from '@bu/contracts';
import type { Role } from '@bu/domain';

export type ChartKind =
  | 'bar-per-caseworker'
  | 'bar-per-key'
  | 'share'
  | 'number'
  | 'work-list'
  | 'budget-table'
  | 'year-table'
  | 'benchmark'
  | 'goals'
  | 'share-table'
  | 'effect'
  | 'changes'
  | 'spend-curve'
  | 'trend';

export interface ListColumn {
  key: string;
  label: string;
  /** days: a whole number shown right-aligned (also used for amounts); days-left: days overdue shown as days until due. */
  format?: 'text' | 'date' | 'datetime' | 'days' | 'days-left' | 'worker';
  /** The cell opens the rows behind it: the row's list under `key`, shown under the row with these columns. */
  opens?: { key: string; label: string; columns: ListColumn[] };
}

/** What a figure may say besides its KPI, chart and title. */
interface FigureOptions {
  description?: string;
  /** The section of the view the figure stands in (a view with `sections`: one of their ids). */
  section?: string;
  /** Reference lines / thresholds drawn on the chart, in the KPI's own unit. */
  thresholds?: { value: number; label: string }[];
  /** Bars coloured by light: green up to and including `green`, yellow up to and including `yellow`, red above. */
  light?: { green: number; yellow: number };
  /** For a share: the target that makes it green (at or above). */
  target?: number;
  /** For a work list: the columns shown, in order. */
  columns?: ListColumn[];
  /**
   * A list KPI whose count is its number of rows and that has no second list: the dashboard fetches
   * it as an Apache Arrow stream (one list per request) instead of inside the JSON answer.
   */
  arrow?: boolean;
  /**
   * For a bar-per-key whose values are objects ({ count, median, mean } per type): the field the
   * bars show; the table shows the columns given.
   */
  field?: string;
  /** For a trend: the KPI's series (GET /kpis/<id>/series) by year or month, drawn under its value at D. */
  series?: 'year' | 'month';
  /** For a work list with a second list (investigations due soon): its key in the value. */
  secondary?: { key: string; title: string; columns?: ListColumn[] };
}

/**
 * The charts that can draw a value of each shape (a per-1,000 rate is a number: its trend is drawn
 * from its series). A figure whose chart its KPI's shape does not allow fails typecheck.
 */
export const CHARTS_BY_SHAPE = {
  number: ['number', 'trend'],
  fraction: ['share', 'trend'],
  'per-caseworker': ['bar-per-caseworker'],
  // changes: the caseworker-change figure's children over 0, 1 and 2+ changes, one 100 % bar.
  breakdown: ['bar-per-key', 'changes'],
  list: ['work-list'],
  'team-shares': ['share-table'],
  effect: ['effect'],
  benchmark: ['benchmark'],
  'budget-table': ['budget-table'],
  series: ['spend-curve'],
  years: ['year-table'],
  goals: ['goals'],
} as const satisfies Record<KpiShape, readonly ChartKind[]>;

/** The charts KPI `K`'s shape allows. */
export type ChartFor<K extends KpiId> = (typeof CHARTS_BY_SHAPE)[(typeof KPI_CATALOGUE)[K]['shape']][number];

/**
 * One figure as a dashboard declares it: a KPI id from the catalogue (an unknown one fails
 * typecheck), a chart its shape allows, and a title only where the figure says something other than
 * the KPI's own title.
 */
export type FigureSpec = { [K in KpiId]: FigureOptions & { kpi: K; chart: ChartFor<K>; title?: string } }[KpiId];

/** One figure on a dashboard: a KPI id from the catalogue, how to draw it, and its Danish label. */
export interface FigureDefinition extends FigureOptions {
  kpi: KpiId;
  chart: ChartKind;
  /** The figure's own title, else the KPI's. */
  title: string;
}

/** A part of a long view, reached from the view's in-page menu. */
export interface Section {
  /** Its anchor, `afsnit-<id>` on the page. */
  id: string;
  title: string;
}

/** The KPIs with one number (a count, amount, rate or share): only these have a change from last year. */
export type SingleNumberKpi = {
  [K in KpiId]: (typeof KPI_CATALOGUE)[K]['shape'] extends 'number' | 'fraction' ? K : never;
}[KpiId];

/** A headline figure in the summary strip: its value at D and the change from the same date last year. */
export interface HeadlineSpec {
  kpi: SingleNumberKpi;
  /** A short label; else the KPI's title. */
  title?: string;
}

export interface Headline {
  kpi: SingleNumberKpi;
  title: string;
}

export interface DashboardDefinition {
  id: 'udvalg' | 'chef' | 'teamleder' | 'datakvalitet';
  title: string;
  /** Roles allowed to open this view. */
  roles: Role[];
  figures: FigureDefinition[];
  /** The view's sections in order, with an in-page menu; each figure names its own. */
  sections?: readonly Section[];
  /** A strip of headline figures at the top, each with the change from the same date last year. */
  summary?: Headline[];
}

/** A dashboard as declared: figures and headlines that may leave out their title. */
export interface DashboardSpec extends Omit<DashboardDefinition, 'figures' | 'summary'> {
  figures: FigureSpec[];
  summary?: HeadlineSpec[];
}

/** The dashboard with each figure's title filled in: its own, else the KPI's from the catalogue. */
export function dashboard(spec: DashboardSpec): DashboardDefinition {
  const { summary, ...rest } = spec;
  return {
    ...rest,
    figures: spec.figures.map((f): FigureDefinition => ({ ...f, title: f.title ?? KPI_CATALOGUE[f.kpi].title })),
    ...(summary ? { summary: summary.map((h): Headline => ({ kpi: h.kpi, title: h.title ?? KPI_CATALOGUE[h.kpi].title })) } : {}),
  };
}
