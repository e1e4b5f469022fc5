import { join } from 'path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KpiList, KpiResponse } from '@bu/contracts';
import { DASHBOARDS } from '@bu/dashboards';
import { importDubu } from '@bu/etl';
import { BrowserApp, OUT, ROOT, seriousA11yViolations, startBrowserApp } from '../support/browser-app';
import { TEST_SECRET } from '../support/database';

type Row = Record<string, unknown>;
const LISTS = DASHBOARDS.find((d) => d.id === 'teamleder')!.figures.filter((f) => f.chart === 'work-list');

/** The case numbers of the rows a work list shows, top to bottom (its first list's current part only). */
const shownCases = (figure: Locator) =>
  figure
    .locator('table.work-list[data-part=current]')
    .first()
    .locator('tbody tr')
    .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-testid')!.replace('list-row-', '')));

// dubu-deadlines at D = 30-04-2024: Team Nord (Alma Andersen AA, Bo Berg BB who left 31-03),
// Team Syd (Cita Clausen CC). The chief sees every team.
describe('drill-down from an aggregate to the work-list rows behind it, in Chromium', () => {
  let env: BrowserApp;
  let api: KpiResponse;
  beforeAll(async () => {
    env = await startBrowserApp(
      (db) => importDubu(db.pool, join(ROOT, 'test/fixtures/dubu-deadlines'), { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' }),
      'Team Syd',
    );
    api = await env.api<KpiResponse>('chef', `/api/v1/kpis?ids=${LISTS.map((f) => f.kpi).join(',')}`);
  });
  afterAll(() => env?.close());

  /** Every work list of the view shows exactly the API's rows that pass the filter, in the API's order. */
  async function expectLists(page: Page, keep: (row: Row) => boolean) {
    let kept = 0;
    for (const f of LISTS) {
      const all = (api.kpis[f.kpi] as unknown as KpiList).rows.filter(keep);
      kept += all.length;
      // More than a year overdue: grouped apart below today's work (WorkList).
      const rows = all.filter((r) => !(Number(r.daysOverdue) > 365));
      const figure = page.getByTestId(`figure-${f.kpi}`);
      expect(await shownCases(figure), f.kpi).toEqual(rows.slice(0, 10).map((r) => String(r.case)));
    }
    return kept;
  }

  it('opens the team leader work lists filtered to a team from the chief\'s deadline table, and "Vis alle" clears it', async () => {
    const page = await env.login('chef');
    const table = page.getByTestId('figure-deadline.compliance_by_team');
    await table.waitFor();
    await table.getByRole('link', { name: 'Team Nord' }).click();
    const banner = page.getByTestId('drill');
    await banner.waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Teamleder: Team Nord');
    expect(await banner.getByRole('heading').textContent()).toBe('Sager for Team Nord');
    expect(await banner.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.getByTestId('figure-deadline.followup_overdue').locator('table, .ok-note').first().waitFor();
    const kept = await expectLists(page, (r) => r.team === 'Team Nord');
    // Not an empty comparison: Team Nord has rows, and some rows of other teams are left out.
    expect(kept).toBeGreaterThan(0);
    expect(LISTS.some((f) => (api.kpis[f.kpi] as unknown as KpiList).rows.some((r) => r.team !== 'Team Nord'))).toBe(true);
    // The caseload bars show Team Nord's caseworkers only.
    expect(await page.getByTestId('figure-caseload.open_cases').locator('.chart').getAttribute('aria-label')).not.toContain('Cita Clausen');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: join(OUT, 'teamleder-drill-team-1366.png'), fullPage: true });

    await banner.getByRole('link', { name: 'Vis alle' }).click();
    await banner.waitFor({ state: 'detached' });
    await expectLists(page, () => true);
    await page.close();
  });

  it('filters the work lists to a caseworker chosen with the keyboard in the caseload table, or by a click on the bar', async () => {
    const page = await env.login('chef');
    await page.goto(`${env.base}/#/teamleder`);
    const caseload = page.getByTestId('figure-caseload.open_cases');
    await caseload.waitFor();
    await caseload.getByRole('button', { name: 'Vis som tabel' }).click();
    await caseload.getByRole('link', { name: 'Cita Clausen' }).focus();
    await page.keyboard.press('Enter');
    const banner = page.getByTestId('drill');
    await banner.waitFor();
    expect(await banner.getByRole('heading').textContent()).toBe('Sager for rådgiver Cita Clausen (Team Syd)');
    expect(page.url()).toContain('#/teamleder?worker=CC');
    const kept = await expectLists(page, (r) => (r.worker ?? r.lastWorker) === 'CC');
    expect(kept).toBeGreaterThan(0);
    // The count says how many of the list's rows are shown.
    const followups = (api.kpis['deadline.followup_overdue'] as unknown as KpiList).rows;
    expect(await page.getByTestId('figure-deadline.followup_overdue').getByTestId('count').textContent()).toBe(
      ` ${followups.filter((r) => r.worker === 'CC').length} af ${followups.length}`,
    );
    await banner.getByRole('link', { name: 'Vis alle' }).click();
    await banner.waitFor({ state: 'detached' });

    // A mouse click on Alma Andersen's bar (the chart lists the highest first, drawn at the top).
    await caseload.getByRole('button', { name: 'Vis som diagram' }).click();
    const bar = caseload.locator('svg path[fill="#1f5f99"]').last();
    await bar.click();
    await banner.waitFor();
    expect(await banner.getByRole('heading').textContent()).toMatch(/^Sager for rådgiver /);
    const worker = decodeURIComponent(new URL(page.url()).hash.split('worker=')[1]);
    const open = (await env.api<KpiResponse>('chef', '/api/v1/kpis?ids=caseload.open_cases')).kpis['caseload.open_cases'] as Record<
      string,
      number
    >;
    expect(open[worker]).toBe(Math.max(...Object.values(open)));
    expect(await banner.getByRole('heading').textContent()).toContain(api.dimensions!.caseworker![worker].name);
    await expectLists(page, (r) => (r.worker ?? r.lastWorker) === worker);
    await page.screenshot({ path: join(OUT, 'teamleder-drill-worker-1366.png'), fullPage: true });
    await page.close();
  });

  it('fetches the lists marked arrow as Apache Arrow streams, one per request, and shows the rows the JSON answer has', async () => {
    const page = await env.login('chef');
    await page.goto(`${env.base}/#/teamleder`);
    await page.getByTestId('figure-deadline.followup_overdue').locator('table').first().waitFor();
    // Only the team leader view's requests, from a reload on it.
    const answers: { ids: string; accept: string; type: string }[] = [];
    page.on('response', async (res) => {
      const url = new URL(res.url());
      if (url.pathname !== '/api/v1/kpis') return;
      answers.push({
        ids: url.searchParams.get('ids') ?? '',
        accept: (await res.request().allHeaders()).accept ?? '',
        type: res.headers()['content-type'] ?? '',
      });
    });
    await page.reload();
    await page.getByTestId('figure-deadline.followup_overdue').locator('table').first().waitFor();
    const arrowKpis = LISTS.filter((f) => f.arrow).map((f): string => f.kpi);
    expect(arrowKpis).toEqual([
      'caseload.unassigned',
      'deadline.notification_overdue',
      'deadline.notification_due_soon',
      'deadline.followup_overdue',
      'deadline.followup_due_soon',
      'deadline.supervision_overdue',
      'deadline.supervision_due_soon',
    ]);
    // The lists load side by side: on a busy machine the last ones may still be on their way.
    await expect.poll(() => arrowKpis.filter((kpi) => !answers.some((a) => a.ids === kpi)), { timeout: 15_000 }).toEqual([]);
    for (const kpi of arrowKpis) {
      expect(
        answers.filter((a) => a.ids === kpi),
        kpi,
      ).toEqual([{ ids: kpi, accept: 'application/vnd.apache.arrow.stream', type: 'application/vnd.apache.arrow.stream' }]);
    }
    const json = answers.filter((a) => a.type.startsWith('application/json'));
    expect(json).toHaveLength(1);
    expect(json[0].ids.split(',').filter((id) => arrowKpis.includes(id))).toEqual([]);
    // Decoded rows: every shown row and cell as from the JSON answer (numbers, dates, names).
    await expectLists(page, () => true);
    const c9 = page.getByTestId('figure-deadline.followup_overdue').getByTestId('list-row-C9');
    expect(await c9.locator('td').allTextContents()).toEqual(['Døgninstitution', 'C9', 'Cita Clausen', '01.04.2023', '395']);
    expect(await c9.locator('td').nth(4).getAttribute('data-value')).toBe('395');
    await page.close();
  });

  it('keeps the drill-down and shows the new figures when the as-of date changes', async () => {
    const page = await env.login('chef');
    await page.goto(`${env.base}/#/teamleder?team=Team%20Nord`);
    await page.getByTestId('drill').waitFor();
    await page.getByLabel('Opgørelsesdato').fill('31.03.2024');
    await page.getByTestId('as-of').getByText('Opgjort pr. 31.03.2024').waitFor();
    const march = await env.api<KpiResponse>('chef', `/api/v1/kpis?asOf=2024-03-31&ids=${LISTS.map((f) => f.kpi).join(',')}`);
    for (const f of LISTS) {
      const rows = (march.kpis[f.kpi] as unknown as KpiList).rows.filter((r) => r.team === 'Team Nord' && !(Number(r.daysOverdue) > 365));
      expect(await shownCases(page.getByTestId(`figure-${f.kpi}`)), f.kpi).toEqual(rows.slice(0, 10).map((r) => String(r.case)));
    }
    expect(await page.getByTestId('drill').getByRole('heading').textContent()).toBe('Sager for Team Nord');
    await page.close();
  });

  it('gives the committee no drill-down', async () => {
    const page = await env.login('udvalg');
    await page.goto(`${env.base}/#/teamleder?team=Team%20Nord`);
    await page.getByTestId('as-of').waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Udvalg');
    expect(await page.getByTestId('drill').count()).toBe(0);
    expect(await page.locator('main table a').count()).toBe(0);
    await page.close();
  });

  it('fits 1024×768 without horizontal scrolling while drilled down', async () => {
    const page = await env.login('chef', { viewport: { width: 1024, height: 768 } });
    await page.goto(`${env.base}/#/teamleder?worker=AA`);
    await page.getByTestId('drill').waitFor();
    await page.getByTestId('figure-caseload.open_cases').locator('.chart').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
    await page.close();
  });
});
