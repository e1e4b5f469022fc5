import { chef } from './chef';
import { datakvalitet } from './datakvalitet';
import { teamleder } from './teamleder';
import { udvalg } from './udvalg';
import type { DashboardDefinition } from './types';

export * from './types';

export const DASHBOARDS: readonly DashboardDefinition[] = [udvalg, chef, teamleder, datakvalitet];

/** Every KPI id a dashboard uses: the API checks these exist in the KPI registry. */
export function dashboardKpiIds(): string[] {
  return [...new Set(DASHBOARDS.flatMap((d) => d.figures.map((f) => f.kpi)))];
}
