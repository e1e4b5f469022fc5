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
  | 'spend-curve'
  | 'trend';

export interface ListColumn {
  key: string;
  label: string;
  /** days: a whole number shown right-aligned (also used for amounts); days-left: days overdue shown as days until due. */
  format?: 'text' | 'date' | 'datetime' | 'days' | 'days-left' | 'worker';
}

/** One figure on a dashboard: a KPI id from the catalogue, how to draw it, and its Danish label. */
export interface FigureDefinition {
  kpi: string;
  chart: ChartKind;
  title: string;
  description?: string;
  /** Reference lines / thresholds drawn on the chart, in the KPI's own unit. */
  thresholds?: { value: number; label: string }[];
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

export interface DashboardDefinition {
  id: 'udvalg' | 'chef' | 'teamleder' | 'datakvalitet';
  title: string;
  /** Roles allowed to open this view. */
  roles: Role[];
  figures: FigureDefinition[];
}
