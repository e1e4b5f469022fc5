import { join } from 'path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDubu } from '@bu/etl';
import { BrowserApp, OUT, ROOT, seriousA11yViolations, startBrowserApp } from '../support/browser-app';
import { TEST_SECRET } from '../support/database';

// Issue 17, all views: every date typed or read is dd.mm.åååå whatever language the browser runs
// in (Chromium started in en-US, whose own date field shows mm/dd/yyyy), and the filters live in the
// address (ADR 66), so a shared link opens the same figures and a reload keeps them.

const D = '2024-04-30';
const DANISH_DATE = /^\d{2}\.\d{2}\.\d{4}$/;

describe('dates and filters in Chromium started in en-US', () => {
  let env: BrowserApp;
  beforeAll(async () => {
    env = await startBrowserApp(
      (db) => importDubu(db.pool, join(ROOT, 'test/fixtures/dubu-deadlines'), { pseudonymSecret: TEST_SECRET, exportDate: D }),
      'Team Syd',
    );
  });
  afterAll(() => env?.close());

  const english = (username: string, viewport?: { width: number; height: number }) => env.login(username, { locale: 'en-US', viewport });
  const asOfText = (page: Page) => page.getByTestId('as-of');
  const hashParams = (page: Page) => new URLSearchParams(new URL(page.url()).hash.split('?')[1] ?? '');

  it('types and reads dd.mm.åååå in an English browser, and shows every date in the lists so', async () => {
    const page = await english('teamleder');
    expect(await page.evaluate(() => navigator.language)).toBe('en-US');
    const followups = page.getByTestId('figure-deadline.followup_overdue');
    await followups.waitFor();
    // No browser date field: a text field with a Danish label, the newest export as its greyed default.
    expect(await page.locator('.filters input[type=date]').count()).toBe(0);
    const asOf = page.getByLabel('Opgørelsesdato');
    expect(await asOf.getAttribute('placeholder')).toBe('30.04.2024');
    expect(await asOfText(page).textContent()).toContain('Opgjort pr. 30.04.2024');
    // The dates in a work list: dd.mm.åååå.
    const dates = await followups.locator('tbody tr td:nth-child(4)').allTextContents();
    expect(dates.length).toBeGreaterThan(0);
    for (const d of dates) expect(d).toMatch(DANISH_DATE);

    // Typed the Danish way: taken, and the figures are the API's for that date.
    await asOf.fill('31.03.2024');
    await asOfText(page).filter({ hasText: 'Opgjort pr. 31.03.2024' }).waitFor();
    expect(hashParams(page).get('asOf')).toBe('2024-03-31');
    const march = await env.api<{ kpis: Record<string, { count: number }> }>(
      'teamleder',
      '/api/v1/kpis?asOf=2024-03-31&ids=deadline.followup_overdue',
    );
    await followups
      .getByTestId('count')
      .filter({ hasText: String(march.kpis['deadline.followup_overdue'].count) })
      .waitFor();

    // The American month first and ISO are refused with a Danish message; the figures stay.
    await asOf.fill('03/31/2024');
    await asOf.press('Enter');
    expect(await page.getByRole('alert').textContent()).toBe('Datoen findes ikke i kalenderen');
    expect(await asOf.getAttribute('aria-invalid')).toBe('true');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await asOf.fill('2024-03-31');
    await asOf.press('Tab');
    expect(await page.getByRole('alert').textContent()).toBe('Skriv datoen som dd.mm.åååå, fx 31.01.2026');
    expect(await asOfText(page).textContent()).toContain('Opgjort pr. 31.03.2024');
    expect(hashParams(page).get('asOf')).toBe('2024-03-31');
    // Escape undoes the typing.
    await asOf.press('Escape');
    expect(await asOf.inputValue()).toBe('31.03.2024');
    expect(await page.getByRole('alert').count()).toBe(0);

    // Keyboard: ↓ a day earlier, Page Down a month earlier.
    await asOf.press('ArrowDown');
    await asOfText(page).filter({ hasText: 'Opgjort pr. 30.03.2024' }).waitFor();
    expect(await asOf.inputValue()).toBe('30.03.2024');
    await asOf.press('PageDown');
    await asOfText(page).filter({ hasText: 'Opgjort pr. 29.02.2024' }).waitFor();

    // A period that starts after the as-of date is refused in Danish.
    const from = page.getByLabel('Periode fra');
    await from.fill('01.03.2024');
    await from.press('Enter');
    expect(await page.getByRole('alert').textContent()).toBe('Periode fra skal ligge før opgørelsesdatoen');
    await from.fill('01.02.2024');
    await asOfText(page).filter({ hasText: 'periode 01.02.2024–29.02.2024' }).waitFor();
    await page.screenshot({ path: join(OUT, 'dates-en-US-1366.png'), fullPage: true });
    await page.close();
  });

  it('keeps the filters in the address: a reload, the back button and a shared link show the same figures', async () => {
    const page = await english('chef');
    await page.getByTestId('as-of').waitFor();
    await page.getByLabel('Opgørelsesdato').fill('31.03.2024');
    await asOfText(page).filter({ hasText: 'Opgjort pr. 31.03.2024' }).waitFor();
    await page.getByLabel('Periode fra').fill('01.02.2024');
    await asOfText(page).filter({ hasText: 'periode 01.02.2024–31.03.2024' }).waitFor();
    const params = hashParams(page);
    expect([params.get('asOf'), params.get('from')]).toEqual(['2024-03-31', '2024-02-01']);
    const shown = await asOfText(page).textContent();

    // A reload keeps the filters and the fields show them.
    await page.reload();
    await asOfText(page).filter({ hasText: 'Opgjort pr. 31.03.2024' }).waitFor();
    expect(await asOfText(page).textContent()).toBe(shown);
    expect(await page.getByLabel('Opgørelsesdato').inputValue()).toBe('31.03.2024');
    expect(await page.getByLabel('Periode fra').inputValue()).toBe('01.02.2024');

    // Another view keeps the filters.
    await page.getByRole('navigation', { name: 'Visninger' }).getByRole('link', { name: 'Teamleder' }).click();
    await page.getByRole('heading', { level: 1, name: 'Teamleder' }).waitFor();
    await asOfText(page).filter({ hasText: 'Opgjort pr. 31.03.2024' }).waitFor();
    expect(hashParams(page).get('from')).toBe('2024-02-01');
    const link = page.url();
    const counts = async (p: Page) => p.getByTestId('figure-deadline.followup_overdue').getByTestId('count').textContent();

    // The back button goes back to the chief's view with the same filters.
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: 'Chef' }).waitFor();
    expect(await asOfText(page).textContent()).toBe(shown);

    // The link, opened by someone else (another browser context, Danish), shows the same figures.
    const other = await env.login('teamleder');
    await other.goto(link);
    await asOfText(other).filter({ hasText: 'Opgjort pr. 31.03.2024' }).waitFor();
    expect(await asOfText(other).textContent()).toContain('periode 01.02.2024–31.03.2024');
    expect(await other.getByLabel('Opgørelsesdato').inputValue()).toBe('31.03.2024');
    // The team leader sees only the own team: the same date and period, the own team's count.
    const api = await env.api<{ kpis: Record<string, { count: number }> }>(
      'teamleder',
      '/api/v1/kpis?asOf=2024-03-31&from=2024-02-01&ids=deadline.followup_overdue',
    );
    expect(await counts(other)).toBe(` ${api.kpis['deadline.followup_overdue'].count}`);
    await other.close();
    await page.close();
  });

  it('opens a drill-down with the filters of the address, and a date in a link is ISO only', async () => {
    const page = await english('chef');
    await page.goto(`${env.base}/#/teamleder?asOf=2024-03-31&team=Team%20Syd`);
    await page.getByTestId('drill').waitFor();
    await asOfText(page).filter({ hasText: 'Opgjort pr. 31.03.2024' }).waitFor();
    // "Vis alle" keeps the date, and drops only the drill-down.
    await page.getByRole('link', { name: 'Vis alle' }).click();
    await page.getByTestId('drill').waitFor({ state: 'detached' });
    expect(hashParams(page).get('asOf')).toBe('2024-03-31');
    expect(hashParams(page).get('team')).toBeNull();
    await asOfText(page).filter({ hasText: 'Opgjort pr. 31.03.2024' }).waitFor();
    // A date in the address in another form is no filter: the default date is used.
    await page.goto(`${env.base}/#/chef?asOf=31.03.2024`);
    await asOfText(page).filter({ hasText: 'Opgjort pr. 30.04.2024' }).waitFor();
    expect(await page.getByLabel('Opgørelsesdato').inputValue()).toBe('');
    await page.close();
  });

  it('fits 1024×768 with a message under a date field, and passes axe', async () => {
    const page = await english('teamleder', { width: 1024, height: 768 });
    await page.getByTestId('figure-deadline.followup_overdue').waitFor();
    await page.getByLabel('Periode fra').fill('99.99.2024');
    await page.getByLabel('Periode fra').press('Enter');
    await page.getByRole('alert').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: join(OUT, 'dates-en-US-1024.png') });
    await page.close();
  });
});
