import { join } from 'path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu, importEconomy } from '@bu/etl';
import { BrowserApp, OUT, ROOT, seriousA11yViolations, startBrowserApp } from '../support/browser-app';
import { TEST_SECRET } from '../support/database';

// A phone (390×844, an iPhone 12-15 in portrait): the team leader's work lists and the committee's
// budget table are read without scrolling sideways (issue 17, ADR 68) — below 600 px each row is a
// card, each cell a line with its column's name.
const PHONE = { width: 390, height: 844 };

/** The page's width beyond the viewport, with the elements that stick out (for the message). */
async function overflow(page: Page): Promise<{ scrollWidth: number; wide: string[] }> {
  return page.evaluate(() => ({
    scrollWidth: document.scrollingElement!.scrollWidth,
    wide: Array.from(document.querySelectorAll('body *'))
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5 && !e.closest('thead'))
      .slice(0, 8)
      .map(
        (e) =>
          `${e.closest('[data-testid]')?.getAttribute('data-testid') ?? ''} ${e.tagName.toLowerCase()}.${Array.from(e.classList).join('.')} ${Math.round(e.getBoundingClientRect().right)}`,
      ),
  }));
}

/** Whether the element lies wholly inside the viewport's width and is shown. */
async function readable(page: Page, selector: ReturnType<Page['locator']>): Promise<boolean> {
  await selector.scrollIntoViewIfNeeded();
  const box = await selector.boundingBox();
  return (await selector.isVisible()) && box !== null && box.x >= 0 && box.x + box.width <= PHONE.width && box.width > 0;
}

describe('a phone (390×844)', () => {
  let env: BrowserApp;
  beforeAll(async () => {
    env = await startBrowserApp(async (db) => {
      await importDubu(db.pool, join(ROOT, 'test/fixtures/dubu-deadlines'), { pseudonymSecret: TEST_SECRET, exportDate: '2024-04-30' });
      await importEconomy(db.pool, join(ROOT, 'test/fixtures/economy-small'), { pseudonymSecret: TEST_SECRET });
    }, 'Team Syd');
  });
  afterAll(() => env?.close());

  it("shows the team leader's work lists as cards without scrolling sideways", async () => {
    const page = await env.login('teamleder', { viewport: PHONE });
    const followups = page.getByTestId('figure-deadline.followup_overdue');
    await followups.waitFor();
    // C7's follow-up, 151 days over (test/browser/views.test.ts): its case number and days readable, each with its column's name.
    const row = followups.getByTestId('list-row-C7');
    const caseCell = row.locator('td', { hasText: /^C7$/ });
    expect(await readable(page, caseCell)).toBe(true);
    expect(await readable(page, row.locator('td[data-value="151"]'))).toBe(true);
    const headers = await followups.locator('table.work-list').first().locator('thead th').allTextContents();
    expect(headers).toContain('Sag');
    expect(await row.locator('td').evaluateAll((tds) => tds.map((td) => getComputedStyle(td, '::before').content))).toEqual(
      headers.map((h) => `"${h}"`),
    );
    const { scrollWidth, wide } = await overflow(page);
    expect(scrollWidth, wide.join(', ')).toBeLessThanOrEqual(PHONE.width);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: join(OUT, 'teamleder-390.png'), fullPage: true });
    await page.close();
  });

  it("shows the committee's budget table as cards without scrolling sideways", async () => {
    const page = await env.login('udvalg', { viewport: PHONE });
    await page.goto(`${env.base}/#/udvalg`);
    const line = page.getByTestId('budget-5.28.20');
    await line.waitFor();
    // 5.28.20's name, budget (62.500 in 1.000 kr., libs/kpi/src/budget/budget.spec.ts) and light readable.
    expect(await readable(page, line.locator('th'))).toBe(true);
    expect(await line.locator('th').textContent()).toContain('5.28.20 Opholdssteder mv. for børn og unge');
    const budget = line.locator('td').nth(1);
    expect(await budget.textContent()).toBe('62.500');
    expect(await readable(page, budget)).toBe(true);
    expect(await readable(page, line.locator('.budget-light'))).toBe(true);
    expect(await readable(page, page.getByTestId('budget-total'))).toBe(true);
    const { scrollWidth, wide } = await overflow(page);
    expect(scrollWidth, wide.join(', ')).toBeLessThanOrEqual(PHONE.width);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: join(OUT, 'udvalg-390.png'), fullPage: true });
    await page.close();
  });

  it("shows the committee's political goals as cards, each title on whole lines, not a letter per line", async () => {
    const { id } = await env.api<{ id: number }>('admin', '/api/v1/goals', {
      method: 'POST',
      body: {
        municipality: 461,
        kpi: 'activity.family_care_share',
        title: 'Mindst 65 % af de anbragte børn i familiepleje',
        direction: '>=',
        target: 0.65,
      },
    });
    const page = await env.login('udvalg', { viewport: PHONE });
    await page.goto(`${env.base}/#/udvalg`);
    const goal = page.getByTestId(`goal-${id}`);
    await goal.waitFor();
    const title = goal.locator('th');
    expect(await readable(page, title)).toBe(true);
    // Laid out as a card, the title gets the card's width: most of the 390 px, not one letter's.
    expect((await title.boundingBox())!.width).toBeGreaterThan(250);
    expect(await readable(page, goal.locator('td[data-label="Status"]'))).toBe(true);
    const { scrollWidth, wide } = await overflow(page);
    expect(scrollWidth, wide.join(', ')).toBeLessThanOrEqual(PHONE.width);
    await page.close();
  });

  it("gives the committee's spend curve the whole row on a laptop, not half of it beside nothing", async () => {
    const page = await env.login('udvalg', { viewport: { width: 1366, height: 768 } });
    await page.goto(`${env.base}/#/udvalg`);
    const curve = page.getByTestId('figure-budget.spend_curve');
    await curve.waitFor();
    const table = await page.getByTestId('figure-budget.function').boundingBox();
    const box = await curve.boundingBox();
    // Both span the grid: the same left edge and width (the budget table is a whole row already).
    expect(box!.width).toBeGreaterThan(900);
    expect([Math.round(box!.x), Math.round(box!.width)]).toEqual([Math.round(table!.x), Math.round(table!.width)]);
    await page.close();
  });

  it("keeps the chief's page within a phone's width: the deadlines-per-team table scrolls inside its card", async () => {
    const page = await env.login('chef', { viewport: PHONE });
    await page.goto(`${env.base}/#/chef`);
    const figure = page.getByTestId('figure-deadline.compliance_by_team');
    await figure.waitFor();
    const region = figure.getByRole('region', { name: 'Overholdte frister pr. team' });
    await region.scrollIntoViewIfNeeded();
    // Five columns of deadlines do not fit in 390 px: the region scrolls, the page does not.
    const { clientWidth, scrollWidth: tableWidth } = await region.evaluate((e) => ({
      clientWidth: e.clientWidth,
      scrollWidth: e.scrollWidth,
    }));
    expect(tableWidth).toBeGreaterThan(clientWidth);
    expect(await readable(page, region)).toBe(true);
    const { scrollWidth, wide } = await overflow(page);
    expect(scrollWidth, wide.join(', ')).toBeLessThanOrEqual(PHONE.width);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });
});
