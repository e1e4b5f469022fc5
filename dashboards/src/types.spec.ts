import { describe, expect, it } from 'vitest';
import { KPI_CATALOGUE } from '@bu/contracts';
import { DASHBOARDS } from './index';
import { CHARTS_BY_SHAPE, type FigureSpec } from './types';

describe('dashboard figures', () => {
  // The catalogue is the registry's (libs/kpi/src/catalogue.spec.ts checks it is not stale).
  it('name KPIs of the catalogue and draw each with a chart its shape allows', () => {
    for (const d of DASHBOARDS)
      for (const f of d.figures) {
        const kpi = KPI_CATALOGUE[f.kpi];
        expect(kpi, `${d.id}: ${f.kpi}`).toBeDefined();
        expect(CHARTS_BY_SHAPE[kpi.shape] as readonly string[], `${d.id}: ${f.kpi} as ${f.chart}`).toContain(f.chart);
      }
  });

  it('have a title: their own, else the KPI’s', () => {
    for (const d of DASHBOARDS) for (const f of d.figures) expect(f.title, f.kpi).toBeTruthy();
    const openCases = DASHBOARDS.find((d) => d.id === 'teamleder')!.figures.find((f) => f.kpi === 'caseload.open_cases')!;
    expect(openCases.title).toBe(KPI_CATALOGUE['caseload.open_cases'].title);
  });

  it('refuse, at typecheck, an unknown KPI and a chart the shape does not allow', () => {
    const figures: FigureSpec[] = [
      { kpi: 'caseload.open_cases', chart: 'bar-per-caseworker' },
      { kpi: 'activity.notifications_per_1000', chart: 'trend', series: 'year' },
      // @ts-expect-error a work list of a number
      { kpi: 'investigation.duration_days', chart: 'work-list' },
      // @ts-expect-error no such KPI
      { kpi: 'caseload.nonexistent', chart: 'number' },
    ];
    expect(figures).toHaveLength(4);
  });
});
