import { MONTHS_IN_WORDS, spendCurveColumns, type KpiResponse, type SeriesPoint, type SpendCurveValue } from '@bu/contracts';
import type { FigureDefinition } from '@bu/dashboards';
import type { Cell } from './xlsx';

const isSuppressed = (v: unknown) => typeof v === 'object' && v !== null && (v as { suppressed?: boolean }).suppressed === true;
/** A number stays a number; a suppressed cell is the text "<5"; anything else its text. */
const num = (v: unknown): Cell => (typeof v === 'number' ? v : isSuppressed(v) ? '<5' : v === null || v === undefined ? null : String(v));

/** The numbers behind a figure as rows (header first), for the table view and the Excel download. */
export function figureRows(figure: FigureDefinition, response: KpiResponse, series?: SeriesPoint[]): Cell[][] {
  const value = response.kpis[figure.kpi] as unknown;
  const names = response.dimensions?.caseworker ?? {};
  const municipalities = response.dimensions?.municipality ?? {};
  switch (figure.chart) {
    case 'bar-per-caseworker':
      return [
        ['Rådgiver', 'Initialer', figure.title],
        ...Object.entries((value ?? {}) as Record<string, unknown>).map(([k, v]) => [names[k]?.name ?? k, k, num(v)]),
      ];
    case 'bar-per-key':
      if (figure.field) {
        const cols = figure.columns ?? [];
        return [
          ['', ...cols.map((c) => c.label)],
          ...Object.entries((value ?? {}) as Record<string, Record<string, unknown>>).map(([k, v]) => [
            k,
            ...cols.map((c) => num(v[c.key])),
          ]),
        ];
      }
      return [['', figure.title], ...Object.entries((value ?? {}) as Record<string, unknown>).map(([k, v]) => [k, num(v)])];
    case 'trend':
      return [
        [figure.series === 'month' ? 'Måned' : 'År', 'Opgjort pr.', figure.title],
        ['Perioden', response.asOf, num(value)],
        ...(series ?? []).map((p) => [p.period, p.asOf, num(p.value)]),
      ];
    case 'work-list': {
      const cols = figure.columns ?? [];
      const list = (value ?? { rows: [] }) as { rows: Record<string, unknown>[] };
      return [
        cols.map((c) => c.label),
        ...list.rows.map((r) =>
          cols.map((c) =>
            Array.isArray(r[c.key])
              ? (r[c.key] as unknown[]).join(', ')
              : c.format === 'worker'
                ? (names[String(r[c.key])]?.name ?? num(r[c.key]))
                : c.format === 'days-left' && typeof r[c.key] === 'number'
                  ? 0 - (r[c.key] as number)
                  : num(r[c.key]),
          ),
        ),
      ];
    }
    case 'budget-table':
      return [
        [
          'Funktion',
          'Navn',
          'Korrigeret budget',
          'Forbrug til dato',
          'Måned',
          'Sidste år',
          'Forventet (lineær)',
          'Forventet (aktivitet)',
          'Afvigelse',
          'Afvigelse (andel)',
          'Status',
        ],
        ...Object.entries((value ?? {}) as Record<string, Record<string, unknown>>).map(([fn, l]) => [
          fn,
          num(l.name),
          num(l.budget),
          num(l.spent),
          num(l.month),
          num(l.lastYear),
          num(l.forecastLinear),
          num(l.forecastActivity),
          num(l.deviation),
          num(l.deviationShare),
          num(l.light),
        ]),
      ];
    case 'year-table': {
      const years = (value ?? {}) as Record<string, Record<string, unknown>>;
      const cols = Object.keys(years).sort();
      const keys = Object.keys(years[cols[0]] ?? {});
      return [['Nøgletal', ...cols], ...keys.map((k) => [k, ...cols.map((y) => num(years[y][k]))])];
    }
    case 'share-table': {
      const cols = figure.columns ?? [];
      return [
        ['Team', ...cols.map((c) => c.label)],
        ...Object.entries((value ?? {}) as Record<string, Record<string, unknown>>).map(([row, cells]) => [
          row,
          ...cols.map((c) => num(cells[c.key])),
        ]),
      ];
    }
    case 'goals':
      return [
        ['Mål', 'Nøgletal', 'Retning', 'Mål', 'Værdi', 'Status'],
        ...((value ?? []) as Record<string, unknown>[]).map((g) => [
          num(g.title),
          num(g.kpi),
          num(g.direction),
          num(g.target),
          num(g.value),
          num(g.status),
        ]),
      ];
    case 'benchmark': {
      const b = (value ?? { group: {} }) as { group: Record<string, number> };
      return [
        ['Kommune', 'Kode', figure.title],
        ...Object.entries(b.group)
          .sort((x, y) => y[1] - x[1])
          .map(([c, v]) => [municipalities[c] ?? c, Number(c), v]),
      ];
    }
    case 'spend-curve': {
      // The years' spend to date, then the budget and the forecast; an amount withheld from the
      // committee is "skjult", as in the table view.
      const curve = (value ?? {}) as SpendCurveValue;
      const cols = spendCurveColumns(curve);
      const kr = (v: unknown): Cell => (isSuppressed(v) ? 'skjult' : num(v));
      return [
        ['Måned (beløb i kr.)', ...cols.map((c) => c.label)],
        ...MONTHS_IN_WORDS.map((m, i) => [m, ...cols.map((c) => kr(curve[c.key][i]))]),
      ];
    }
    case 'effect': {
      const e = (value ?? { children: 0, byMeasureType: {} }) as { byMeasureType?: Record<string, Record<string, unknown>> } & Record<
        string,
        unknown
      >;
      const row = (name: string, g: Record<string, unknown>): Cell[] => [
        name,
        num(g.children),
        num(g.improved),
        num(g.unchanged),
        num(g.worsened),
        num(g.meanChange),
      ];
      return [
        ['Indsats', 'Børn', 'Forbedret (andel)', 'Uændret (andel)', 'Forværret (andel)', 'Gns. ændring (point)'],
        row('Alle børn', e),
        ...Object.entries(e.byMeasureType ?? {}).map(([t, g]) => row(t, g)),
      ];
    }
    case 'changes': {
      // continuity.caseworker_changes: each part's children (share × children, exact) and share.
      const c = (value ?? {}) as Record<string, number | null>;
      const children = c.children ?? 0;
      const part = (label: string, share: number | null | undefined): Cell[] => [
        label,
        share === null || share === undefined ? null : Math.round(share * children),
        num(share),
      ];
      return [
        ['Skift af rådgiver', 'Børn', 'Andel'],
        part('Ingen skift', c.noChangeShare),
        part('1 skift', c.oneChangeShare),
        part('2 eller flere skift', c.twoOrMoreShare),
        ['I alt', children, children === 0 ? null : 1],
        ['Skift pr. barn (gennemsnit)', num(c.mean), null],
      ];
    }
    default: {
      // A share with its counts (the answer's basis): the n beside the value.
      const basis = response.basis?.[figure.kpi];
      if (figure.chart === 'share' && basis)
        return [
          [figure.title, 'Antal', 'Ud af'],
          [num(value), basis.numerator, basis.denominator],
        ];
      return [[figure.title], [num(value)]];
    }
  }
}
