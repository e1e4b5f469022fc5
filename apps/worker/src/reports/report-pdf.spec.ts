import { execFileSync } from 'child_process';
import { describe, expect, it } from 'vitest';
import type { BudgetLine } from '@bu/contracts';
import { DASHBOARDS } from '@bu/dashboards';
import type { CommitteeReportContent } from './committee-report';
import { renderCommitteeReport } from './report-pdf';

// The PDF's layout on a long report: a table that runs over several pages repeats its header, no
// row is split, and every page carries the municipality, the as-of date and "Side x af y".

const text = (pdf: Buffer) =>
  execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', '-', '-'], { input: pdf })
    .toString('utf8')
    .replace(/\u00a0/g, ' ');

const line = (n: number): BudgetLine => ({
  name: `Funktion nummer ${n}`,
  budget: 1_000_000 * n,
  month: 2,
  spent: 100_000 * n,
  lastYear: null,
  forecastLinear: null,
  forecastActivity: null,
  forecast: 900_000 * n,
  deviation: -100_000 * n,
  deviationShare: -0.1,
  light: n % 3 === 0 ? 'red' : n % 3 === 1 ? 'green' : 'yellow',
});

describe('renderCommitteeReport', () => {
  it('breaks a long table over pages with its header, and numbers every page', async () => {
    const budget = DASHBOARDS.find((d) => d.id === 'udvalg')!.figures.find((f) => f.kpi === 'budget.function')!;
    const lines = Object.fromEntries(Array.from({ length: 90 }, (_, i) => [`5.28.${String(i + 10)}`, line(i + 1)]));
    const report: CommitteeReportContent = {
      municipality: { code: 461, name: 'Odense' },
      asOf: '2026-03-31',
      period: { from: '2026-01-01', to: '2026-03-31' },
      figures: [{ figure: budget, value: lines }],
      comments: { budget: { '5.28.50': 'Ekstra udgift til én anbringelse.' }, goal: {} },
      madeAt: new Date('2026-04-05T04:00:00Z'),
    };
    const pdf = await renderCommitteeReport(report);
    const pages = text(pdf)
      .split('\f')
      .filter((p) => p.trim() !== '');
    expect(pages.length).toBeGreaterThanOrEqual(3);
    pages.forEach((page, i) => {
      expect(page).toContain('Odense Kommune · udvalgsrapport pr. 31.03.2026');
      expect(page).toContain(`Side ${i + 1} af ${pages.length}`);
      // The table's header on every page it runs over.
      expect(page).toMatch(
        /Funktion\s+Regnskab\s+Korr\.\s+Forbrug t\.o\.m\.\s+Forventet\s+Afvigelse\s+Status\n\s+2025\s+budget\s+februar\n/,
      );
    });
    const all = pages.join('\n');
    expect(all).toContain('lavet 05.04.2026 06.00');
    // Every row once, whole: row 88 has 88 × 1.000 kr. budget = 88.000 and its light in words.
    for (let n = 1; n <= 90; n++) expect(all, `row ${n}`).toMatch(new RegExp(`5\\.28\\.${n + 9} Funktion nummer ${n}\\b`));
    expect(all).toMatch(/5\.28\.97 Funktion nummer 88\s+–\s+88\.000\s+8\.800\s+79\.200\s+-8\.800 \(-10 %\)\s+✓ Inden for budget/);
    expect(all).toContain('Kommentar: Ekstra udgift til én anbringelse.');
  });
});

describe('renderCommitteeReport: the budget as on screen', () => {
  const udvalg = DASHBOARDS.find((d) => d.id === 'udvalg')!;
  const figure = (kpi: string) => udvalg.figures.find((f) => f.kpi === kpi)!;
  const budgetLine = (l: Partial<BudgetLine>): BudgetLine => ({
    name: null,
    budget: null,
    month: null,
    spent: null,
    lastYear: null,
    forecastLinear: null,
    forecastActivity: null,
    forecast: null,
    deviation: null,
    deviationShare: null,
    light: null,
    ...l,
  });
  // Three lines at D = 31-10-2026 (m = 10), amounts in kr.:
  // 5.28.20: B 12,000,000, S 9,000,000, F = 9,000,000 / 10 × 12 = 10,800,000 → −1,200,000 (−10 %), green;
  // 5.28.21: B 5,000,000, S 4,200,000, F 5,040,000 → +40,000 (0,8 %), yellow (≤ B × 1.02);
  // 5.28.23: spend only to September (m = 9): B 3,000,000, S 2,700,000, F = 2,700,000 / 9 × 12 = 3,600,000 → +600,000 (20 %), red.
  const lines: Record<string, BudgetLine> = {
    '5.28.20': budgetLine({
      name: 'Opholdssteder',
      budget: 12e6,
      month: 10,
      spent: 9e6,
      lastYear: 11_500_000,
      forecast: 10.8e6,
      deviation: -1.2e6,
      deviationShare: -0.1,
      light: 'green',
    }),
    '5.28.21': budgetLine({
      name: 'Forebyggende',
      budget: 5e6,
      month: 10,
      spent: 4.2e6,
      lastYear: 4_900_000,
      forecast: 5.04e6,
      deviation: 40_000,
      deviationShare: 0.008,
      light: 'yellow',
    }),
    '5.28.23': budgetLine({
      name: 'Plejefamilier',
      budget: 3e6,
      month: 9,
      spent: 2.7e6,
      lastYear: 2_600_000,
      forecast: 3.6e6,
      deviation: 600_000,
      deviationShare: 0.2,
      light: 'red',
    }),
  };
  // The spend curve: this year through October, the budget 20,000,000 each month, and the forecast
  // from October's 15,900,000 to December's 19,440,000 (the lines' F summed) in two steps of 1,770,000.
  const curve = {
    '2025': [1.5e6, 3e6, 4.5e6, 6e6, 7.5e6, 9e6, 10.5e6, 12e6, 13.5e6, 15e6, 16.5e6, 19e6],
    '2026': [1.6e6, 3.2e6, 4.8e6, 6.4e6, 8e6, 9.6e6, 11.2e6, 12.8e6, 14.3e6, 15.9e6, null, null],
    budget: Array.from({ length: 12 }, () => 20e6),
    forecast: [null, null, null, null, null, null, null, null, null, 15.9e6, 17.67e6, 19.44e6],
  };
  const report: CommitteeReportContent = {
    municipality: { code: 461, name: 'Odense' },
    asOf: '2026-10-31',
    period: { from: '2026-01-01', to: '2026-10-31' },
    figures: [
      { figure: figure('budget.function'), value: lines },
      { figure: figure('budget.spend_curve'), value: curve },
      { figure: figure('cost.preventive_share'), value: 0.375 },
      { figure: figure('activity.children_with_open_case_per_1000'), value: 23.4 },
    ],
    comments: { budget: {}, goal: {} },
    madeAt: new Date('2026-11-02T04:00:00Z'),
  };

  it('has last year, the month in words, lights in words and symbols, and a total row', async () => {
    const all = text(await renderCommitteeReport(report));
    // The headings as on screen (over two lines): last year's accounts are 2025's; the spend runs to October.
    expect(all).toMatch(/Funktion\s+Regnskab\s+Korr\.\s+Forbrug t\.o\.m\.\s+Forventet\s+Afvigelse\s+Status\n\s+2025\s+budget\s+oktober\n/);
    // In 1.000 kr.: last year, budget, spend, forecast, deviation (share), the light's symbol and word.
    expect(all).toMatch(/5\.28\.20 Opholdssteder\s+11\.500\s+12\.000\s+9\.000\s+10\.800\s+-1\.200 \(-10 %\)\s+✓ Inden for budget\n/);
    expect(all).toMatch(/5\.28\.21 Forebyggende\s+4\.900\s+5\.000\s+4\.200\s+5\.040\s+40 \(0,8 %\)\s+! Hold øje\n/);
    // 5.28.23's spend runs to September: it says so in words (the cell wraps, as does the light's word).
    expect(all).toMatch(
      /5\.28\.23 Plejefamilier\s+2\.600\s+3\.000\s+2\.700 \(t\.o\.m\.\s+3\.600\s+600 \(20 %\)\s+✕ Forventet\n\s+september\)\s+overskridelse\n/,
    );
    // The total: 11,500 + 4,900 + 2,600 = 19,000 last year; B 20,000; S 15,900; F 19,440; F − B = −560 (−2,8 %).
    expect(all).toMatch(/I alt\s+19\.000\s+20\.000\s+15\.900\s+19\.440\s+-560 \(-2,8 %\)\n/);
  });

  it('has the budget and the forecast beside the years in the spend curve, and the new figures in their units', async () => {
    const all = text(await renderCommitteeReport(report));
    expect(all).toMatch(/Måned\s+2025\s+2026\s+Korrigeret budget\s+Forventet forbrug/);
    // mio. kr. to one decimal: October 15 / 15,9, budget 20, the forecast from October's spend; November
    // (17,67) and December (19,44) only the forecast.
    expect(all).toMatch(/^\s*okt\s+15\s+15,9\s+20\s+15,9\s*$/m);
    expect(all).toMatch(/^\s*nov\s+16,5\s+–\s+20\s+17,7\s*$/m);
    expect(all).toMatch(/^\s*dec\s+19\s+–\s+20\s+19,4\s*$/m);
    expect(all).toMatch(/^\s*jan\s+1,5\s+1,6\s+20\s+–\s*$/m);
    // cost.preventive_share as a share, the rate per 1,000 as a number.
    expect(all).toContain('37,5 %');
    expect(all).toMatch(/^\s*23,4\s*$/m);
  });
});
