import type { Role } from '@bu/domain';

export type ChartKind = 'bar-per-caseworker' | 'number' | 'table' | 'traffic-light' | 'line';

/** One figure on a dashboard: a KPI id from the catalogue, how to draw it, and its Danish label. */
export interface FigureDefinition {
  kpi: string;
  chart: ChartKind;
  title: string;
  description?: string;
  /** Reference lines / thresholds drawn on the chart, in the KPI's own unit. */
  thresholds?: { value: number; label: string }[];
}

export interface DashboardDefinition {
  id: 'udvalg' | 'chef' | 'teamleder';
  title: string;
  /** Roles allowed to open this view. */
  roles: Role[];
  figures: FigureDefinition[];
}
