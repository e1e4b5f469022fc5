import { strFromU8, unzipSync } from 'fflate';
import { readFileSync } from 'fs';
import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KpiResponse } from '@bu/contracts';
import { importDubu, importStatistics } from '@bu/etl';
import { BrowserApp, OUT, ROOT, seriousA11yViolations, startBrowserApp } from '../support/browser-app';
import { TEST_SECRET } from '../support/database';

interface EffectGroup {
  children: number;
  meanChange: number | null;
  improved: number | null;
  unchanged: number | null;
  worsened: number | null;
}

const share = new Intl.NumberFormat('da-DK', { style: 'percent', maximumFractionDigits: 1 });

// dubu-chief at D = 30-04-2024 (effect measurements for three children, test/kpi/chief.test.ts)
// and statistics-benchmark (Odense 461 and four other municipalities, test/kpi/benchmark.test.ts).
describe('the chief view in Chromium: effect of measures', () => {
  let env: BrowserApp;
  beforeAll(async () => {
    env = await startBrowserApp(async (db) => {
      await importDubu(db.pool, join(ROOT, 'test/fixtures/dubu-chief'), { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' });
      await importStatistics(db.pool, join(ROOT, 'test/fixtures/statistics-benchmark'), { pseudonymSecret: TEST_SECRET });
    }, 'Team Nord');
  });
  afterAll(() => env?.close());

  it('draws improved / unchanged / worsened per measure type with the shares the API gives, as chart, table and Excel', async () => {
    const api = await env.api<KpiResponse>('chef', '/api/v1/kpis?ids=effect.change');
    const effect = api.kpis['effect.change'] as unknown as EffectGroup & { byMeasureType: Record<string, EffectGroup> };
    const rows: [string, EffectGroup][] = [['Alle børn', effect], ...Object.entries(effect.byMeasureType)];
    // The fixture's answer, so the comparison below is not between two empty lists.
    expect(effect.children).toBe(3);
    expect(Object.keys(effect.byMeasureType)).toEqual(['Aflastning', 'Merudgifter', 'Opholdssted', 'Plejefamilie']);

    const page = await env.login('chef', { downloads: true });
    const figure = page.getByTestId('figure-effect.change');
    await figure.waitFor();
    // The chart, as a screen reader hears it: every row with its children and the three shares.
    const spoken = rows.map(([name, g]) => `${name}, ${g.children} børn: forbedret ${share.format(g.improved!)}, uændret ${share.format(g.unchanged!)}, forværret ${share.format(g.worsened!)}`);
    expect(await figure.locator('.chart[role=img]').getAttribute('aria-label')).toBe(`Effekt: udvikling i trivselsscorer: ${spoken.join('; ')}`);
    // One stacked bar segment per non-zero share is drawn.
    expect(await figure.locator('svg path').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(OUT, 'chef-effect-1366.png'), fullPage: true });

    await figure.getByRole('button', { name: 'Vis som tabel' }).click();
    expect(await figure.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-testid')))).toEqual(rows.map(([name]) => `effect-row-${name}`));
    for (const [name, g] of rows) {
      const cells = figure.getByTestId(`effect-row-${name}`).locator('td');
      expect(await cells.evaluateAll((tds) => tds.map((td) => td.getAttribute('data-value'))), name).toEqual([g.children, g.improved, g.unchanged, g.worsened, g.meanChange].map(String));
      expect(await cells.nth(1).textContent(), name).toBe(share.format(g.improved!));
    }

    const [download] = await Promise.all([page.waitForEvent('download'), figure.getByRole('button', { name: 'Hent som Excel' }).click()]);
    const sheet = strFromU8(unzipSync(new Uint8Array(readFileSync(await download.path())))['xl/worksheets/sheet1.xml']);
    // Row 2 is every child: 3 children, shares as numeric cells.
    expect(sheet).toContain(`<c r="B2"><v>3</v></c><c r="C2"><v>${effect.improved}</v></c>`);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });
});
