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

  it('place every figure of a view in sections in one of its sections, and no section is empty', () => {
    for (const d of DASHBOARDS.filter((v) => v.sections)) {
      const ids = d.sections!.map((s) => s.id);
      for (const f of d.figures) expect(ids, `${d.id}: ${f.kpi} in ${f.section}`).toContain(f.section);
      for (const id of ids)
        expect(
          d.figures.some((f) => f.section === id),
          `${d.id}: ${id}`,
        ).toBe(true);
    }
    const chief = DASHBOARDS.find((d) => d.id === 'chef')!;
    expect(chief.sections!.map((s) => s.title)).toEqual(['Overblik', 'Aktivitet', 'Økonomi', 'Effekt', 'Frister', 'Sammenligning']);
  });

  it("give the chief's summary strip six headline figures, each a single number the chief may read", () => {
    const chief = DASHBOARDS.find((d) => d.id === 'chef')!;
    expect(chief.summary).toHaveLength(6);
    for (const h of chief.summary!) {
      const kpi = KPI_CATALOGUE[h.kpi];
      expect(['number', 'fraction'], h.kpi).toContain(kpi.shape);
      expect(kpi.roles as readonly string[], h.kpi).toContain('chef');
    }
  });

  it("show every second-edition figure the chief may read in the chief's view", () => {
    // KPIS.md, second edition: the figures with the role chef.
    const secondEdition = [
      'activity.children_with_open_case',
      'activity.children_with_open_case_per_1000',
      'flow.cases_opened',
      'flow.cases_closed',
      'supervision.talked_alone_share',
      'supervision.two_visits_share',
      'continuity.caseworker_changes',
      'early.age_at_investigation_start',
      'decision.days_to_start',
      'complaints.handling_days',
      'placement.replacement_12m',
      'cost.preventive_share',
    ];
    const shown = DASHBOARDS.find((d) => d.id === 'chef')!.figures.map((f) => f.kpi as string);
    for (const id of secondEdition) expect(shown, id).toContain(id);
  });
});
