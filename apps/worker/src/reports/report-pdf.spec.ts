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
      expect(page).toMatch(/Funktion\s+Korr\./);
    });
    const all = pages.join('\n');
    expect(all).toContain('lavet 05.04.2026 06.00');
    // Every row once, whole: row 88 has 88 × 1.000 kr. budget = 88.000 and its light in words.
    for (let n = 1; n <= 90; n++) expect(all, `row ${n}`).toMatch(new RegExp(`5\\.28\\.${n + 9} Funktion nummer ${n}\\b`));
    expect(all).toMatch(
      /5\.28\.97 Funktion nummer 88\s+88\.000\s+8\.800 \(t\.o\.m\. md\. 2\)\s+79\.200\s+-8\.800 \(-10 %\)\s+Inden for budget/,
    );
    expect(all).toContain('Kommentar: Ekstra udgift til én anbringelse.');
  });
});
