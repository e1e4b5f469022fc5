import { strFromU8, unzipSync } from 'fflate';
import { readFileSync } from 'fs';
import { join } from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Benchmark, KpiResponse, SeriesResponse } from '@bu/contracts';
import { importDubu, importStatistics } from '@bu/etl';
import { BrowserApp, OUT, ROOT, seriousA11yViolations, startBrowserApp } from '../support/browser-app';
import { TEST_SECRET } from '../support/database';
import { PASSWORD } from '../support/api';

interface EffectGroup {
  children: number;
  meanChange: number | null;
  improved: number | null;
  unchanged: number | null;
  worsened: number | null;
}

const share = new Intl.NumberFormat('da-DK', { style: 'percent', maximumFractionDigits: 1 });

/** Every figure of the view has its data: the sections below the first screen come after it (ADR 77). */
const wholeView = (page: Page) => page.waitForFunction(() => performance.getEntriesByName('boerneblik:view-complete').length > 0);

/** The six headline figures of the chief's summary strip, in order. */
const CHIEF_HEADLINES = [
  'activity.children_with_open_case',
  'activity.notifications',
  'activity.placed_children',
  'activity.family_care_share',
  'cost.annualised_per_placed_child',
  'deadline.investigation_4m',
];

/** The KPI requests (figures and series) the page makes from now on, in order. */
function kpiRequests(page: Page): URL[] {
  const asked: URL[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.pathname.startsWith('/api/v1/kpis')) asked.push(url);
  });
  return asked;
}

/** A request or answer held back until `open()`. */
function gate(): { passed: Promise<void>; open: () => void } {
  let open!: () => void;
  const passed = new Promise<void>((r) => (open = r));
  return { passed, open };
}

// dubu-chief at D = 30-04-2024 (effect measurements for three children, libs/kpi/src/effect/change.spec.ts)
// and statistics-benchmark (Odense 461 and four other municipalities, libs/kpi/src/benchmark/benchmark.spec.ts).
describe('the chief view in Chromium: effect and comparison groups', () => {
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
    const spoken = rows.map(
      ([name, g]) =>
        `${name}, ${g.children} børn: forbedret ${share.format(g.improved!)}, uændret ${share.format(g.unchanged!)}, forværret ${share.format(g.worsened!)}`,
    );
    expect(await figure.locator('.chart[role=img]').getAttribute('aria-label')).toBe(
      `Effekt: udvikling i trivselsscorer: ${spoken.join('; ')}`,
    );
    // One stacked bar segment per non-zero share is drawn (once ECharts has loaded, ADR 0080).
    await figure.locator('svg path').first().waitFor({ state: 'attached' });
    await page.screenshot({ path: join(OUT, 'chef-effect-1366.png'), fullPage: true });

    await figure.getByRole('button', { name: 'Vis som tabel' }).click();
    expect(await figure.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-testid')))).toEqual(
      rows.map(([name]) => `effect-row-${name}`),
    );
    for (const [name, g] of rows) {
      const cells = figure.getByTestId(`effect-row-${name}`).locator('td');
      expect(await cells.evaluateAll((tds) => tds.map((td) => td.getAttribute('data-value'))), name).toEqual(
        [g.children, g.improved, g.unchanged, g.worsened, g.meanChange].map(String),
      );
      expect(await cells.nth(1).textContent(), name).toBe(share.format(g.improved!));
    }

    const [download] = await Promise.all([page.waitForEvent('download'), figure.getByRole('button', { name: 'Hent som Excel' }).click()]);
    const sheet = strFromU8(unzipSync(new Uint8Array(readFileSync(await download.path())))['xl/worksheets/sheet1.xml']);
    // Row 2 is every child: 3 children, shares as numeric cells.
    expect(sheet).toContain(`<c r="B2"><v>3</v></c><c r="C2"><v>${effect.improved}</v></c>`);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });

  it("compares with a comparison group the chief creates: median and rank are the API's for that group, and the choice is remembered", async () => {
    const NOTIFICATIONS = 'benchmark.activity.notifications_per_1000';
    const PLACED = 'benchmark.activity.placed_children_per_1000';
    const benchmarks = async (query = '') =>
      (await env.api<KpiResponse>('chef', `/api/v1/kpis?ids=${NOTIFICATIONS},${PLACED}${query}`)).kpis as unknown as Record<
        string,
        Benchmark
      >;
    const number = new Intl.NumberFormat('da-DK', { maximumFractionDigits: 1 });
    const facts = (b: Benchmark) =>
      `${b.own === null ? '–' : number.format(b.own)} (${b.year ?? '–'}) · median ${b.median === null ? '–' : number.format(b.median)} · nr. ${b.rank ?? '–'} af ${b.count}`;
    const shown = (page: Page, kpi: string) => page.getByTestId(`figure-${kpi}`).getByTestId('benchmark-facts');

    const page = await env.login('chef');
    const panel = page.getByTestId('comparison-groups');
    await panel.waitFor();
    const all = await benchmarks();
    expect(await shown(page, NOTIFICATIONS).textContent()).toContain(facts(all[NOTIFICATIONS]));
    expect(facts(all[NOTIFICATIONS])).toBe('110 (2024) · median 105 · nr. 2 af 4');
    expect(await page.getByTestId(`figure-${NOTIFICATIONS}`).getByRole('heading').textContent()).toBe(
      'Underretninger pr. 1.000 børn — alle kommuner',
    );

    // A new group: Aalborg and Aarhus, picked from the list of municipalities.
    await panel.getByRole('button', { name: 'Ny gruppe' }).click();
    await panel.getByLabel('Navn').fill('Store byer');
    await panel.getByLabel('Find kommune').fill('aa');
    await panel.getByRole('checkbox', { name: 'Aalborg' }).check();
    await panel.getByRole('checkbox', { name: 'Aarhus' }).check();
    expect(await seriousA11yViolations(page)).toEqual([]);
    // Saved once the API has answered the POST.
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/v1/comparison-groups') && r.request().method() === 'POST'),
      panel.getByRole('button', { name: 'Gem gruppen' }).click(),
    ]);

    const groups = await env.api<{ id: number; name: string; members: number[] }[]>('chef', '/api/v1/comparison-groups?municipality=461');
    expect(groups.map((g) => [g.name, g.members])).toEqual([['Store byer', [751, 851]]]);
    const grouped = await benchmarks(`&groupId=${groups[0].id}`);
    // Odense 110 with Aarhus 80 and Aalborg 150: median 110, rank 2 of 3 (placements 2023 per 1,000 0-22-year-olds: 8, 6, 10).
    expect(facts(grouped[NOTIFICATIONS])).toBe('110 (2024) · median 110 · nr. 2 af 3');
    await shown(page, NOTIFICATIONS).getByText(facts(grouped[NOTIFICATIONS])).waitFor();
    expect(await shown(page, PLACED).textContent()).toContain(facts(grouped[PLACED]));
    expect(await page.getByTestId(`figure-${NOTIFICATIONS}`).getByRole('heading').textContent()).toBe(
      'Underretninger pr. 1.000 børn — Store byer',
    );
    expect(await panel.getByLabel('Sammenligningsgruppe').inputValue()).toBe(String(groups[0].id));
    await page.screenshot({ path: join(OUT, 'chef-group-1366.png'), fullPage: true });

    // Remembered after a reload; back to all municipalities on request.
    await page.reload();
    await shown(page, NOTIFICATIONS).getByText(facts(grouped[NOTIFICATIONS])).waitFor();
    await panel.getByLabel('Sammenligningsgruppe').selectOption({ label: 'Alle kommuner' });
    await shown(page, NOTIFICATIONS).getByText(facts(all[NOTIFICATIONS])).waitFor();

    // A group started from the suggested statistical neighbours holds exactly those.
    const suggested = await env.api<{ code: number; name: string }[]>('chef', '/api/v1/comparison-groups/suggested?municipality=461');
    expect(suggested.length).toBeGreaterThan(0);
    await panel.getByRole('button', { name: 'Ny gruppe' }).click();
    await panel.getByRole('button', { name: 'Start fra foreslåede nabokommuner' }).click();
    await panel.getByRole('status').getByText('foreslåede nabokommuner er valgt').waitFor();
    const checked = await panel
      .locator('.municipality-list input:checked')
      .evaluateAll((els) => els.map((el) => el.parentElement!.textContent.trim()));
    expect(checked.sort()).toEqual(suggested.map((n) => n.name).sort());
    expect(await panel.getByLabel('Navn').inputValue()).toBe('Statistiske naboer');
    await panel.getByRole('button', { name: 'Gem gruppen' }).click();
    await page
      .getByTestId(`figure-${NOTIFICATIONS}`)
      .getByRole('heading', { name: 'Underretninger pr. 1.000 børn — Statistiske naboer' })
      .waitFor();
    const neighbours = (await env.api<{ id: number; name: string }[]>('chef', '/api/v1/comparison-groups?municipality=461')).find(
      (g) => g.name === 'Statistiske naboer',
    )!;
    const near = await benchmarks(`&groupId=${neighbours.id}`);
    await shown(page, NOTIFICATIONS).getByText(facts(near[NOTIFICATIONS])).waitFor();

    // Changing a group: Esbjerg added to Store byer, which is renamed; then the neighbours deleted.
    const storeByer = groups[0].id;
    await panel.getByLabel('Sammenligningsgruppe').selectOption(String(storeByer));
    await panel.getByRole('button', { name: 'Ret gruppen' }).click();
    await panel.getByLabel('Navn').fill('Store byer og Esbjerg');
    await panel.getByRole('checkbox', { name: 'Esbjerg' }).check();
    await panel.getByRole('button', { name: 'Gem gruppen' }).click();
    await page
      .getByTestId(`figure-${NOTIFICATIONS}`)
      .getByRole('heading', { name: 'Underretninger pr. 1.000 børn — Store byer og Esbjerg' })
      .waitFor();
    const renamed = (
      await env.api<{ id: number; name: string; members: number[] }[]>('chef', '/api/v1/comparison-groups?municipality=461')
    ).map((g) => [g.name, g.members]);
    expect(renamed).toEqual([
      ['Statistiske naboer', expect.any(Array)],
      ['Store byer og Esbjerg', [561, 751, 851]],
    ]);
    const edited = (await env.api<{ id: number; name: string }[]>('chef', '/api/v1/comparison-groups?municipality=461')).find(
      (g) => g.name === 'Store byer og Esbjerg',
    )!;
    await shown(page, NOTIFICATIONS)
      .getByText(facts((await benchmarks(`&groupId=${edited.id}`))[NOTIFICATIONS]))
      .waitFor();

    await panel.getByLabel('Sammenligningsgruppe').selectOption(String(neighbours.id));
    page.once('dialog', (d) => d.accept());
    await panel.getByRole('button', { name: 'Slet gruppen' }).click();
    await page
      .getByTestId(`figure-${NOTIFICATIONS}`)
      .getByRole('heading', { name: 'Underretninger pr. 1.000 børn — alle kommuner' })
      .waitFor();
    expect((await env.api<{ name: string }[]>('chef', '/api/v1/comparison-groups?municipality=461')).map((g) => g.name)).toEqual([
      'Store byer og Esbjerg',
    ]);
    await page.close();
  });

  it('draws each per-1,000 figure over the years as the series gives it, with table and Excel', async () => {
    const PLACED = 'activity.placed_children_per_1000';
    const series = await env.api<SeriesResponse>('chef', `/api/v1/kpis/${PLACED}/series?by=year`);
    // By hand: years 2020-2024 (D's year − 4 .. D). No population before 2023 → no rate. 31-12-2023:
    // child7 (Y5 Opholdssted) and child9 (Y8 Døgninstitution) placed → 2 / 40,000 × 1,000 = 0.05;
    // 30-04-2024 (D): child1 (Y1 Plejefamilie) too → 3 / 40,000 × 1,000 = 0.075.
    expect(series.points.map((p) => [p.period, p.asOf, p.value])).toEqual([
      ['2020', '2020-12-31', null],
      ['2021', '2021-12-31', null],
      ['2022', '2022-12-31', null],
      ['2023', '2023-12-31', 0.05],
      ['2024', '2024-04-30', 0.075],
    ]);

    const page = await env.login('chef', { downloads: true });
    const figure = page.getByTestId(`figure-${PLACED}`);
    await figure.locator('.chart').waitFor();
    expect(await figure.locator('.big-number').textContent()).toBe('0,1');
    // The current year is to date: marked with * and the date under the chart.
    expect(await figure.locator('.chart[role=img]').getAttribute('aria-label')).toBe(
      'Anbragte børn pr. 1.000 børn, udvikling: 2020: –; 2021: –; 2022: –; 2023: 0,1; 2024*: 0,1',
    );
    expect(await figure.getByText('* til og med 30.04.2024').count()).toBe(1);

    await figure.getByRole('button', { name: 'Vis som tabel' }).click();
    expect(await figure.locator('tbody td.num').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-value')))).toEqual([
      'null',
      'null',
      'null',
      '0.05',
      '0.075',
    ]);
    expect(await figure.getByTestId('trend-row-2024').locator('td').allTextContents()).toEqual(['30.04.2024', '0,1']);

    const [download] = await Promise.all([page.waitForEvent('download'), figure.getByRole('button', { name: 'Hent som Excel' }).click()]);
    const sheet = strFromU8(unzipSync(new Uint8Array(readFileSync(await download.path())))['xl/worksheets/sheet1.xml']);
    // Rows: header, the period's value, then 2020..2024 (2023 in row 6, 2024 in row 7), numbers as numeric cells.
    expect(sheet).toContain('<c r="C2"><v>0.075</v></c>');
    expect(sheet).toContain('<c r="C6"><v>0.05</v></c>');
    expect(sheet).toContain('<c r="C7"><v>0.075</v></c>');

    // Placements by type and the duration of ended measures (libs/kpi/src/activity/placements.spec.ts, duration/measure-days.spec.ts): Y6 Kontaktperson, 121 days.
    const byType = page.getByTestId('figure-activity.placed_children_by_type');
    await byType.getByRole('button', { name: 'Vis som tabel' }).click();
    expect(await byType.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.textContent))).toEqual([
      'Døgninstitution1',
      'Opholdssted1',
      'Plejefamilie1',
    ]);
    const duration = page.getByTestId('figure-duration.measure_days');
    await duration.getByRole('button', { name: 'Vis som tabel' }).click();
    expect(await duration.locator('tbody tr td').allTextContents()).toEqual(['1', '121', '121']);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: join(OUT, 'chef-trends-1366.png'), fullPage: true });
    await page.close();
  });

  it('fits 1024×768 without horizontal scrolling, with the group form open', async () => {
    const page = await env.login('chef', { viewport: { width: 1024, height: 768 } });
    const panel = page.getByTestId('comparison-groups');
    await panel.getByRole('button', { name: 'Ny gruppe' }).click();
    await panel.getByRole('checkbox', { name: 'Aalborg' }).waitFor();
    await page.getByTestId('figure-effect.change').locator('.chart').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
    await page.screenshot({ path: join(OUT, 'chef-group-form-1024.png'), fullPage: true });
    await page.close();
  });

  it('shows the view in six sections with an in-page menu that moves within the page and keeps the address', async () => {
    const page = await env.login('chef');
    const menu = page.getByRole('navigation', { name: 'Afsnit i visningen' });
    await menu.waitFor();
    await wholeView(page);
    expect(await menu.getByRole('link').allTextContents()).toEqual([
      'Overblik',
      'Aktivitet',
      'Økonomi',
      'Effekt',
      'Frister',
      'Sammenligning',
    ]);
    expect(await page.getByRole('heading', { level: 2 }).allTextContents()).toEqual([
      'Overblik',
      'Aktivitet',
      'Økonomi',
      'Effekt',
      'Frister',
      'Sammenligning',
    ]);
    // Each figure in the section its definition names (dashboards/src/chef.ts): a few of each.
    const inSection = async (section: string, kpi: string) =>
      expect(await page.getByTestId(`section-${section}`).getByTestId(`figure-${kpi}`).count(), `${kpi} in ${section}`).toBe(1);
    await inSection('overblik', 'activity.children_with_open_case');
    await inSection('aktivitet', 'activity.placed_children_by_type');
    await inSection('okonomi', 'cost.top_cases');
    await inSection('effekt', 'continuity.caseworker_changes');
    await inSection('frister', 'supervision.two_visits_share');
    await inSection('frister', 'supervision.talked_alone_share');
    await inSection('sammenligning', 'benchmark.activity.placed_children_per_1000');
    // The comparison groups stand in the comparison section.
    expect(await page.getByTestId('section-sammenligning').getByTestId('comparison-groups').count()).toBe(1);

    // The menu scrolls to the section and puts the focus on its heading; the address (view and filters) stays.
    await page.getByTestId('figure-effect.change').locator('.chart').waitFor();
    const address = page.url();
    await menu.getByRole('link', { name: 'Frister' }).click();
    await page.waitForFunction(() => document.activeElement?.textContent === 'Frister');
    expect(page.url()).toBe(address);
    const top = await page.getByRole('heading', { level: 2, name: 'Frister' }).evaluate((h) => h.getBoundingClientRect().top);
    expect(top).toBeGreaterThanOrEqual(0);
    expect(top).toBeLessThan(200);
    // The menu stays in view while the page scrolls.
    expect(await menu.evaluate((n) => n.getBoundingClientRect().top)).toBeGreaterThanOrEqual(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: join(OUT, 'chef-sections-1366.png') });
    await page.close();
  });

  it('shows single numbers as compact cards, without large empty areas, at 1366 and 1024 (axe)', async () => {
    for (const viewport of [
      { width: 1366, height: 768 },
      { width: 1024, height: 768 },
    ]) {
      const page = await env.login('chef', { viewport });
      await wholeView(page);
      await page.getByTestId('figure-effect.change').locator('.chart').waitFor();
      expect(await page.locator('[data-testid^="pending-"]').count()).toBe(0);
      const compact = page.locator('.grid.compact > .card');
      // Every number and share of the view is in a compact row (dashboards/src/chef.ts): Overblik 3,
      // Aktivitet 9, Økonomi 2, Effekt 3, Frister 5 → 22.
      expect(await compact.count()).toBe(22);
      await page.screenshot({ path: join(OUT, `chef-compact-${viewport.width}.png`), fullPage: true });
      // A compact card is as tall as its row's tallest, with no blank below its content: the number and
      // the Excel link end it. And it stays well under a chart card's height.
      const cards = await compact.evaluateAll((all) =>
        all.map((c) => {
          const box = c.getBoundingClientRect();
          const last = c.lastElementChild!.getBoundingClientRect();
          return { id: c.getAttribute('data-testid'), height: box.height, blank: box.bottom - last.bottom };
        }),
      );
      for (const c of cards) {
        expect(c.blank, `${viewport.width} ${c.id}`).toBeLessThan(20);
        expect(c.height, `${viewport.width} ${c.id}`).toBeLessThan(300);
      }
      // The menu, the strip and the like-for-like sentence at both sizes, inside the axe check below.
      expect(await page.getByRole('navigation', { name: 'Afsnit i visningen' }).getByRole('link').count()).toBe(6);
      await page.getByTestId('summary-strip').locator('li').nth(5).waitFor();
      expect(await page.getByTestId('benchmark-what').count()).toBeGreaterThan(0);
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
      expect(await seriousA11yViolations(page)).toEqual([]);
      await page.close();
    }
  });

  it("asks each headline once, with its value last year (compare=lastYear), at the view's D", async () => {
    const page = await env.login('chef');
    await page.getByTestId('summary-strip').locator('li').first().waitFor();
    const asked: URLSearchParams[] = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname === '/api/v1/kpis') asked.push(url.searchParams);
    });
    await page.reload();
    await page.getByTestId('summary-strip').locator('li').nth(5).waitFor();
    await page.waitForLoadState('networkidle');
    // ADR 0077: one request per headline, so a cold strip is computed side by side; last year's
    // value and the change come with it, as the API computes them.
    const withLastYear = asked.filter((q) => q.get('compare') === 'lastYear');
    for (const id of ['activity.placed_children', 'deadline.investigation_4m'])
      expect(
        withLastYear.filter((q) => q.get('ids')!.split(',').includes(id)).map((q) => [q.get('asOf'), q.get('from')]),
        id,
      ).toEqual([[null, null]]);
    expect(withLastYear).toHaveLength(6);
    await page.close();
  });

  it('opens with six headline figures and the change from the same date last year as the API computes it', async () => {
    const ids = CHIEF_HEADLINES;
    const api = await env.api<KpiResponse>('chef', `/api/v1/kpis?ids=${ids.join(',')}&compare=lastYear`);
    // D = 30-04-2024 (the export date): last year 30-04-2023, period 01-01..30-04-2023.
    expect(api.lastYear).toMatchObject({ asOf: '2023-04-30', period: { from: '2023-01-01', to: '2023-04-30' } });
    const page = await env.login('chef');
    const strip = page.getByTestId('summary-strip');
    await strip.locator('li').first().waitFor();
    expect(await strip.locator('li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-testid')))).toEqual(
      ids.map((id) => `headline-${id}`),
    );
    // The strip opens the Overblik section.
    expect(await page.getByTestId('section-overblik').getByTestId('summary-strip').count()).toBe(1);
    for (const id of ids) {
      const item = strip.getByTestId(`headline-${id}`);
      const value = api.kpis[id];
      const change = api.lastYear!.change[id];
      expect(await item.locator('.headline-value').getAttribute('data-value'), id).toBe(typeof value === 'number' ? String(value) : null);
      expect(await item.locator('.headline-change').getAttribute('data-change'), id).toBe(change === null ? null : String(change));
      const text = (await item.locator('.headline-change').textContent())!;
      if (change === null) expect(text, id).toBe('Ingen sammenligning med 30.04.2023');
      else expect(text, id).toContain('siden 30.04.2023');
    }
    // Counts by hand (libs/kpi/src/activity/open-cases.spec.ts on dubu-chief): the children with a case
    // open at D against a year earlier, shown with its sign.
    const open = api.kpis['activity.children_with_open_case'] as number;
    const before = api.lastYear!.kpis['activity.children_with_open_case'] as number;
    expect(api.lastYear!.change['activity.children_with_open_case']).toBe(open - before);
    const sign = open > before ? '+' : open < before ? '−' : '±';
    expect(await strip.getByTestId('headline-activity.children_with_open_case').locator('.headline-change').textContent()).toContain(
      `${sign}${Math.abs(open - before)} siden 30.04.2023 (${before})`,
    );
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: join(OUT, 'chef-summary-1366.png') });
    // Rows of the six tiles (their top edges): one row of six at 1366, two of three at 1024.
    const rows = async () =>
      Object.values(
        (await strip.locator('li').evaluateAll((lis) => lis.map((li) => Math.round(li.getBoundingClientRect().top)))).reduce<
          Record<number, number>
        >((acc, top) => ({ ...acc, [top]: (acc[top] ?? 0) + 1 }), {}),
      );
    expect(await rows()).toEqual([6]);
    await page.setViewportSize({ width: 1024, height: 768 });
    await expect.poll(rows).toEqual([3, 3]);
    await page.close();
  });

  it('says what the published and the own placement figures count, each per its own population band', async () => {
    const PLACED = 'benchmark.activity.placed_children_per_1000';
    const b = (await env.api<KpiResponse>('chef', `/api/v1/kpis?ids=${PLACED}`)).kpis[PLACED] as unknown as Benchmark;
    // statistics-benchmark 2023: Odense 400 placed children and young people / 50,000 0-22-year-olds × 1,000 = 8;
    // own case data at D: 3 placed children / 40,000 0-17-year-olds × 1,000 = 0,075.
    expect([b.own, b.band, b.ownLive, b.liveBand]).toEqual([8, '0-22 år', 0.075, '0-17 år']);
    const page = await env.login('chef');
    const what = page.getByTestId(`figure-${PLACED}`).getByTestId('benchmark-what');
    await what.waitFor();
    expect(await what.textContent()).toBe(
      'Danmarks Statistik 2023: anbragte børn og unge i året pr. 1.000 0-22-årige. Egne sagsdata: børn med en aktiv anbringelse på opgørelsesdatoen pr. 1.000 0-17-årige.',
    );
    // The own figure beside the published one is a count at D, not in the period: its label says
    // only where it comes from, and the sentence above says what it counts.
    const facts = await page.getByTestId(`figure-${PLACED}`).getByTestId('benchmark-facts').textContent();
    expect(facts).toMatch(/ · egne sagsdata: [\d,]+$/);
    expect(facts).not.toContain('i perioden');
    await page.close();
  });

  it('says the n of a small share, from the counts the API sends', async () => {
    const FAMILY = 'activity.family_care_share';
    const api = await env.api<KpiResponse>('chef', `/api/v1/kpis?ids=${FAMILY}`);
    // dubu-chief at D: child1 (Plejefamilie), child7 (Opholdssted), child9 (Døgninstitution) placed → 1 of 3 in family care.
    expect(api.basis?.[FAMILY]).toEqual({ numerator: 1, denominator: 3 });
    const page = await env.login('chef', { downloads: true });
    const card = page.getByTestId(`figure-${FAMILY}`);
    await card.getByTestId('share-n').waitFor();
    expect(await card.getByTestId('share-n').textContent()).toBe(' (1 af 3)');
    // The deadline table says the n of each small share per team, from the counts in the KPI's value.
    const BY_TEAM = 'deadline.compliance_by_team';
    const byTeam = (await env.api<KpiResponse>('chef', `/api/v1/kpis?ids=${BY_TEAM}`)).kpis[BY_TEAM] as unknown as Record<
      string,
      Record<string, number | null> & { basis: Record<string, { numerator: number; denominator: number }> }
    >;
    const nord = byTeam['Team Nord'];
    const counts = nord.basis.notification_24h;
    expect(counts.denominator).toBeLessThan(20);
    expect(nord.notification_24h).toBe(counts.numerator / counts.denominator);
    const cell = page.getByTestId(`figure-${BY_TEAM}`).getByTestId('share-row-Team Nord').locator('td').first();
    expect(await cell.textContent()).toBe(`${share.format(nord.notification_24h!)} (${counts.numerator} af ${counts.denominator})`);
    // The Excel file has the share and its two counts, as numbers.
    const [download] = await Promise.all([page.waitForEvent('download'), card.getByRole('button', { name: 'Hent som Excel' }).click()]);
    const sheet = strFromU8(unzipSync(new Uint8Array(readFileSync(await download.path())))['xl/worksheets/sheet1.xml']);
    expect(sheet).toContain(`<c r="A2"><v>${1 / 3}</v></c><c r="B2"><v>1</v></c><c r="C2"><v>3</v></c>`);
    await page.close();
  });

  it('draws the caseworker changes as children with none, one and two or more, with table and Excel', async () => {
    const KPI = 'continuity.caseworker_changes';
    const c = (await env.api<KpiResponse>('chef', `/api/v1/kpis?ids=${KPI}`)).kpis[KPI] as unknown as Record<string, number>;
    // libs/kpi/src/continuity/caseworker-changes.spec.ts: four children judged, none changed.
    expect(c).toEqual({ children: 4, mean: 0, noChangeShare: 1, oneChangeShare: 0, twoOrMoreShare: 0 });
    const page = await env.login('chef', { downloads: true });
    const figure = page.getByTestId(`figure-${KPI}`);
    await figure.getByTestId('changes-facts').waitFor();
    expect(await figure.getByTestId('changes-facts').textContent()).toBe('4 børn · gennemsnitligt 0 skift pr. barn');
    // Each part with its children: 4 / 4 without a change, 0 / 4 with one, 0 / 4 with two or more.
    const label = (await figure.locator('.chart[role=img]').getAttribute('aria-label'))!.replace(/\u00a0/g, ' ');
    expect(label).toBe(
      'Skift af rådgiver det seneste år: ingen skift 100 % (4 af 4), 1 skift 0 % (0 af 4), 2 eller flere skift 0 % (0 af 4)',
    );
    await figure.getByRole('button', { name: 'Vis som tabel' }).click();
    const values = async (row: string) =>
      figure
        .getByTestId(row)
        .locator('td')
        .evaluateAll((tds) => tds.map((td) => td.getAttribute('data-value')));
    expect(await values('changes-row-noChangeShare')).toEqual(['4', '1']);
    expect(await values('changes-row-oneChangeShare')).toEqual(['0', '0']);
    expect(await values('changes-row-twoOrMoreShare')).toEqual(['0', '0']);
    const [download] = await Promise.all([page.waitForEvent('download'), figure.getByRole('button', { name: 'Hent som Excel' }).click()]);
    const sheet = strFromU8(unzipSync(new Uint8Array(readFileSync(await download.path())))['xl/worksheets/sheet1.xml']);
    // Row 2: Ingen skift, 4 children and share 1, numeric cells; row 5: I alt, the 4 children judged;
    // row 6: the mean, 0 changes per child.
    expect(sheet).toContain('<c r="B2"><v>4</v></c><c r="C2"><v>1</v></c>');
    expect(sheet).toContain('<c r="B5"><v>4</v></c>');
    expect(sheet).toContain('<c r="B6"><v>0</v></c>');
    await page.close();
  });
  it('shows the first screen before the sections below are asked for, each card pending until its section has answered', async () => {
    const page = await env.login('chef');
    await wholeView(page);
    // The Effekt section's answer held back, on a fresh load of the view (a new cache key is not
    // needed: the answers are cached, the order of the requests is what is tested).
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route(
      (url) => url.pathname === '/api/v1/kpis' && (url.searchParams.get('ids') ?? '').split(',').includes('effect.change'),
      async (route) => {
        await held;
        await route.continue();
      },
    );
    await page.reload();
    await page.waitForFunction(() => performance.getEntriesByName('boerneblik:view-usable').length > 0);
    // The first screen has its figures and its six headlines; the sections below are asked for only
    // after both answered (their requests start after the first screen's part marks).
    await page.getByTestId('figure-activity.children_with_open_case').waitFor();
    expect(await page.getByTestId('summary-strip').locator('li').count()).toBe(6);
    await page.getByTestId('figure-supervision.two_visits_share').waitFor();
    await page.getByTestId('figure-cost.preventive_share').waitFor();
    const timing = await page.evaluate(() => ({
      parts: Object.fromEntries(
        performance
          .getEntriesByType('mark')
          .filter((m) => m.name.startsWith('boerneblik:part:'))
          .map((m) => [m.name.slice('boerneblik:part:'.length), m.startTime]),
      ),
      below: performance
        .getEntriesByType('resource')
        .filter((r) => /[?&]ids=[^&]*(effect\.change|supervision\.two_visits_share|cost\.preventive_share)/.test(r.name))
        .map((r) => r.startTime),
    }));
    const firstScreen = Math.max(timing.parts.overblik, timing.parts.summary);
    expect(timing.below.length).toBeGreaterThanOrEqual(2);
    for (const start of timing.below) expect(start).toBeGreaterThanOrEqual(firstScreen);
    // Effekt held: its cards stand with their titles, busy; the view is not complete.
    const pending = page.getByTestId('pending-effect.change');
    expect(await pending.getAttribute('aria-busy')).toBe('true');
    expect(await pending.getByRole('heading', { level: 3 }).textContent()).toBe('Effekt: udvikling i trivselsscorer');
    expect(await page.getByTestId('figure-effect.change').count()).toBe(0);
    expect(await page.evaluate(() => performance.getEntriesByName('boerneblik:view-complete').length)).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    release();
    await page.getByTestId('figure-effect.change').locator('.chart').waitFor();
    await wholeView(page);
    expect(await page.locator('[data-testid^="pending-"]').count()).toBe(0);
    await page.close();
  });
  it("asks for the first screen's figures before the app's code has run, at the address's D and P, and each of them once (ADR 0112)", async () => {
    const page = await env.login('chef');
    await wholeView(page);
    // The app's code held back on a new load of an address with D and P: only the page's entry runs.
    // (The address is replaced without a hash change, which the running app would answer itself.)
    const boot = gate();
    await page.route(/\/assets\/boot-[^/]+\.js$/, async (route) => {
      await boot.passed;
      await route.continue();
    });
    await page.evaluate(() => history.replaceState(null, '', '#/chef?asOf=2024-03-31&from=2024-02-01'));
    const asked = kpiRequests(page);
    await page.reload();
    // The first screen: the six headlines with last year's value, the first section's figures one
    // request each, and its trend's series: all out while the app's code has not run.
    const dp = 'asOf=2024-03-31&from=2024-02-01';
    const overview = [
      'activity.children_with_open_case',
      'flow.cases_opened',
      'flow.cases_closed',
      'activity.children_with_open_case_per_1000',
    ];
    const series = '/api/v1/kpis/activity.children_with_open_case_per_1000/series?municipality=461&by=year&asOf=2024-03-31';
    await expect.poll(() => asked.length, { timeout: 20_000 }).toBe(11);
    expect(await page.getByTestId('current-user').count()).toBe(0);
    const early = asked.map((url) => `${url.pathname}?${url.searchParams.toString()}`);
    for (const id of CHIEF_HEADLINES)
      expect(early, id).toContain(`/api/v1/kpis?municipality=461&ids=${encodeURIComponent(id)}&compare=lastYear&${dp}`);
    for (const id of overview) expect(early, id).toContain(`/api/v1/kpis?municipality=461&ids=${encodeURIComponent(id)}&${dp}`);
    expect(early).toContain(series);
    boot.open();
    await wholeView(page);
    // The view took every early answer instead of asking again: nothing it asked afterwards is one
    // of the first screen's figures (under any address), and the first screen shows them at D.
    const later = asked.slice(early.length);
    expect(later.length).toBeGreaterThan(0);
    for (const url of later) {
      expect(url.searchParams.get('compare'), url.href).toBeNull();
      expect(url.pathname.endsWith('/series') && url.pathname.includes('children_with_open_case_per_1000'), url.href).toBe(false);
      expect(overview.includes(url.searchParams.get('ids') ?? ''), url.href).toBe(false);
      expect(url.searchParams.get('asOf'), url.href).toBe('2024-03-31');
    }
    expect(await page.getByTestId('summary-strip').locator('li').count()).toBe(6);
    await page.getByTestId('figure-flow.cases_opened').waitFor();
    await page.close();
  });

  it('asks for no figures early when the address is not a dashboard, nor after the user has logged out (ADR 0112)', async () => {
    const page = await env.login('chef');
    await wholeView(page);
    const asked = kpiRequests(page);
    await page.goto(`${env.base}/#/sagsgennemgang`);
    await page.reload();
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.waitForLoadState('networkidle');
    expect(asked).toEqual([]);
    // Logged out: the next page has no token, and asks for nothing but the login.
    await page.getByRole('button', { name: 'Log ud' }).click();
    await page.getByLabel('Brugernavn').waitFor();
    await page.reload();
    await page.getByLabel('Brugernavn').waitFor();
    await page.waitForLoadState('networkidle');
    expect(asked).toEqual([]);
    await page.close();
  });

  it('asks nothing early for a user who logged out before the municipalities answered (ADR 0112)', async () => {
    const page = await env.login('chef');
    await wholeView(page);
    const asked = kpiRequests(page);
    // The municipalities' answer (given while the session still ran) held back on a new load: the
    // user is known, the first screen not yet.
    const places = gate();
    await page.route(
      (url) => url.pathname === '/api/v1/municipalities',
      async (route) => {
        const response = await route.fetch();
        await places.passed;
        await route.fulfill({ response });
      },
    );
    await page.reload();
    await page.getByRole('button', { name: 'Log ud' }).click();
    await page.getByLabel('Brugernavn').waitFor();
    places.open();
    await page.waitForLoadState('networkidle');
    // The answers came for a session that has ended: nothing is asked with them, with no token.
    expect(asked.map((url) => url.href)).toEqual([]);
    await page.close();
  });

  /**
   * A new page whose /municipalities answers for the session in force, then is held back (`held`:
   * the request itself, sent on after the logout; `answer`: the answer given before it), while that
   * user logs out and chef-kbh (København) logs in on the same page; then let go.
   */
  async function lateAnswerAfterNewLogin(hold: 'request' | 'answer') {
    const page = await env.login('chef');
    await wholeView(page);
    const places = gate();
    let first = true;
    await page.route(
      (url) => url.pathname === '/api/v1/municipalities',
      async (route) => {
        if (!first) return route.continue();
        first = false;
        if (hold === 'request') {
          await places.passed;
          return route.continue();
        }
        const response = await route.fetch();
        await places.passed;
        return route.fulfill({ response });
      },
    );
    await page.reload();
    await page.getByRole('button', { name: 'Log ud' }).click();
    await page.getByLabel('Brugernavn').fill('chef-kbh');
    await page.getByLabel('Adgangskode').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log ind' }).click();
    await page.getByTestId('current-user').waitFor();
    const asked = kpiRequests(page);
    places.open();
    await page.waitForLoadState('networkidle');
    return { page, asked };
  }

  it("keeps a new login when an ended session's request is refused late (ADR 0112)", async () => {
    const { page } = await lateAnswerAfterNewLogin('request');
    // The old request was refused (its token ended at logout): that ends nothing of the new session's.
    expect(await page.getByTestId('current-user').textContent()).toContain('chef-kbh');
    expect(await page.getByLabel('Brugernavn').count()).toBe(0);
    await page.close();
  });

  it("shows a new login its own municipalities when an ended session's list answers late (ADR 0112)", async () => {
    const { page, asked } = await lateAnswerAfterNewLogin('answer');
    // One municipality: named beside the filters, København's, not the ended session's Odense.
    const named = await page.getByRole('group', { name: 'Filtre' }).locator('> span').first().textContent();
    expect(named).toBe('København Kommune');
    expect(asked.filter((url) => url.searchParams.get('municipality') !== '101').map((url) => url.href)).toEqual([]);
    await page.close();
  });
});
